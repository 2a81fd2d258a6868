"""Login throttling: a few wrong passwords pause logins, per account and client address.

Two counters of wrong passwords, each a row in `review_login_throttle`:

- per typed username *and* client address: 5 in a row pause that pair, first for a
  minute, then 2, 4, 8 and at most 15 minutes (the steps start again a day after the
  last pause). A stranger elsewhere guessing an admin's password pauses only their own
  pair: the admin, logging in from her own address, is not locked out;
- per client address, whatever the username: 20 pause the address the same way, so one
  address cannot try 5 passwords on every name.

A password is checked only after an attempt has been *reserved* on both counters, by one
conditional UPDATE each (`failures = failures + 1 WHERE failures < limit AND not paused`),
which SQLite and PostgreSQL apply atomically (a database write lock / a row lock, the
WHERE re-checked after the wait): however many attempts arrive at once, no more than the
limit are ever checked. A right password gives its reservations back.

Usernames nobody has are counted and paused exactly like real ones, with the same answers,
so neither the answers nor their timing tell whether an account exists."""

from dataclasses import dataclass
from datetime import timedelta
from typing import List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from review import clock
from review.tables import login_throttle as throttle

PER_ACCOUNT_AND_ADDRESS = 5
PER_ADDRESS = 20
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(minutes=15)
# Wrong passwords further apart than this do not add up; a pause this old is forgotten.
STREAK = timedelta(minutes=15)
FORGET = timedelta(days=1)


@dataclass(frozen=True)
class Counter:
    key: str
    limit: int


def counters(username: str, address: Optional[str]) -> List[Counter]:
    """The counters one login attempt counts on (the address's first)."""
    address = (address or "unknown")[:64]
    return [
        Counter(f"address:{address}", PER_ADDRESS),
        Counter(f"account:{username[:80]}|address:{address}", PER_ACCOUNT_AND_ADDRESS),
    ]


def pause_after(lockouts: int) -> timedelta:
    return min(FIRST_PAUSE * 2 ** min(lockouts - 1, 10), LONGEST_PAUSE)


def _insert_ignoring_existing(engine):
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(throttle).on_conflict_do_nothing(index_elements=["key"])


def reserve(engine, wanted: List[Counter]) -> bool:
    """One attempt on every counter, or none at all (False: paused, or at the limit)."""
    now = clock.utcnow()
    taken: List[Counter] = []
    with engine.begin() as db:
        db.execute(_insert_ignoring_existing(engine), [{"key": c.key, "failures": 0, "lockouts": 0} for c in wanted])
    for counter in wanted:
        forgotten = sa.or_(throttle.c.last_failure.is_(None), throttle.c.last_failure < now - STREAK)
        with engine.begin() as db:
            reserved = (
                db.execute(
                    throttle.update()
                    .where(
                        throttle.c.key == counter.key,
                        sa.or_(throttle.c.locked_until.is_(None), throttle.c.locked_until <= now),
                        sa.or_(throttle.c.failures < counter.limit, forgotten),
                    )
                    .values(failures=sa.case((forgotten, 1), else_=throttle.c.failures + 1), last_failure=now)
                ).rowcount
                == 1
            )
        if not reserved:
            give_back(engine, taken)
            return False
        taken.append(counter)
    return True


def give_back(engine, taken: List[Counter]) -> None:
    """Undo reservations (the password was right, or another counter refused)."""
    with engine.begin() as db:
        for counter in taken:
            db.execute(
                throttle.update()
                .where(throttle.c.key == counter.key, throttle.c.failures > 0)
                .values(failures=throttle.c.failures - 1)
            )


def clear(engine, username: str) -> None:
    """A password reset: this account's counters start again (from every address)."""
    with engine.begin() as db:
        name = username[:80].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        db.execute(throttle.delete().where(throttle.c.key.like(f"account:{name}|address:%", escape="\\")))


def failed(engine, reserved: List[Counter]) -> List[Tuple[Counter, timedelta]]:
    """The reserved attempts were wrong passwords: a counter that reached its limit is
    paused (by exactly one of the attempts that filled it). Returns the pauses started."""
    now = clock.utcnow()
    paused = []
    with engine.begin() as db:
        for counter in reserved:
            started_again = sa.or_(throttle.c.locked_until.is_(None), throttle.c.locked_until < now - FORGET)
            full = throttle.update().where(throttle.c.key == counter.key, throttle.c.failures >= counter.limit)
            if db.execute(
                full.values(failures=0, lockouts=sa.case((started_again, 1), else_=throttle.c.lockouts + 1))
            ).rowcount:
                lockouts = db.execute(sa.select(throttle.c.lockouts).where(throttle.c.key == counter.key)).scalar()
                pause = pause_after(lockouts)
                db.execute(throttle.update().where(throttle.c.key == counter.key).values(locked_until=now + pause))
                paused.append((counter, pause))
        # Counters with nothing recent are of no more use (this keeps the table small).
        db.execute(
            throttle.delete().where(
                throttle.c.last_failure < now - FORGET,
                sa.or_(throttle.c.locked_until.is_(None), throttle.c.locked_until < now - FORGET),
            )
        )
    return paused


def succeeded(engine, reserved: List[Counter]) -> None:
    """A right password: the account's streak ends; the address only gets its try back
    (logging in to one's own account must not wipe out guesses at others)."""
    give_back(engine, [c for c in reserved if c.key.startswith("address:")])
    with engine.begin() as db:
        for counter in reserved:
            if counter.key.startswith("account:"):
                db.execute(
                    throttle.update()
                    .where(throttle.c.key == counter.key)
                    .values(failures=0, lockouts=0, locked_until=None)
                )
