"""Where the project's data lives: one database for conversations, booking requests
and the staff tools. DATABASE_URL (an SQLAlchemy URL such as
postgresql://user@host:5432/clinic) selects it; without it, an SQLite file under var/.

Its tables are defined in clinic/schema.py and created or upgraded by the Alembic
migrations in migrations/: `migrate()` below, which every server runs when it starts and
`make migrate` runs from the command line."""

import fcntl
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Union

import alembic.command
import alembic.config
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

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
POSTGRES_CONNECT_ARGS = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
}


def create_engine(url: URL = None, **options) -> sa.engine.Engine:
    """An engine that survives a database restart: stale connections are tested first.
    `options` (e.g. pool_size) go to SQLAlchemy for server databases."""
    url = url or database_url()
    if url.get_backend_name() == "sqlite":
        return sa.create_engine(url, connect_args={"check_same_thread": False})
    connect_args = POSTGRES_CONNECT_ARGS if url.get_backend_name() == "postgresql" else {}
    return sa.create_engine(url, pool_pre_ping=True, connect_args=connect_args, **options)


@lru_cache(maxsize=1)
def project_engine() -> Engine:
    """The configured database, migrated: one engine per process for the modules that are
    not handed one (booking requests, the outbox, handled channel messages)."""
    return migrate(create_engine())


def migrate(target: Union[Engine, str, URL, None] = None) -> Engine:
    """Bring a database (an engine, a URL, or by default the configured one) to the newest
    schema: Alembic's `upgrade head`, a no-op when it is there already. Returns the engine."""
    engine = (
        target if isinstance(target, Engine) else create_engine(make_url(target) if isinstance(target, str) else target)
    )
    config = alembic.config.Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("prepend_sys_path", "")  # for the command line; here the code is importable
    with engine.connect() as connection:
        config.attributes["connection"] = connection  # migrations/env.py uses it
        alembic.command.upgrade(config, "head")
    return engine


SCHEMA_LOCK = 7131  # PostgreSQL advisory lock key: one process migrates at a time


@contextmanager
def schema_lock(connection: sa.engine.Connection) -> Iterator[None]:
    """Held while a database is migrated: replicas that start together upgrade it once,
    the others wait and then find it up to date."""
    url = connection.engine.url
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
    elif connection.dialect.name == "sqlite" and url.database not in (None, "", ":memory:"):
        # A lock file beside the database: Python's sqlite3 opens no transaction before DDL,
        # so two processes could otherwise both find a table missing and both create it.
        with open(private_file(Path(f"{url.database}.migrate-lock")), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
    else:
        yield
