"""`make train`: train a model unless one matches the current inputs."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clinic.training import train_if_needed  # noqa: E402

if __name__ == "__main__":
    train_if_needed()
