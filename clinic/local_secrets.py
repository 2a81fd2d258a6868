"""Secrets a single installation can generate for itself (API token, session key), and the
owner-only files and folder that hold them and the local database: var/ is 0700 and its
files 0600, so other users of the machine can read neither patients' conversations nor
the secrets (issue #10: both were created world-readable)."""

import os
import secrets
from pathlib import Path

from clinic.settings import PROJECT_ROOT


def var_dir() -> Path:
    """The project's var/ folder, created owner-only; an older, readable one is tightened."""
    path = PROJECT_ROOT / "var"
    path.mkdir(mode=0o700, exist_ok=True)
    _owner_only(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """`path`, created empty if missing, readable and writable by its owner only."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    _owner_only(path, 0o600)
    return path


def _owner_only(path: Path, mode: int) -> None:
    if path.stat().st_uid == os.getuid() and path.stat().st_mode & 0o777 != mode:
        path.chmod(mode)


def persistent_secret(env_var: str, filename: str, nbytes: int = 32) -> str:
    """The environment's value, or one generated once and kept (owner-only) in var/."""
    value = os.environ.get(env_var)
    if value:
        return value
    path = var_dir() / filename
    if not path.exists() or not path.read_text().strip():
        private_file(path).write_text(secrets.token_urlsafe(nbytes))
    return private_file(path).read_text().strip()
