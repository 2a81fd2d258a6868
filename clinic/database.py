"""Where the project's data lives: one database for conversations, booking requests
and the staff tools. DATABASE_URL (an SQLAlchemy URL such as
postgresql://user@host:5432/clinic) selects it; without it, an SQLite file under var/."""
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from clinic.local_secrets import private_file, var_dir
from clinic.settings import PROJECT_ROOT

DEFAULT_SQLITE = PROJECT_ROOT / "var" / "assistant.db"


def database_url() -> URL:
    raw = os.environ.get("DATABASE_URL")
    if raw:
        url = make_url(raw)
    else:
        var_dir()
        url = make_url(f"sqlite:///{DEFAULT_SQLITE}")
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        # Created owner-only before SQLite creates it world-readable (its journal files
        # take the database file's mode).
        private_file(Path(url.database))
    return url


# A database that went away is noticed within seconds (connect timeout, TCP keepalives),
# so callers retry (clinic/outages.py) instead of hanging on a dead socket.
POSTGRES_CONNECT_ARGS = {"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5,
                         "keepalives_interval": 2, "keepalives_count": 3}


def create_engine(url: URL = None, **options) -> sa.engine.Engine:
    """An engine that survives a database restart: stale connections are tested first.
    `options` (e.g. pool_size) go to SQLAlchemy for server databases."""
    url = url or database_url()
    if url.get_backend_name() == "sqlite":
        return sa.create_engine(url, connect_args={"check_same_thread": False})
    connect_args = POSTGRES_CONNECT_ARGS if url.get_backend_name() == "postgresql" else {}
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)
