"""Secrets a single installation can generate for itself (API token, session key)."""
import os
import secrets

from clinic.settings import PROJECT_ROOT


def persistent_secret(env_var: str, filename: str, nbytes: int = 32) -> str:
    """The environment's value, or one generated once and kept (owner-only) in var/."""
    value = os.environ.get(env_var)
    if value:
        return value
    path = PROJECT_ROOT / "var" / filename
    path.parent.mkdir(exist_ok=True)
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()
