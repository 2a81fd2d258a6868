"""The clinic's choice of how booking requests reach it: the `booking:` section of
clinic.yml, plus the secrets, which come from the environment and are never committed:
BOOKING_WEBHOOK_SECRET (webhook signing key) and BOOKING_SMTP_PASSWORD."""

import ipaddress
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional
from urllib.parse import urlsplit

from clinic.settings import ClinicConfigError, load_clinic

METHODS = ("link", "webhook", "email")


@dataclass(frozen=True)
class WebhookSettings:
    url: str
    secret: str
    timeout_seconds: float = 10


@dataclass(frozen=True)
class EmailSettings:
    to: List[str]
    sender: str
    host: str
    port: int = 587
    starttls: bool = True
    username: Optional[str] = None
    password: Optional[str] = None
    timeout_seconds: float = 20


@dataclass(frozen=True)
class BookingSettings:
    delivery: List[str] = field(default_factory=lambda: ["link"])
    booking_link: Optional[str] = None
    phone_region: str = "GB"
    date_order: str = "DMY"
    appointment_minutes: int = 60
    max_days_ahead: int = 90
    webhook: Optional[WebhookSettings] = None
    email: Optional[EmailSettings] = None
    # Outbox: first retry after `first_retry_seconds`, doubling up to `max_retry_seconds`;
    # the action server looks for due deliveries every `poll_seconds`.
    first_retry_seconds: float = 30
    max_retry_seconds: float = 3600
    poll_seconds: float = 15

    @property
    def outbound(self) -> List[str]:
        """The methods that send something and so go through the outbox."""
        return [method for method in self.delivery if method in ("webhook", "email")]


def booking_settings(clinic: Optional[Dict] = None) -> BookingSettings:
    clinic = clinic or load_clinic()
    raw = clinic.get("booking") or {}
    delivery = raw.get("delivery", ["link"])
    delivery = [delivery] if isinstance(delivery, str) else list(delivery)
    unknown = [method for method in delivery if method not in METHODS]
    if unknown:
        raise ClinicConfigError(f"booking.delivery: unknown {unknown}; choose from {METHODS}")
    link = clinic.get("booking_link")
    if "link" in delivery and not link:
        raise ClinicConfigError("booking.delivery includes 'link' but booking_link is not set")
    retry = raw.get("retry") or {}
    return BookingSettings(
        delivery=delivery,
        booking_link=link,
        phone_region=str(raw.get("phone_region", "GB")).upper(),
        date_order=raw.get("date_order", "DMY"),
        appointment_minutes=int(raw.get("appointment_minutes", 60)),
        max_days_ahead=int(raw.get("max_days_ahead", 90)),
        webhook=_webhook(raw.get("webhook")) if "webhook" in delivery else None,
        email=_email(raw.get("email")) if "email" in delivery else None,
        first_retry_seconds=float(retry.get("first_delay_seconds", 30)),
        max_retry_seconds=float(retry.get("max_delay_seconds", 3600)),
        poll_seconds=float(retry.get("poll_seconds", 15)),
    )


def webhook_url_problem(url: str) -> Optional[str]:
    """Why a booking webhook may not be sent to `url`, or None. Patients' details only
    travel over https; plain http is allowed to this machine only (tests, a local relay)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return None
    return f"booking webhook URL {url!r} must start with https:// (http only to this machine)"


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _webhook(raw: Optional[Dict]) -> WebhookSettings:
    if not raw or not raw.get("url"):
        raise ClinicConfigError("booking.delivery includes 'webhook' but booking.webhook.url is not set")
    problem = webhook_url_problem(str(raw["url"]))
    if problem:
        raise ClinicConfigError(problem)
    secret = os.environ.get("BOOKING_WEBHOOK_SECRET", "")
    if not secret:
        raise ClinicConfigError("booking webhook: set the shared secret in BOOKING_WEBHOOK_SECRET")
    return WebhookSettings(url=raw["url"], secret=secret, timeout_seconds=float(raw.get("timeout_seconds", 10)))


def _email(raw: Optional[Dict]) -> EmailSettings:
    missing = [key for key in ("to", "from", "smtp_host") if not (raw or {}).get(key)]
    if missing:
        raise ClinicConfigError(f"booking.email is missing: {', '.join(missing)}")
    to = raw["to"]
    return EmailSettings(
        to=[to] if isinstance(to, str) else list(to),
        sender=raw["from"],
        host=raw["smtp_host"],
        port=int(raw.get("smtp_port", 587)),
        starttls=bool(raw.get("starttls", True)),
        username=raw.get("username"),
        password=os.environ.get("BOOKING_SMTP_PASSWORD") or None,
        timeout_seconds=float(raw.get("timeout_seconds", 20)),
    )
