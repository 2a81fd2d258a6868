"""Staff accounts and sessions.

Passwords are hashed with Argon2id (argon2-cffi). A session is a random token in the
browser's (signed, HttpOnly) cookie and its SHA-256 here, so it expires after a spell of
inactivity or a working day, whichever comes first, and logging out really ends it.
Wrong passwords pause logins for a while (review.throttle)."""

import hashlib
import os
import re
import secrets
from datetime import timedelta
from typing import Any, Dict, List, Optional

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from review import clock, throttle
from review.tables import sessions, users

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A username or password that cannot be used, with the reason."""


WRONG = "Wrong username or password."
PAUSED = (
    "Too many wrong passwords from here: logging in is paused for a few minutes. "
    "Try again later, or ask an admin to reset the password."
)


class LoginError(Exception):
    """Login refused; the message is safe to show (it never says which part was wrong).
    `counted`: a password was checked (and was wrong); `paused`: the pauses this started."""

    def __init__(self, message: str, counted: bool, paused=()):
        super().__init__(message)
        self.counted, self.paused = counted, list(paused)


def idle_timeout() -> timedelta:
    return timedelta(minutes=int(os.environ.get("REVIEW_SESSION_IDLE_MINUTES") or 30))


def max_session() -> timedelta:
    return timedelta(hours=int(os.environ.get("REVIEW_SESSION_MAX_HOURS") or 12))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"The password must have at least {MIN_PASSWORD} characters.")


def create_user(engine, username: str, password: str, is_admin: bool = False) -> Dict[str, Any]:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise AccountError("A username is 2-40 lowercase letters, digits, '.', '-' or '_'.")
    _check_password(password)
    with engine.begin() as db:
        if db.execute(sa.select(users.c.id).where(users.c.username == username)).first():
            raise AccountError(f"There is already an account called {username}.")
        db.execute(
            users.insert().values(
                username=username,
                password_hash=_hasher.hash(password),
                is_admin=is_admin,
                created_at=clock.utcnow(),
                failed_logins=0,
            )
        )
    return find_user(engine, username)


def set_password(engine, username: str, password: str) -> None:
    """A new password; it also ends the user's sessions and lifts a lockout."""
    _check_password(password)
    user = find_user(engine, username)
    if user is None:
        raise AccountError(f"There is no account called {username}.")
    with engine.begin() as db:
        db.execute(users.update().where(users.c.id == user["id"]).values(password_hash=_hasher.hash(password)))
        db.execute(sessions.delete().where(sessions.c.user_id == user["id"]))
    throttle.clear(engine, user["username"])


def delete_user(engine, username: str) -> bool:
    user = find_user(engine, username)
    if user is None:
        return False
    with engine.begin() as db:
        db.execute(sessions.delete().where(sessions.c.user_id == user["id"]))
        db.execute(users.delete().where(users.c.id == user["id"]))
    return True


def find_user(engine, username: str) -> Optional[Dict[str, Any]]:
    with engine.connect() as db:
        row = db.execute(users.select().where(users.c.username == username.strip().lower())).mappings().first()
    return dict(row) if row else None


def list_users(engine) -> List[Dict[str, Any]]:
    with engine.connect() as db:
        return [dict(row) for row in db.execute(users.select().order_by(users.c.username)).mappings()]


def authenticate(engine, username: str, password: str, address: Optional[str] = None) -> Dict[str, Any]:
    """The user, if the password is right; else LoginError. Attempts are throttled per
    username and client `address` (review.throttle), unknown usernames exactly like real
    ones, so the answers never tell whether an account exists."""
    username = (username or "").strip().lower()
    reserved = throttle.counters(username, address)
    if not throttle.reserve(engine, reserved):
        raise LoginError(PAUSED, counted=False)
    user = find_user(engine, username)
    # An unknown name is checked against a dummy hash: it takes as long as a wrong password.
    if not _verify(user["password_hash"] if user else _DUMMY_HASH, password) or user is None:
        raise LoginError(WRONG, counted=True, paused=throttle.failed(engine, reserved))
    throttle.succeeded(engine, reserved)
    if _hasher.check_needs_rehash(user["password_hash"]):
        with engine.begin() as db:
            db.execute(users.update().where(users.c.id == user["id"]).values(password_hash=_hasher.hash(password)))
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine, user_id: int) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.utcnow()
    with engine.begin() as db:
        db.execute(
            sessions.insert().values(token_hash=_token_hash(token), user_id=user_id, created_at=now, last_seen=now)
        )
    return token


def session_user(engine, token: Optional[str]) -> Optional[Dict[str, Any]]:
    """The user of a live session (and the session is kept alive); None when the token is
    unknown or the session expired, in which case it is deleted."""
    if not token:
        return None
    now = clock.utcnow()
    key = _token_hash(token)
    with engine.begin() as db:
        row = (
            db.execute(
                sa.select(sessions, users.c.username, users.c.is_admin)
                .join(users, users.c.id == sessions.c.user_id)
                .where(sessions.c.token_hash == key)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        if (
            now - clock.as_utc(row["last_seen"]) > idle_timeout()
            or now - clock.as_utc(row["created_at"]) > max_session()
        ):
            db.execute(sessions.delete().where(sessions.c.token_hash == key))
            return None
        # Writing on every request would be wasted work; a minute's precision is plenty.
        if now - clock.as_utc(row["last_seen"]) > timedelta(minutes=1):
            db.execute(sessions.update().where(sessions.c.token_hash == key).values(last_seen=now))
    return {"id": row["user_id"], "username": row["username"], "is_admin": bool(row["is_admin"])}


def end_session(engine, token: Optional[str]) -> None:
    if token:
        with engine.begin() as db:
            db.execute(sessions.delete().where(sessions.c.token_hash == _token_hash(token)))


def forget_expired_sessions(engine) -> int:
    """Delete the sessions that can no longer log anyone in (idle too long, or too old);
    `session_user` only deletes the ones someone comes back with. Returns how many."""
    now = clock.utcnow()
    with engine.begin() as db:
        return db.execute(
            sessions.delete().where(
                sa.or_(sessions.c.last_seen < now - idle_timeout(), sessions.c.created_at < now - max_session())
            )
        ).rowcount
