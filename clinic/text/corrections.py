"""Which booking detail a message corrects, and the new value if it gives one:
"change the time to friday 3pm" -> ("booking_time", "friday 3pm")."""

import re
from datetime import datetime
from typing import Optional, Tuple

from clinic.text.cancelling import cancels, without_cancel_words
from clinic.text.contact_details import check_contact
from clinic.text.preferred_time import interpret

_CHANGE_WORDS = re.compile(
    r"\b(change|changed|actually|correct|correction|wrong|instead|rather|"
    r"make it|should be|update|fix|not)\b"
)
_FIELD_WORDS = [
    ("booking_time", re.compile(r"\b(time|day|date|when|slot)\b")),
    ("booking_contact", re.compile(r"\b(e-?mail|phone|number|mobile|contact)\b")),
    ("booking_name", re.compile(r"\bname\b")),
    ("booking_reason", re.compile(r"\b(reason|what it'?s for|problem)\b")),
]
_JUDGEMENT = re.compile(
    r"^(wrong|incorrect|not right|not correct|a typo|mistyped|misspelt|"
    r"misspelled|off|out of date)\b"
)
_VALUE_AFTER = re.compile(r"\b(?:to|is|as|be)\b\s*:?\s*(.+)$|:\s*(.+)$")


def detect_correction(
    text: str, intent: Optional[str], now: datetime, clinic: dict
) -> Optional[Tuple[str, Optional[str]]]:
    """(slot, new value or None) for a correction; None for anything else.

    "the email is wrong" -> ("booking_contact", None); "yes" -> None. Cancelling an
    existing appointment is a staff request, not a correction. `now` and the clinic's
    settings are needed to recognise a time given without naming the field."""
    lowered = (text or "").lower().strip()
    if not lowered or lowered.startswith("/"):
        return None
    # "I can't make it" cancels; "can't come on tuesday, change it to friday" corrects the time.
    if cancels(lowered) and not _CHANGE_WORDS.search(without_cancel_words(lowered)):
        return None
    is_change = bool(_CHANGE_WORDS.search(lowered)) or intent in ("inform", "manage_appointment")
    if not is_change:
        return None
    after = _VALUE_AFTER.search(lowered)
    group = next((index for index in (1, 2) if after and after.group(index)), None)
    # The value as the user wrote it (lower() keeps positions): names keep their capitals.
    value = text.strip()[after.start(group) : after.end(group)] if group else None
    if value and _JUDGEMENT.match(value):  # "the number is wrong" gives no new value
        value = None
    for slot, words in _FIELD_WORDS:
        if words.search(lowered):
            if value and words.search(value):  # "change it to the time..." has no value
                value = None
            return slot, (value.strip(" .!") if value else None)
    # No field named: recognise the value itself.
    candidate = value or lowered
    if check_contact(candidate).value:
        return "booking_contact", candidate
    if interpret(candidate, now, clinic).problem != "unparsed":
        return "booking_time", candidate
    return None
