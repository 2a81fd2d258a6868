"""Requests for the clinic's staff left through the assistant: new bookings, changes,
cancellations and "please contact me" (kind `booking`, `change`, `cancel`, `human`).

They live in one table, `booking_requests`, in the project database (the same SQLite or
PostgreSQL as the conversations, see clinic.database). The assistant creates them; the
staff review app lists them and moves them through the statuses
new -> contacted -> booked | cancelled.

Every function takes an optional `engine`; without one it uses the project database and
creates the tables on first use."""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
import weakref
from functools import lru_cache
from typing import List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from clinic.database import create_engine

KINDS = ("booking", "change", "cancel", "human")
STATUSES = ("new", "contacted", "booked", "cancelled")

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware timestamp on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite has no zones, so values are stored
    as UTC and given their zone back when read. Naive datetimes are refused: a preferred
    time without a zone is ambiguous, and that ambiguity is exactly how appointments get
    booked an hour off."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


booking_requests = sa.Table(
    "booking_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(200)),
    # An email address or a phone number (E.164, e.g. +447911123456), as validated.
    sa.Column("contact", sa.String(254)),
    sa.Column("preferred_time", UTCDateTime),
    # Why they want to come (bookings) or what they asked for, in their words (the rest).
    sa.Column("reason", sa.Text),
    sa.Column("status", sa.String(16), nullable=False, server_default="new"),
    # The channel the conversation came through (rest, socketio, telegram...).
    sa.Column("channel", sa.String(64)),
    # When the user agreed to their contact details being stored; None if not asked.
    sa.Column("consent_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    # Same conversation + same details = same request: a double "yes" stores one row.
    sa.Column("dedup_key", sa.String(64), nullable=False, unique=True),
    sa.CheckConstraint(f"kind IN {KINDS}", name="booking_requests_kind"),
    sa.CheckConstraint(f"status IN {STATUSES}", name="booking_requests_status"),
)


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
        return {key: value.isoformat() if isinstance(value, datetime) else value
                for key, value in data.items()}


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    return create_engine()


# Engine -> number of tables created. Weak keys: a new engine can reuse a dead one's id().
_ready_engines: "weakref.WeakKeyDictionary[Engine, int]" = weakref.WeakKeyDictionary()


def ensure_tables(engine: Optional[Engine] = None) -> Engine:
    """The engine to use, with this module's tables created (once per engine)."""
    engine = engine or default_engine()
    # Other modules (the delivery outbox) add tables to `metadata`: create those too.
    if _ready_engines.get(engine) != len(metadata.tables):
        metadata.create_all(engine, checkfirst=True)
        _ready_engines[engine] = len(metadata.tables)
    return engine


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _dedup_key(conversation_id: str, kind: str, name, contact, preferred_time, reason) -> str:
    when = preferred_time.astimezone(timezone.utc).isoformat() if preferred_time else ""
    parts = [conversation_id, kind, name or "", contact or "", when, (reason or "").strip().lower()]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _row_to_request(row) -> BookingRequest:
    return BookingRequest(**{field: row._mapping[field]
                             for field in BookingRequest.__dataclass_fields__})


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
    engine = ensure_tables(engine)
    key = _dedup_key(conversation_id, kind, name, contact, preferred_time, reason)
    now = _now()
    values = dict(conversation_id=conversation_id, kind=kind, name=name, contact=contact,
                  preferred_time=preferred_time, reason=reason, status="new", channel=channel,
                  consent_at=now if consent else None, created_at=now, updated_at=now,
                  dedup_key=key)
    try:
        with engine.begin() as connection:
            new_id = connection.execute(booking_requests.insert().values(**values)).inserted_primary_key[0]
        return get_request(new_id, engine=engine), True
    except sa.exc.IntegrityError:
        with engine.connect() as connection:
            row = connection.execute(
                sa.select(booking_requests).where(booking_requests.c.dedup_key == key)).first()
        if row is None:  # the integrity error was something else
            raise
        return _row_to_request(row), False


def get_request(request_id: int, engine: Optional[Engine] = None) -> Optional[BookingRequest]:
    engine = ensure_tables(engine)
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(booking_requests).where(booking_requests.c.id == request_id)).first()
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
    engine = ensure_tables(engine)
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
    engine = ensure_tables(engine)
    with engine.begin() as connection:
        updated = connection.execute(
            booking_requests.update().where(booking_requests.c.id == request_id)
            .values(status=status, updated_at=_now())).rowcount
    if not updated:
        raise LookupError(f"no booking request with id {request_id}")
    return get_request(request_id, engine=engine)
