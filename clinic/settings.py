"""Loads the clinic's identity from clinic.yml (or the file named by CLINIC_CONFIG)
and renders it as the short texts that domain responses show through slots."""

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


class ClinicConfigError(ValueError):
    """The clinic file is missing a required field or has one in the wrong shape."""


REQUIRED = ["name", "timezone", "phone", "email", "address", "opening_hours"]


@dataclass(frozen=True)
class OpeningSpan:
    opens: str  # "HH:MM"
    closes: str


def config_path() -> Path:
    return Path(os.environ.get("CLINIC_CONFIG", PROJECT_ROOT / "clinic.yml"))


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    missing = [key for key in REQUIRED if not data.get(key)]
    if missing:
        raise ClinicConfigError(f"{path} is missing: {', '.join(missing)}")
    opening_hours(data)  # validate early so a typo fails at start-up, not mid-chat
    return data


def load_clinic(path: Optional[Path] = None) -> Dict[str, Any]:
    """The parsed clinic file; re-read when the file changes, so edits need no restart."""
    path = Path(path or config_path())
    return _load(str(path), path.stat().st_mtime)


def opening_hours(clinic: Dict[str, Any]) -> Dict[str, Optional[OpeningSpan]]:
    """Day name -> opening span, or None when closed."""
    hours = {}
    raw = clinic.get("opening_hours") or {}
    for day in DAYS:
        value = raw.get(day)
        if not value or str(value).strip().lower() == "closed":
            hours[day] = None
            continue
        try:
            opens, closes = [part.strip() for part in str(value).split("-")]
            for hhmm in (opens, closes):
                hour, minute = hhmm.split(":")
                assert 0 <= int(hour) <= 23 and 0 <= int(minute) <= 59
        except (ValueError, AssertionError) as error:
            raise ClinicConfigError(
                f"opening_hours.{day} should look like '09:00-17:00' or 'closed', got {value!r}"
            ) from error
        hours[day] = OpeningSpan(opens, closes)
    return hours


def _format_hours(clinic: Dict[str, Any]) -> str:
    lines = []
    for day, span in opening_hours(clinic).items():
        text = f"{span.opens}–{span.closes}" if span else "closed"
        lines.append(f"- {day.capitalize()}: {text}")
    return "\n".join(lines)


def _format_address(clinic: Dict[str, Any]) -> str:
    address = clinic["address"]
    if isinstance(address, str):
        return address
    return ", ".join(str(address[key]) for key in ("line1", "line2", "city", "postcode") if address.get(key))


def _format_prices(clinic: Dict[str, Any]) -> str:
    prices = clinic.get("prices") or {}
    currency = prices.get("currency", "")
    lines = [f"- {item['name']}: {currency}{item['price']}" for item in prices.get("items", [])]
    return "\n".join(lines) or "Please contact us for current prices."


def _bullets(items: List[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def clinic_slots(clinic: Optional[Dict[str, Any]] = None) -> Dict[str, str]:
    """Slot name -> text, for the `clinic_*` slots the domain's responses use."""
    clinic = clinic or load_clinic()
    address = clinic["address"] if isinstance(clinic["address"], dict) else {}
    info = clinic.get("appointment_info") or {}
    prices = clinic.get("prices") or {}
    return {
        "clinic_name": clinic["name"],
        "clinic_phone": str(clinic["phone"]),
        "clinic_email": clinic["email"],
        "clinic_website": clinic.get("website", ""),
        "clinic_booking_link": clinic.get("booking_link", ""),
        "clinic_address": _format_address(clinic),
        "clinic_directions": address.get("directions", ""),
        "clinic_parking": address.get("parking", ""),
        "clinic_hours": _format_hours(clinic),
        "clinic_prices": _format_prices(clinic),
        "clinic_insurance": prices.get("insurance", ""),
        "clinic_services": _bullets(clinic.get("services", [])),
        "clinic_referral": info.get("referral", ""),
        "clinic_what_to_bring": info.get("what_to_bring", ""),
        "clinic_session_length": info.get("session_length", ""),
        "clinic_cancellation": info.get("cancellation", ""),
        "clinic_video_consults": info.get("video_consults", ""),
        "clinic_response_time": clinic.get("response_time", "within one working day"),
    }


# Where to go for urgent care, by the clinic's country (clinic.yml `country`, ISO code).
# A clinic can override any of these under `urgent_care:` in clinic.yml.
CARE_ROUTES: Dict[str, Dict[str, str]] = {
    "GB": {
        "emergency_number": "999",
        "emergency_department": "A&E",
        "urgent_line": "NHS 111 (call 111 or go to 111.nhs.uk)",
        "urgent_care": "an urgent treatment centre or minor injuries unit",
    },
    "NL": {
        "emergency_number": "112",
        "emergency_department": "the emergency department (SEH)",
        "urgent_line": "your GP (huisarts), or out of hours the huisartsenpost",
        "urgent_care": "the huisartsenpost",
    },
    "US": {
        "emergency_number": "911",
        "emergency_department": "the ER",
        "urgent_line": "your doctor's office or a nurse advice line",
        "urgent_care": "an urgent care center",
    },
}
CARE_ROUTES["UK"] = CARE_ROUTES["GB"]
ANY_COUNTRY = {
    "emergency_number": "your local emergency number (999 in the UK, 911 in the US, 112 in the EU)",
    "emergency_department": "the emergency department",
    "urgent_line": "your doctor or your local urgent medical advice line",
    "urgent_care": "an urgent care centre or minor injuries unit",
}


def care_routes(clinic: Optional[Dict[str, Any]] = None) -> Dict[str, str]:
    """The emergency number and urgent-care routes that urgent advice names: the country's
    defaults, then the clinic's own `urgent_care:` entries (and the older top-level
    `emergency_number`)."""
    clinic = clinic or load_clinic()
    routes = dict(CARE_ROUTES.get(str(clinic.get("country") or "").upper(), ANY_COUNTRY))
    if clinic.get("emergency_number"):
        routes["emergency_number"] = str(clinic["emergency_number"])
    for key, value in (clinic.get("urgent_care") or {}).items():
        if key in routes and value:
            routes[key] = str(value)
    return routes
