"""Fitting the assistant's replies to messaging apps, shared by the Telegram and Twilio
channels: splitting long texts within a platform's limit, buttons as a numbered list
(WhatsApp through Twilio has none), and reading a button choice back from the tracker.

The buttons a user was offered are read from the conversation's stored events, never
from process memory, so a reply handled by another server replica is understood too."""

import hashlib
import re
from typing import Any, Dict, Iterable, List, Optional

from rasa.shared.core.events import BotUttered, UserUttered

TELEGRAM_LIMIT = 4096
TWILIO_LIMIT = 1600

# Sent when a user sends a photo, voice note, sticker or location: the NLU only reads text,
# and a voice note may describe an emergency that the red-flag check cannot see.
TEXT_ONLY = (
    "Sorry, I can only read text messages. Please type your question. If your knee "
    "locks, gives way, swells fast or you can't put weight on it, please get urgent "
    "medical help."
)

# Where a long text may be cut, best first: paragraphs, lines, sentences, words.
_BREAKS = [
    (re.compile(r"\n\s*\n"), "\n\n"),
    (re.compile(r"\n"), "\n"),
    (re.compile(r"(?<=[.!?…])\s+"), " "),
    (re.compile(r"\s+"), " "),
]

# "2", "2.", "2)", "#2", "option 2" – a reply that only picks a numbered option.
_NUMBER_REPLY = re.compile(r"^\s*(?:option\s*|no\.?\s*|#)?(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)

Button = Dict[str, Any]


def text_size(text: str) -> int:
    """Length as the platforms count it (UTF-16 code units: an emoji may count twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_message(text: str, limit: int) -> List[str]:
    """`text` in parts of at most `limit` characters, cut at the most natural boundary."""
    text = text.strip()
    if not text:
        return []
    return [part for part in _split(text, limit, 0) if part]


def _split(text: str, limit: int, level: int) -> List[str]:
    if text_size(text) <= limit:
        return [text]
    if level == len(_BREAKS):  # one unbroken "word" longer than the limit
        return [text[i : i + limit] for i in range(0, len(text), limit)]
    pattern, joiner = _BREAKS[level]
    parts: List[str] = []
    current = ""
    for piece in pattern.split(text):
        for small in _split(piece.strip(), limit, level + 1):
            joined = f"{current}{joiner}{small}" if current else small
            if text_size(joined) <= limit:
                current = joined
            else:
                parts.append(current)
                current = small
    parts.append(current)
    return parts


def numbered_list(text: str, buttons: List[Button]) -> str:
    """The text followed by its buttons as options to answer with a number."""
    options = "\n".join(f"{number}. {button_label(button)}" for number, button in enumerate(buttons, start=1))
    return f"{text.strip()}\n\n{options}\n\nReply with a number to choose."


def button_label(button: Button) -> str:
    title = str(button.get("title") or button.get("payload") or "")
    return f"{title}: {button['url']}" if button.get("url") else title


def number_reply(reply: str) -> Optional[int]:
    """The number in a reply like "2", "2." or "#2" that only picks an option, else None."""
    match = _NUMBER_REPLY.match(reply or "")
    return int(match.group(1)) if match else None


def offered_buttons(events: Iterable[Any]) -> List[Button]:
    """The buttons of the bot's latest message with buttons since the user last wrote."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return []
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return list(event.data["buttons"])
    return []


def button_reference(payload: str) -> str:
    """A short stand-in for a payload too long for a platform's button data field."""
    return "#" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def payload_for_reference(reference: str, events: Iterable[Any]) -> Optional[str]:
    """The payload of a button offered earlier in the conversation, by its reference."""
    for event in reversed(list(events)):
        if isinstance(event, BotUttered):
            for button in event.data.get("buttons") or []:
                if button_reference(str(button.get("payload", ""))) == reference:
                    return button["payload"]
    return None
