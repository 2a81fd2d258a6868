"""Size limits shared by every channel, so that one huge message cannot stall the
assistant for everyone or fill the database (issue #10: two 1 MB messages froze the
server for 37 s and each stored about 5 MB).

- A message longer than MAX_MESSAGE_CHARS is answered at once with TOO_LONG and not
  handed to Rasa: nothing of it is parsed or stored.
- Sanic refuses any request body over REQUEST_MAX_BYTES (default: 100 MB) before reading
  it, with a plain 413 that says why.
- Client metadata is not trusted: only the fields a channel lists are kept, each capped.
"""

from typing import Any, Dict, Iterable, Optional

from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request

MAX_MESSAGE_CHARS = 3000
# The largest legitimate request is a Telegram update with a 4,096-character message
# (about 20 KB); the HTTP API's requests are smaller still.
REQUEST_MAX_BYTES = 256 * 1024
METADATA_VALUE_CHARS = 200

# Like TEXT_ONLY (channels/formatting.py), it reminds of urgent care: the refused message
# may have described an emergency that the red-flag check never saw.
TOO_LONG = (
    f"Sorry, that message is too long for me (more than {MAX_MESSAGE_CHARS:,} "
    "characters), so I haven't read or kept it. Please send it in shorter parts. If "
    "your knee locks, gives way, swells fast or you can't put weight on it, please get "
    "urgent medical help."
)
REQUEST_TOO_LARGE = f"Request too large: a message may have at most {MAX_MESSAGE_CHARS:,} characters."


def too_long(text: Any) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS


def kept_metadata(raw: Any, allowed: Iterable[str]) -> Optional[Dict[str, str]]:
    """Only the `allowed` fields of client-sent metadata, as short strings; None if none."""
    if not isinstance(raw, dict):
        return None
    kept = {key: raw[key][:METADATA_VALUE_CHARS] for key in allowed if isinstance(raw.get(key), str)}
    return kept or None


def limit_request_size(blueprint: Blueprint) -> None:
    """Lower the server's request size limit when `blueprint` is registered (every channel
    calls this, so the limit holds whichever channels are configured)."""

    @blueprint.listener("before_server_start")
    async def lower_limit(app: Sanic, _: Any) -> None:
        app.config.REQUEST_MAX_SIZE = min(app.config.REQUEST_MAX_SIZE, REQUEST_MAX_BYTES)
        app.error_handler.add(PayloadTooLarge, _request_too_large)


def _request_too_large(_: Request, __: Exception) -> response.HTTPResponse:
    return response.text(REQUEST_TOO_LARGE, status=413)
