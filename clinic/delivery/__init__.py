"""How a stored request reaches the clinic: the outbox, the webhook and the email.

Who drains the outbox, and when:
- right after a request is stored, the action that stored it starts a drain in the
  background (`kick`), so a working system gets the request within a second;
- the action server also drains every `booking.retry.poll_seconds` (a background task
  attached through rasa-sdk's plugin hook, see rasa_sdk_plugins/), so requests whose
  target was down are retried with back-off, including after a restart.
"""

import asyncio
import logging
import weakref
from typing import Optional

from sqlalchemy.engine import Engine

from clinic.bookings import BookingRequest
from clinic.delivery import outbox, smtp, webhook
from clinic.delivery.settings import BookingSettings, booking_settings
from clinic.delivery.webhook import DeliveryError
from clinic.settings import load_clinic

logger = logging.getLogger(__name__)

# One drain at a time per event loop; claims in the database cover other processes.
_drain_locks: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]" = weakref.WeakKeyDictionary()
_background = set()  # keeps kicked tasks alive until they finish


def queue(request: BookingRequest, settings: Optional[BookingSettings] = None, engine: Optional[Engine] = None) -> None:
    settings = settings or booking_settings()
    outbox.enqueue(request, settings.outbound, engine=engine)


async def _attempt(delivery: outbox.Delivery, settings: BookingSettings) -> None:
    if delivery.method == "webhook":
        if not settings.webhook:
            raise DeliveryError("the webhook is no longer configured (booking.delivery)")
        await webhook.send(settings.webhook, delivery.id, delivery.payload)
    elif delivery.method == "email":
        if not settings.email:
            raise DeliveryError("email is no longer configured (booking.delivery)")
        await smtp.send(settings.email, delivery.payload, load_clinic()["name"])
    else:
        raise DeliveryError(f"unknown delivery method {delivery.method!r}")


async def drain(settings: Optional[BookingSettings] = None, engine: Optional[Engine] = None) -> int:
    """Attempt every due delivery once; returns how many were delivered."""
    lock = _drain_locks.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    settings = settings or booking_settings()
    delivered = 0
    async with lock:
        for delivery in outbox.due(engine=engine):
            if not outbox.claim(delivery.id, engine=engine):
                continue
            try:
                await _attempt(delivery, settings)
            except Exception as error:  # whatever went wrong, the delivery stays queued
                reason = str(error) if isinstance(error, DeliveryError) else repr(error)
                retry_at = outbox.mark_failed(
                    delivery.id, reason, settings.first_retry_seconds, settings.max_retry_seconds, engine=engine
                )
                logger.warning(
                    "Delivery %s (%s) of request %s failed, retry at %s: %s",
                    delivery.id,
                    delivery.method,
                    delivery.request_id,
                    retry_at.isoformat(),
                    reason,
                )
            else:
                outbox.mark_delivered(delivery.id, engine=engine)
                delivered += 1
                logger.info("Delivered request %s by %s", delivery.request_id, delivery.method)
    return delivered


def kick() -> None:
    """Start a drain in the background of the running event loop; never raises."""

    async def _safe_drain():
        try:
            await drain()
        except Exception:  # the periodic drain will try again
            logger.exception("Draining the booking outbox failed")

    task = asyncio.get_running_loop().create_task(_safe_drain())
    _background.add(task)
    task.add_done_callback(_background.discard)


async def drain_forever() -> None:
    """The periodic drain run inside the action server."""
    while True:
        try:
            settings = booking_settings()
            if settings.outbound:
                await drain(settings)
            pause = settings.poll_seconds
        except Exception:
            logger.exception("Draining the booking outbox failed; trying again shortly")
            pause = 30
        await asyncio.sleep(pause)
