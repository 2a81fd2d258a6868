"""The database's tables come from the Alembic migrations (migrations/), on SQLite and the
real PostgreSQL: an empty database is brought to exactly the schema of clinic/schema.py; a
clinic's database made before migrations keeps every row through `make migrate`; a second
run changes nothing; servers that start together migrate once."""

import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from clinic import bookings
from clinic.database import migrate
from clinic.delivery import outbox
from clinic.schema import metadata
from tests.support.databases import fresh_postgres_database, fresh_postgres_schema

ROOT = Path(__file__).resolve().parent.parent
BEFORE_MIGRATIONS = ROOT / "tests" / "support" / "before_migrations"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
HEAD = ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_current_head()


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'clinic.db'}"
    else:
        with fresh_postgres_schema("migrations") as url:
            yield url


@pytest.fixture(params=BACKENDS)
def database_before_migrations(request, tmp_path):
    """A database written by the code before migrations, loaded from its dump."""
    script = (BEFORE_MIGRATIONS / f"{request.param}.sql").read_text()
    if request.param == "sqlite":
        path = tmp_path / "clinic.db"
        with sqlite3.connect(path) as db:
            db.executescript(script)
        yield f"sqlite:///{path}"
        return
    with fresh_postgres_database("before_migrations") as url:
        engine = sa.create_engine(url)
        connection = engine.raw_connection()
        try:
            connection.cursor().execute(script)
            connection.commit()
        finally:
            connection.close()
            engine.dispose()
        yield url


def schema_differences(engine) -> list:
    """What `alembic revision --autogenerate` would write: the database against clinic/schema.py."""
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), metadata)


def revision(engine) -> str:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def everything(engine) -> dict:
    """Every row of every table but Alembic's own, in a comparable form."""
    found = {}
    with engine.connect() as connection:
        for name in sa.inspect(connection).get_table_names():
            if name != "alembic_version":
                table = sa.Table(name, sa.MetaData(), autoload_with=connection)
                found[name] = sorted(tuple(map(repr, row)) for row in connection.execute(sa.select(table)))
    return found


def make_migrate(url: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["make", "--no-print-directory", "migrate"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DATABASE_URL": url},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_an_empty_database_gets_every_table_of_the_schema(empty_database):
    engine = migrate(empty_database)
    try:
        assert set(sa.inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
        assert schema_differences(engine) == []  # clinic/schema.py and the migrations agree
        assert revision(engine) == HEAD
        # The unique (conversation, position) index that keeps a conversation's events in order.
        row = dict(sender_id="runner", type_name="user", seq=1)
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as db:
            db.execute(sa.insert(metadata.tables["events"]), [row, row])
    finally:
        engine.dispose()


def test_a_database_made_before_migrations_keeps_its_rows_and_a_second_run_changes_nothing(database_before_migrations):
    url = database_before_migrations
    engine = sa.create_engine(url)
    try:
        before = everything(engine)
        assert before["events"] and before["booking_requests"] and before["review_users"]
        assert revision(engine) is None

        first = make_migrate(url)
        assert f"-> {HEAD}" in first.stderr  # it ran the migration...
        assert everything(engine) == before  # ...and every row is still there, unchanged
        assert schema_differences(engine) == []
        assert revision(engine) == HEAD

        second = make_migrate(url)
        assert "Running upgrade" not in second.stderr
        assert everything(engine) == before and revision(engine) == HEAD

        # The assistant and the staff tools read what the clinic had.
        [request] = bookings.list_requests(engine=engine)
        assert request.name == "Sam Jones"
        assert request.preferred_time == datetime(2026, 11, 24, 10, tzinfo=timezone.utc)
        assert {d.method for d in outbox.deliveries_for(request.id, engine=engine)} == {"webhook", "email"}
    finally:
        engine.dispose()


STARTER = """
import sys, time
from clinic.database import migrate
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
migrate(sys.argv[1]).dispose()
"""


def test_servers_starting_together_migrate_the_database_once(empty_database):
    """Replicas start at the same moment; one creates the tables, the others wait for it."""
    start_at = time.time() + 8  # all imports done by then, so the upgrades really overlap
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", STARTER, empty_database, str(start_at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for _ in range(3)
    ]
    outputs = [starter.communicate(timeout=120)[0] for starter in starters]
    assert [starter.returncode for starter in starters] == [0, 0, 0], outputs
    engine = sa.create_engine(empty_database)
    try:
        assert revision(engine) == HEAD and schema_differences(engine) == []
    finally:
        engine.dispose()
