"""Times for staff: stored in UTC, shown and entered in the clinic's own timezone."""

from datetime import date, datetime, time, timedelta, timezone
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

from clinic.settings import load_clinic


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: Optional[datetime]) -> Optional[datetime]:
    """SQLite gives back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=timezone.utc)


def clinic_timezone() -> ZoneInfo:
    return ZoneInfo(load_clinic()["timezone"])


def local(moment) -> datetime:
    """A Rasa timestamp (epoch seconds) or a datetime, in the clinic's timezone."""
    if isinstance(moment, (int, float)):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return as_utc(moment).astimezone(clinic_timezone())


def day_start(day: date) -> float:
    """Epoch seconds at the start of `day` in the clinic's timezone."""
    return datetime.combine(day, time.min, clinic_timezone()).timestamp()


def day_range(first: Optional[date], last: Optional[date]) -> Tuple[Optional[float], Optional[float]]:
    """[start, end) in epoch seconds covering the local days first..last (inclusive)."""
    start = day_start(first) if first else None
    end = day_start(last + timedelta(days=1)) if last else None
    return start, end


def _shown(moment, form: str) -> str:
    """`moment` as local time in `form` ("" when missing or beyond any calendar: a stored
    event's timestamp is whatever its writer put there)."""
    if moment is None:
        return ""
    try:
        return local(moment).strftime(form) if form else local(moment).isoformat("T", "seconds")
    except (OverflowError, OSError, ValueError):
        return ""


def fmt(moment, with_seconds: bool = False) -> str:
    return _shown(moment, "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


def iso(moment) -> str:
    """ISO 8601 with the clinic's offset, for exports."""
    return _shown(moment, "")
