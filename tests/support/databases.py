"""Throwaway databases on the real PostgreSQL and Redis servers, one per test run."""

import uuid
from contextlib import contextmanager
from typing import Iterator

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def fresh_postgres_database(prefix: str = "knee") -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its URL, drop it afterwards."""
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"), {"name": name}
            )
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@contextmanager
def fresh_postgres_schema(prefix: str = "knee") -> Iterator[str]:
    """Create an empty schema in the `test` database and yield a URL whose connections
    work in it (search_path); drop it afterwards. Cheaper than a database of its own."""
    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    try:
        yield f"{POSTGRES_ADMIN}?options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()
