"""Settings in `.env` reach every entry point (clinic/environment.py), not just `make run`:
a clinic that keeps DATABASE_URL in `.env` gets `make staff-user` and the nightly
`make retention` run against that database, and the real environment still wins."""

import os
import subprocess

import sqlalchemy as sa

from tests.support.processes import BIN, ROOT


def review_cli(*args, env_file, environment=None, stdin=""):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ENV_FILE")}
    env.update(ENV_FILE=str(env_file), **(environment or {}))
    return subprocess.run(
        [str(BIN / "python"), "-m", "review", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def audit_actions(database):
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as db:
        return [row.action for row in db.execute(sa.text("SELECT action FROM review_audit_log"))]


def test_staff_user_and_retention_use_the_database_named_in_dotenv(tmp_path):
    database = tmp_path / "clinic.db"
    env_file = tmp_path / ".env"
    env_file.write_text(f"# the clinic's settings\nDATABASE_URL='sqlite:///{database}'\n")

    created = review_cli(
        "create-user", "alice", "--password-stdin", env_file=env_file, stdin="a long enough password\n"
    )
    assert created.returncode == 0, created.stderr
    retention = review_cli("retention", env_file=env_file)
    assert retention.returncode == 0, retention.stderr
    assert "Retention (365 days)" in retention.stdout

    assert audit_actions(database) == ["create_user", "retention"]
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT username FROM review_users")).scalars().all() == ["alice"]


def test_the_real_environment_wins_over_dotenv(tmp_path):
    from_file, from_environment = tmp_path / "file.db", tmp_path / "environment.db"
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATABASE_URL=sqlite:///{from_file}\n")

    result = review_cli("retention", env_file=env_file, environment={"DATABASE_URL": f"sqlite:///{from_environment}"})
    assert result.returncode == 0, result.stderr
    assert audit_actions(from_environment) == ["retention"]
    assert not from_file.exists()
