"""The outbox: one row per request and outbound method (webhook, email), written in the
same database as the request. A row stays `pending` until it has been delivered;
failed attempts are retried with exponential back-off, so a clinic system that is down
for a day still gets every request once it is back.

Several processes may drain the outbox at once (two action servers, a retry right after
a new request while the periodic drain runs): a row is claimed with an atomic UPDATE
and a lease, so each delivery is attempted by one of them at a time."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from clinic.bookings import BookingRequest
from clinic.database import project_engine
from clinic.schema import booking_deliveries

# Longer than any single attempt may take (webhook and SMTP time-outs are shorter).
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class Delivery:
    id: int
    request_id: int
    method: str
    payload: dict
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: Optional[str]
    delivered_at: Optional[datetime]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _to_delivery(row) -> Delivery:
    data = row._mapping
    return Delivery(
        id=data["id"],
        request_id=data["request_id"],
        method=data["method"],
        payload=json.loads(data["payload"]),
        status=data["status"],
        attempts=data["attempts"],
        next_attempt_at=data["next_attempt_at"],
        last_error=data["last_error"],
        delivered_at=data["delivered_at"],
    )


def enqueue(request: BookingRequest, methods: List[str], engine: Optional[Engine] = None) -> None:
    """Queue `request` for each method; a method already queued for it is left alone."""
    engine = engine or project_engine()
    now = _now()
    payload = json.dumps(request.as_json(), sort_keys=True)
    for method in methods:
        try:
            with engine.begin() as connection:
                connection.execute(
                    booking_deliveries.insert().values(
                        request_id=request.id,
                        method=method,
                        payload=payload,
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
        except sa.exc.IntegrityError:
            pass  # queued by an earlier confirmation of the same request


def due(now: Optional[datetime] = None, limit: int = 20, engine: Optional[Engine] = None) -> List[Delivery]:
    engine = engine or project_engine()
    now = now or _now()
    table = booking_deliveries
    query = (
        sa.select(table)
        .where(
            table.c.status == "pending",
            table.c.next_attempt_at <= now,
            sa.or_(table.c.locked_until.is_(None), table.c.locked_until < now),
        )
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [_to_delivery(row) for row in connection.execute(query)]


def claim(delivery_id: int, now: Optional[datetime] = None, engine: Optional[Engine] = None) -> bool:
    """Take a delivery for one attempt; False when another worker has it or it is done."""
    engine = engine or project_engine()
    now = now or _now()
    table = booking_deliveries
    with engine.begin() as connection:
        claimed = connection.execute(
            table.update()
            .where(
                table.c.id == delivery_id,
                table.c.status == "pending",
                sa.or_(table.c.locked_until.is_(None), table.c.locked_until < now),
            )
            .values(locked_until=now + LEASE)
        ).rowcount
    return claimed == 1


def mark_delivered(delivery_id: int, engine: Optional[Engine] = None) -> None:
    engine = engine or project_engine()
    table = booking_deliveries
    with engine.begin() as connection:
        connection.execute(
            table.update()
            .where(table.c.id == delivery_id)
            .values(
                status="delivered",
                delivered_at=_now(),
                attempts=table.c.attempts + 1,
                locked_until=None,
                last_error=None,
            )
        )


def mark_failed(
    delivery_id: int, error: str, first_retry_seconds: float, max_retry_seconds: float, engine: Optional[Engine] = None
) -> datetime:
    """Record a failed attempt; returns when the next one is due (exponential back-off)."""
    engine = engine or project_engine()
    table = booking_deliveries
    with engine.begin() as connection:
        attempts = connection.execute(sa.select(table.c.attempts).where(table.c.id == delivery_id)).scalar_one() + 1
        delay = min(first_retry_seconds * 2 ** (attempts - 1), max_retry_seconds)
        next_attempt = _now() + timedelta(seconds=delay)
        connection.execute(
            table.update()
            .where(table.c.id == delivery_id)
            .values(attempts=attempts, next_attempt_at=next_attempt, locked_until=None, last_error=error[:2000])
        )
    return next_attempt


def deliveries_for(request_id: int, engine: Optional[Engine] = None) -> List[Delivery]:
    engine = engine or project_engine()
    table = booking_deliveries
    with engine.connect() as connection:
        rows = connection.execute(sa.select(table).where(table.c.request_id == request_id).order_by(table.c.id))
        return [_to_delivery(row) for row in rows]
