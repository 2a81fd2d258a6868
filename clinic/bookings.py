"""Requests for the clinic's staff left through the assistant: new bookings, changes,
cancellations and "please contact me" (kind `booking`, `change`, `cancel`, `human`).

They live in one table, `booking_requests` (clinic/schema.py), in the project database
(the same SQLite or PostgreSQL as the conversations, see clinic.database). The assistant
creates them; the staff review app lists them and moves them through the statuses
new -> contacted -> booked | cancelled.

Every function takes an optional `engine` (a migrated database: clinic.database.migrate);
without one it uses the project database."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from clinic.database import project_engine
from clinic.schema import KINDS, STATUSES, booking_requests


@dataclass(frozen=True)
class BookingRequest:
    id: int
    conversation_id: str
    kind: str
    name: Optional[str]
    contact: Optional[str]
    preferred_time: Optional[datetime]
    reason: Optional[str]
    status: str
    channel: Optional[str]
    consent_at: Optional[datetime]
    created_at: datetime
    updated_at: datetime

    def as_json(self) -> dict:
        """A JSON-ready dict (ISO 8601 timestamps), as sent to the clinic's systems."""
        data = {field: getattr(self, field) for field in self.__dataclass_fields__}
        return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in data.items()}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _dedup_key(conversation_id: str, kind: str, name, contact, preferred_time, reason) -> str:
    when = preferred_time.astimezone(timezone.utc).isoformat() if preferred_time else ""
    parts = [conversation_id, kind, name or "", contact or "", when, (reason or "").strip().lower()]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _row_to_request(row) -> BookingRequest:
    return BookingRequest(**{field: row._mapping[field] for field in BookingRequest.__dataclass_fields__})


def create_request(
    conversation_id: str,
    kind: str,
    *,
    name: Optional[str] = None,
    contact: Optional[str] = None,
    preferred_time: Optional[datetime] = None,
    reason: Optional[str] = None,
    channel: Optional[str] = None,
    consent: bool = False,
    engine: Optional[Engine] = None,
) -> Tuple[BookingRequest, bool]:
    """Store a request; returns it and whether it is new.

    Idempotent: the same details from the same conversation return the stored request
    (created=False) instead of a duplicate, even when two confirmations race."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
    engine = engine or project_engine()
    key = _dedup_key(conversation_id, kind, name, contact, preferred_time, reason)
    now = _now()
    values = dict(
        conversation_id=conversation_id,
        kind=kind,
        name=name,
        contact=contact,
        preferred_time=preferred_time,
        reason=reason,
        status="new",
        channel=channel,
        consent_at=now if consent else None,
        created_at=now,
        updated_at=now,
        dedup_key=key,
    )
    try:
        with engine.begin() as connection:
            new_id = connection.execute(booking_requests.insert().values(**values)).inserted_primary_key[0]
        return get_request(new_id, engine=engine), True
    except sa.exc.IntegrityError:
        with engine.connect() as connection:
            row = connection.execute(sa.select(booking_requests).where(booking_requests.c.dedup_key == key)).first()
        if row is None:  # the integrity error was something else
            raise
        return _row_to_request(row), False


def get_request(request_id: int, engine: Optional[Engine] = None) -> Optional[BookingRequest]:
    engine = engine or project_engine()
    with engine.connect() as connection:
        row = connection.execute(sa.select(booking_requests).where(booking_requests.c.id == request_id)).first()
    return _row_to_request(row) if row else None


def list_requests(
    status: Optional[str] = None,
    kind: Optional[str] = None,
    conversation_id: Optional[str] = None,
    limit: int = 200,
    offset: int = 0,
    engine: Optional[Engine] = None,
) -> List[BookingRequest]:
    """Requests, newest first, optionally filtered."""
    engine = engine or project_engine()
    query = sa.select(booking_requests)
    if status:
        query = query.where(booking_requests.c.status == status)
    if kind:
        query = query.where(booking_requests.c.kind == kind)
    if conversation_id:
        query = query.where(booking_requests.c.conversation_id == conversation_id)
    query = query.order_by(booking_requests.c.created_at.desc(), booking_requests.c.id.desc())
    with engine.connect() as connection:
        rows = connection.execute(query.limit(limit).offset(offset)).fetchall()
    return [_row_to_request(row) for row in rows]


def update_status(request_id: int, status: str, engine: Optional[Engine] = None) -> BookingRequest:
    """Move a request to another status; raises LookupError when it does not exist."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}; expected one of {STATUSES}")
    engine = engine or project_engine()
    with engine.begin() as connection:
        updated = connection.execute(
            booking_requests.update()
            .where(booking_requests.c.id == request_id)
            .values(status=status, updated_at=_now())
        ).rowcount
    if not updated:
        raise LookupError(f"no booking request with id {request_id}")
    return get_request(request_id, engine=engine)
