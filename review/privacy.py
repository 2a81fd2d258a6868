"""Deleting conversations: a patient's on request, and everyone's after the retention period.

Deleting a conversation removes its events from Rasa's tracker store (so the assistant
forgets it too), everything staff added to it, and its booking requests. Retention keeps
booking requests that staff have not handled yet (status "new"): deleting an unanswered
request would lose a patient; it goes at the first run after it has been handled."""

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, List, Optional, Tuple

import sqlalchemy as sa

from clinic.bookings import booking_requests
from review import audit, clock
from review.tables import PER_CONVERSATION, events

DEFAULT_RETENTION_DAYS = 365


def retention_days() -> int:
    """REVIEW_RETENTION_DAYS, or a year."""
    raw = os.environ.get("REVIEW_RETENTION_DAYS", "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"REVIEW_RETENTION_DAYS must be a whole number of days, at least 1 (it is {raw!r})")
    return int(raw)


@dataclass
class Deleted:
    conversations: int = 0
    events: int = 0
    booking_requests: int = 0
    kept_booking_requests: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.conversations} conversation(s), {self.events} event(s), "
            f"{self.booking_requests} booking request(s) deleted"
        )
        if self.kept_booking_requests:
            text += f"; {self.kept_booking_requests} unhandled booking request(s) kept"
        return text


def _delete_booking_requests(db, dependents, condition) -> int:
    """Delete the booking requests matching `condition`, rows referring to them first."""
    doomed_ids = sa.select(booking_requests.c.id).where(condition).scalar_subquery()
    for table, column in dependents:
        db.execute(table.delete().where(table.c[column].in_(doomed_ids)))
    return db.execute(booking_requests.delete().where(condition)).rowcount


def delete_conversations(
    engine,
    ids: Iterable[str],
    username: str,
    keep_unhandled_bookings: bool = False,
    reason: str = "delete_conversation",
) -> Deleted:
    """Delete these conversations everywhere, in one transaction, and audit each one."""
    ids = sorted(set(ids))
    result, found_ids = Deleted(), []
    if not ids:
        return result
    dependents = _rows_referring_to(engine, booking_requests.name)
    with engine.begin() as db:
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            found = (
                db.execute(sa.select(events.c.sender_id).distinct().where(events.c.sender_id.in_(chunk)))
                .scalars()
                .all()
            )
            found_ids += found
            result.conversations += len(found)
            result.events += db.execute(events.delete().where(events.c.sender_id.in_(chunk))).rowcount
            for table in PER_CONVERSATION:
                db.execute(table.delete().where(table.c.conversation_id.in_(chunk)))
            doomed = booking_requests.c.conversation_id.in_(chunk)
            if keep_unhandled_bookings:
                result.kept_booking_requests += db.execute(
                    sa.select(sa.func.count())
                    .select_from(booking_requests)
                    .where(doomed, booking_requests.c.status == "new")
                ).scalar()
                doomed = sa.and_(doomed, booking_requests.c.status != "new")
            result.booking_requests += _delete_booking_requests(db, dependents, doomed)
    for cid in found_ids:
        audit.record(engine, username, reason, cid)
    return result


def _rows_referring_to(engine, table_name: str) -> List[Tuple[sa.Table, str]]:
    """(table, column) of every table with a foreign key to `table_name` (such as the
    delivery outbox of booking requests): their rows go first, and they hold the same
    personal details."""
    inspector = sa.inspect(engine)
    found = []
    for name in inspector.get_table_names():
        for key in inspector.get_foreign_keys(name):
            if key["referred_table"] == table_name:
                table = sa.Table(name, sa.MetaData(), autoload_with=engine)
                found.append((table, key["constrained_columns"][0]))
    return found


def _cutoff(days: int, now: Optional[float]) -> float:
    now = clock.utcnow().timestamp() if now is None else now
    return now - timedelta(days=days).total_seconds()


def expired_conversations(engine, days: int, now: Optional[float] = None) -> List[str]:
    """Conversations whose last event is more than `days` days old."""
    with engine.connect() as db:
        return list(
            db.execute(
                sa.select(events.c.sender_id)
                .group_by(events.c.sender_id)
                .having(sa.func.max(events.c.timestamp) < _cutoff(days, now))
            ).scalars()
        )


def apply_retention(engine, days: int, username: str, now: Optional[float] = None) -> Deleted:
    """Delete every conversation older than the retention period (whole conversations:
    a tracker cut in half would confuse the assistant if the patient came back), and the
    handled booking requests older than it, including those an earlier run kept."""
    if days < 1:
        raise ValueError("The retention period must be at least one day.")
    ids = expired_conversations(engine, days, now)
    result = delete_conversations(engine, ids, username, keep_unhandled_bookings=True, reason="retention_delete")
    cutoff = datetime.fromtimestamp(_cutoff(days, now), timezone.utc)
    with engine.begin() as db:
        result.booking_requests += _delete_booking_requests(
            db,
            _rows_referring_to(engine, booking_requests.name),
            sa.and_(booking_requests.c.created_at < cutoff, booking_requests.c.status != "new"),
        )
    audit.record(engine, username, "retention", detail=f"older than {days} days: {result}")
    return result
