"""`rasa run` with its HTTP API token taken from the environment (RASA_API_TOKEN) inside the
process, so that the token never appears in the process list (`ps`, /proc/<pid>/cmdline),
which every local user can read. Rasa reads `--auth-token` only from its command line, so
the option is appended to `sys.argv` here, after the process has started.

    RASA_API_TOKEN=... python -m scripts.rasa_server --model models/x.tar.gz --enable-api ...
"""

import os
import sys

from rasa.__main__ import main

from clinic.environment import load_environment


def run() -> None:
    load_environment()
    token = os.environ.get("RASA_API_TOKEN", "").strip()
    if not token:
        sys.exit("RASA_API_TOKEN is not set: the HTTP API would be open to anyone.")
    sys.argv = ["rasa", "run", *sys.argv[1:], "--auth-token", token]
    main()


if __name__ == "__main__":
    run()
