"""Settings come from environment variables; a `.env` file fills in the ones the real
environment leaves unset (see `.env.example`). Every entry point — servers, scripts, make
targets, the review CLI — calls `load_environment()` before it reads a setting, so a
`DATABASE_URL` in `.env` reaches `make retention` as surely as `make run`.

The file is the project root's `.env`, or the one `ENV_FILE` names (e.g. a nightly job on a
server whose settings live in /etc)."""

import os
from pathlib import Path
from typing import Optional

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent


def env_file() -> Path:
    return Path(os.environ.get("ENV_FILE") or ROOT / ".env")


def load_environment(path: Optional[Path] = None) -> None:
    """Fill unset variables from the `.env` file, if there is one; the real environment wins."""
    load_dotenv(path or env_file(), override=False)
