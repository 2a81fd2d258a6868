"""Staff accounts from the terminal: list them, remove one who left (with their sessions),
and `make retention` clears sessions that can no longer log anyone in."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from review import audit, auth, clock
from review.cli import main
from review.tables import connect, sessions


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'review.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = connect(url)
    auth.create_user(engine, "alice", "a long enough password", is_admin=True)
    auth.create_user(engine, "bob", "another long password")
    return engine


def session_owners(engine):
    with engine.connect() as db:
        return sorted(
            db.execute(sa.select(auth.users.c.username).join(sessions, sessions.c.user_id == auth.users.c.id)).scalars()
        )


def test_users_lists_the_accounts_with_their_role(engine, capsys):
    assert main(["users"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in listed] == [["alice", "admin"], ["bob", "staff"]]


def test_delete_user_removes_the_account_and_logs_them_out(engine, capsys):
    token = auth.start_session(engine, auth.find_user(engine, "bob")["id"])
    auth.start_session(engine, auth.find_user(engine, "alice")["id"])

    assert main(["delete-user", "Bob"]) == 0
    assert auth.find_user(engine, "bob") is None
    assert auth.session_user(engine, token) is None
    assert session_owners(engine) == ["alice"]
    assert [entry["action"] for entry in audit.recent(engine)][0] == "delete_user"

    assert main(["delete-user", "bob"]) == 2
    assert "There is no staff account 'bob'" in capsys.readouterr().err


def test_retention_deletes_expired_staff_sessions_only(engine, capsys):
    alice, bob = (auth.find_user(engine, name)["id"] for name in ("alice", "bob"))
    live = auth.start_session(engine, alice)
    auth.start_session(engine, bob)  # idle for longer than the idle timeout
    auth.start_session(engine, bob)  # active, but older than the longest session
    now = clock.utcnow()
    with engine.begin() as db:
        idle, too_old = db.execute(sa.select(sessions.c.token_hash).where(sessions.c.user_id == bob)).scalars()
        db.execute(
            sessions.update()
            .where(sessions.c.token_hash == idle)
            .values(last_seen=now - auth.idle_timeout() - timedelta(minutes=1))
        )
        db.execute(
            sessions.update()
            .where(sessions.c.token_hash == too_old)
            .values(created_at=now - auth.max_session() - timedelta(minutes=1))
        )

    assert main(["retention"]) == 0
    assert "Expired staff sessions deleted: 2." in capsys.readouterr().out
    assert session_owners(engine) == ["alice"]
    assert auth.session_user(engine, live)["username"] == "alice"
