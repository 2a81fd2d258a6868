"""Train a model only when the data, domain, config or pipeline changed.

The model file is named after a hash of everything that shapes it, so `make run`,
`make test` and `make evaluate` reuse the same model until something changes."""

import fcntl
import hashlib
import subprocess
import sys
from pathlib import Path

from clinic.sentence_encoder import TOKENIZER_PATH
from clinic.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
# Everything whose change must lead to a new model. (clinic/safety.py is not here: the
# red-flag check is not trained, and the model imports the current one when it runs.)
# The sentence encoder's ONNX file is pinned by its package version in requirements.txt; its
# tokenizer is a file of its own.
INPUTS = [
    "config.yml",
    "domain",
    "data",
    "components",
    "spacy_pipeline",
    "requirements.txt",
    str(TOKENIZER_PATH.relative_to(PROJECT_ROOT)),
    "clinic/sentence_encoder.py",
]


def fingerprint() -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        path = PROJECT_ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix == ".pyc" or not file.exists():
                continue
            digest.update(str(file.relative_to(PROJECT_ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS_DIR / f"knee-{fingerprint()}.tar.gz"


def train_if_needed() -> Path:
    target = model_path()
    MODELS_DIR.mkdir(exist_ok=True)
    # Two commands started together (make test in two shells, parallel test runs) must not
    # train the same model twice: the second waits for the first and reuses its model.
    with open(MODELS_DIR / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            print(f"Model is up to date: {target.relative_to(PROJECT_ROOT)}")
            return target
        print(f"Training {target.relative_to(PROJECT_ROOT)} (data or config changed)...", flush=True)
        subprocess.run(
            [
                str(Path(sys.executable).parent / "rasa"),
                "train",
                "--domain",
                "domain",
                "--out",
                str(MODELS_DIR),
                "--fixed-model-name",
                target.name.replace(".tar.gz", ""),
            ],
            cwd=PROJECT_ROOT,
            check=True,
        )
    return target
