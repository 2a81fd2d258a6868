"""Patients' words as the review tools receive them, made safe to show and to export.

Anything a patient can type ends up in the tracker store: control characters, NULs, a lone
UTF-16 surrogate (`"\\ud800"` is valid JSON, but no UTF-8 page or file can carry it),
terminal escape sequences. The review tools must show all of it without failing, and
without letting it act on a staff member's terminal."""

import json
import re
import unicodedata
from typing import Any, Dict

LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"
# Characters that reorder how a terminal shows a line (bidirectional overrides).
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def clean(value: Any) -> Any:
    """`value` (from a JSON document) with every string encodable as UTF-8: a lone
    surrogate or NUL becomes U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub(REPLACEMENT, value).replace("\x00", REPLACEMENT)
    if isinstance(value, list):
        return [clean(item) for item in value]
    if isinstance(value, dict):
        return {clean(key) if isinstance(key, str) else key: clean(item) for key, item in value.items()}
    return value


def event_data(raw: Any) -> Dict[str, Any]:
    """A stored event's JSON as a cleaned dict ({} when it is not a JSON object)."""
    try:
        data = json.loads(raw) if isinstance(raw, (str, bytes)) else raw
    except ValueError:
        return {}
    return clean(data) if isinstance(data, dict) else {}


def text(value: Any) -> str:
    """Whatever a stored message's text field holds, as a string ("" for nothing)."""
    return "" if value is None else clean(value if isinstance(value, str) else str(value))


def number(value: Any):
    """A float, or None when `value` is not a finite number (bools are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value and abs(value) != float("inf") else None


def for_terminal(value: Any, keep_lines: bool = False) -> str:
    """`value` with control characters (escape sequences, carriage returns, bidi
    overrides) written as visible escapes like \\x1b, so printing a patient's words
    cannot recolour, move or rewrite what a terminal shows. Line breaks too, unless
    `keep_lines` (a whole document)."""
    value = text(value)
    if keep_lines:
        value = value.replace("\r\n", "\n")

    def visible(char: str) -> str:
        if char == "\n":
            return "\n" if keep_lines else "\\n"
        if unicodedata.category(char) == "Cc" or char in BIDI_CONTROLS:
            return char.encode("unicode_escape").decode("ascii")
        return char

    return "".join(visible(char) for char in value)
