"""Whether a message cancels an appointment: "cancel", "I can't make it", "call it off".

One list for the booking (a cancellation is a staff request, not a correction of the request
being made: actions/booking.py) and the staff requests (cancel or move: actions/handoff.py)."""

import re

_CANCEL_WORDS = re.compile(
    r"\b(cancel\w*|can[’']?t make|cannot make|won[’']?t make|can[’']?t come|cannot come|"
    r"call (it )?off)\b"
)


def cancels(text: str) -> bool:
    return bool(_CANCEL_WORDS.search((text or "").lower()))


def without_cancel_words(text: str) -> str:
    """The message with its cancelling phrases taken out ("can't make it tuesday" -> " it tuesday")."""
    return _CANCEL_WORDS.sub(" ", (text or "").lower())
