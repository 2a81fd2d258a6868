"""Stored requests and the delivery outbox, against SQLite and the real PostgreSQL, and
delivery to real local stand-ins: a signed webhook (down, then back) and SMTP email."""

import asyncio
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from clinic import bookings, delivery
from clinic.database import migrate
from clinic.delivery import outbox
from clinic.delivery.settings import BookingSettings, EmailSettings, WebhookSettings
from tests.support.booking_targets import SmtpSink, WebhookReceiver
from tests.support.databases import fresh_postgres_schema

TUESDAY_10 = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = migrate(f"sqlite:///{tmp_path / 'bookings.db'}")
        yield engine
        engine.dispose()
        return
    # A schema of its own, so parallel runs and other tests never see these rows.
    with fresh_postgres_schema("booking_test") as url:
        engine = migrate(url)
        yield engine
        engine.dispose()


def new_booking(engine, conversation="conv-1", **overrides):
    details = dict(
        name="Sam Jones",
        contact="+447911123456",
        preferred_time=TUESDAY_10,
        reason="pain at the front of the knee",
        channel="rest",
        consent=True,
    )
    details.update(overrides)
    return bookings.create_request(conversation, "booking", engine=engine, **details)


def test_a_request_is_stored_with_its_conversation_status_and_aware_times(engine):
    request, created = new_booking(engine)
    assert created
    stored = bookings.get_request(request.id, engine=engine)
    assert stored.conversation_id == "conv-1" and stored.kind == "booking"
    assert stored.status == "new"
    assert stored.preferred_time == TUESDAY_10  # the same instant...
    assert stored.preferred_time.tzinfo is not None  # ...and never a naive time
    assert stored.consent_at is not None
    assert abs(stored.created_at - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_confirming_twice_stores_one_request(engine):
    first, created_first = new_booking(engine)
    second, created_second = new_booking(engine)
    assert created_first and not created_second
    assert first.id == second.id
    assert len(bookings.list_requests(engine=engine)) == 1
    # Different details, or another conversation, are another request.
    new_booking(engine, preferred_time=TUESDAY_10 + timedelta(days=1))
    new_booking(engine, conversation="conv-2")
    assert len(bookings.list_requests(engine=engine)) == 3


def test_staff_move_requests_through_the_statuses_and_filter_them(engine):
    request, _ = new_booking(engine)
    bookings.create_request(
        "conv-9", "human", name="Jo", contact="jo@example.com", reason="Please call me", engine=engine
    )
    assert bookings.update_status(request.id, "contacted", engine=engine).status == "contacted"
    booked = bookings.update_status(request.id, "booked", engine=engine)
    assert booked.status == "booked" and booked.updated_at >= booked.created_at
    assert [r.kind for r in bookings.list_requests(status="new", engine=engine)] == ["human"]
    assert [r.id for r in bookings.list_requests(kind="booking", engine=engine)] == [request.id]
    with pytest.raises(ValueError):
        bookings.update_status(request.id, "lost", engine=engine)
    with pytest.raises(LookupError):
        bookings.update_status(999999, "booked", engine=engine)
    with pytest.raises(ValueError):
        bookings.create_request("conv-1", "complaint", engine=engine)


def test_naive_times_are_refused(engine):
    with pytest.raises(sa.exc.StatementError):
        new_booking(engine, preferred_time=datetime(2026, 11, 24, 10, 0))


def test_an_outbox_delivery_is_claimed_by_one_worker_at_a_time(engine):
    request, _ = new_booking(engine)
    outbox.enqueue(request, ["webhook"], engine=engine)
    outbox.enqueue(request, ["webhook"], engine=engine)  # a second confirmation
    [due] = outbox.due(engine=engine)
    assert outbox.claim(due.id, engine=engine)
    assert not outbox.claim(due.id, engine=engine)
    assert outbox.due(engine=engine) == []  # leased
    retry_at = outbox.mark_failed(due.id, "down", 30, 3600, engine=engine)
    assert timedelta(seconds=25) < retry_at - datetime.now(timezone.utc) <= timedelta(seconds=30)
    later = datetime.now(timezone.utc) + timedelta(seconds=31)
    assert [d.id for d in outbox.due(now=later, engine=engine)] == [due.id]
    # Back-off doubles on every failure, up to the maximum.
    assert outbox.claim(due.id, now=later, engine=engine)
    second_retry = outbox.mark_failed(due.id, "down", 30, 3600, engine=engine)
    assert second_retry - datetime.now(timezone.utc) > timedelta(seconds=55)


# --- delivery to real local servers ---------------------------------------------------

SECRET = "test-shared-secret"


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = migrate(f"sqlite:///{tmp_path / 'outbox.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def settings_for(webhook_url=None, smtp_port=None) -> BookingSettings:
    methods = (["webhook"] if webhook_url else []) + (["email"] if smtp_port else [])
    return BookingSettings(
        delivery=methods,
        webhook=WebhookSettings(url=webhook_url, secret=SECRET, timeout_seconds=3) if webhook_url else None,
        email=EmailSettings(
            to=["bookings@clinic.example.com"],
            sender="assistant@clinic.example.com",
            host="127.0.0.1",
            port=smtp_port,
            starttls=False,
        )
        if smtp_port
        else None,
        first_retry_seconds=0.2,
        max_retry_seconds=1,
    )


def drain(settings, engine) -> int:
    return asyncio.run(delivery.drain(settings, engine=engine))


def test_webhook_is_signed_and_email_is_sent(sqlite_engine, smtp):
    receiver = WebhookReceiver(SECRET).start()
    try:
        settings = settings_for(receiver.url, smtp.port)
        request, _ = new_booking(sqlite_engine)
        delivery.queue(request, settings, engine=sqlite_engine)
        assert drain(settings, sqlite_engine) == 2
    finally:
        receiver.stop()
    [hook] = receiver.received
    assert hook["signature_valid"]
    body = json.loads(hook["body"])
    assert body["event"] == "booking_request.created"
    assert body["request"]["id"] == request.id and body["request"]["name"] == "Sam Jones"
    assert body["request"]["preferred_time"] == "2026-11-24T10:00:00+00:00"
    assert hook["headers"]["X-Booking-Delivery"]
    [mail] = smtp.inbox
    assert mail["to"] == ["bookings@clinic.example.com"]
    assert "New booking request" in mail["message"]["Subject"]
    text = mail["message"].get_content()
    assert "Sam Jones" in text and "+447911123456" in text and "front of the knee" in text


def test_a_webhook_that_is_down_gets_the_request_exactly_once_when_it_is_back(sqlite_engine):
    receiver = WebhookReceiver(SECRET)  # not started: nothing listens on its port
    settings = settings_for(receiver.url)
    request, _ = new_booking(sqlite_engine)
    delivery.queue(request, settings, engine=sqlite_engine)

    assert drain(settings, sqlite_engine) == 0
    [pending] = outbox.deliveries_for(request.id, engine=sqlite_engine)
    assert pending.status == "pending" and pending.attempts == 1
    assert "127.0.0.1" in pending.last_error

    receiver.start()
    try:
        assert drain(settings, sqlite_engine) == 0  # not due yet: back-off
        asyncio.run(asyncio.sleep(0.3))
        assert drain(settings, sqlite_engine) == 1
        asyncio.run(asyncio.sleep(0.3))
        assert drain(settings, sqlite_engine) == 0  # nothing left to send
    finally:
        receiver.stop()
    assert len(receiver.received) == 1 and receiver.received[0]["signature_valid"]
    [done] = outbox.deliveries_for(request.id, engine=sqlite_engine)
    assert done.status == "delivered" and done.attempts == 2 and done.delivered_at


def test_a_webhook_refusing_the_signature_is_retried_not_dropped(sqlite_engine):
    receiver = WebhookReceiver("another-secret").start()
    try:
        settings = settings_for(receiver.url)
        request, _ = new_booking(sqlite_engine)
        delivery.queue(request, settings, engine=sqlite_engine)
        assert drain(settings, sqlite_engine) == 0
    finally:
        receiver.stop()
    [pending] = outbox.deliveries_for(request.id, engine=sqlite_engine)
    assert pending.status == "pending" and "HTTP 401" in pending.last_error
