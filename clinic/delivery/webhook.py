"""POST a booking request to the clinic's practice software as signed JSON.

Signature (documented for the receiving side in docs/booking.md):
    X-Booking-Timestamp: <unix seconds>
    X-Booking-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
    X-Booking-Delivery: <delivery id, the same on every retry: use it to drop repeats>
Signing the timestamp with the body lets the receiver refuse replays of old messages.
Only https URLs are used (http to this machine only) and redirects are not followed: a
redirect could carry a patient's details to another host or over plain http."""

import asyncio
import hashlib
import hmac
import json
import time
from typing import Dict, Optional

import aiohttp

from clinic.delivery.settings import WebhookSettings, webhook_url_problem


class DeliveryError(Exception):
    """The target did not accept the delivery; it will be retried."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, max_age_seconds: int = 300, now: Optional[float] = None
) -> bool:
    """What a receiver does; used by the tests' stand-in for the clinic's system."""
    if abs((now or time.time()) - int(timestamp)) > max_age_seconds:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def signed_request(settings: WebhookSettings, delivery_id: int, request: Dict) -> (bytes, Dict[str, str]):
    body = json.dumps(
        {"event": "booking_request.created", "request": request}, sort_keys=True, separators=(",", ":")
    ).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Booking-Timestamp": timestamp,
        "X-Booking-Signature": sign(settings.secret, timestamp, body),
        "X-Booking-Delivery": str(delivery_id),
    }
    return body, headers


async def send(settings: WebhookSettings, delivery_id: int, request: Dict) -> None:
    problem = webhook_url_problem(settings.url)
    if problem:
        raise DeliveryError(problem)
    body, headers = signed_request(settings, delivery_id, request)
    timeout = aiohttp.ClientTimeout(total=settings.timeout_seconds)
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(settings.url, data=body, headers=headers, allow_redirects=False) as response:
                if response.status >= 300:
                    text = (await response.text())[:300]
                    raise DeliveryError(f"HTTP {response.status} from {settings.url}: {text}")
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        raise DeliveryError(f"{type(error).__name__} posting to {settings.url}: {error}") from error
