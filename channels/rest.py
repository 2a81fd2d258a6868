"""The REST channel (`POST /webhooks/rest/webhook`), for the clinic's own systems, tests
and benchmarks: Rasa's, with what keeps it from being a way into patients' conversations.

- It needs a token: `Authorization: Bearer <REST_CHANNEL_TOKEN>`. Without REST_CHANNEL_TOKEN
  (or with REST_CHANNEL_TOKEN=off) the channel is off (404); `make run` generates a token
  into var/rest_token unless one is set, and prints how to use it.
- Each channel owns its conversations. Telegram, WhatsApp and the web chat store theirs as
  `telegram:<chat>`, `whatsapp:+<number>` and `webchat:<hash>`; a REST sender id is
  letters, digits and `_ . @ + -` only, so it can never name one of those (issue #10: a
  REST caller took over a WhatsApp patient's booking by using her sender id).
- A body that is not a JSON object, or without a usable sender or message, is a 400
  saying what is wrong; a message over the size limit is refused with a plain answer and
  nothing of it is stored (channels/limits.py). Client metadata and `input_channel` are
  ignored: what is stored is what this channel knows to be true.
"""

import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.limits import TOO_LONG, limit_request_size, too_long
from channels.settings import channel_settings, disabled_blueprint

logger = logging.getLogger(__name__)

VARIABLES = {"token": "REST_CHANNEL_TOKEN"}
OFF = "off"  # REST_CHANNEL_TOKEN=off: `make run` does not generate a token, the channel is off
SENDER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$")
SENDER_RULE = (
    "'sender' must be 1 to 128 letters, digits or _ . @ + - (ids of other "
    "channels such as 'whatsapp:...' cannot be used here)"
)


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        settings = channel_settings("REST", VARIABLES, credentials)
        token = settings["token"] if settings else None
        if token == OFF:
            logger.info("REST channel is off (REST_CHANNEL_TOKEN=%s).", OFF)
            token = None
        return cls(token)

    def __init__(self, token: Optional[Text] = None) -> None:
        self.token = token

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self.token:
            return disabled_blueprint("rest_webhook")
        rest_webhook = Blueprint("rest_webhook", __name__)
        limit_request_size(rest_webhook)

        @rest_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self._has_token(request):
                return _error(401, "missing or wrong token: send 'Authorization: Bearer <REST_CHANNEL_TOKEN>'")
            body = request.json
            if not isinstance(body, dict):
                return _error(400, 'expected a JSON object: {"sender": "...", "message": "..."}')
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not SENDER_ID.match(sender):
                return _error(400, SENDER_RULE)
            if not isinstance(text, str) or not text.strip():
                return _error(400, "'message' must be a non-empty string")
            if too_long(text):
                return response.json([{"recipient_id": sender, "text": TOO_LONG}])

            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
            except Exception:  # as Rasa's channel does: answer with what was said so far
                logger.exception("Handling a REST message failed")
            return response.json(collector.messages)

        return rest_webhook

    def _has_token(self, request: Request) -> bool:
        scheme, _, received = (request.headers.get("Authorization") or "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(received.strip().encode(), self.token.encode())


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)
