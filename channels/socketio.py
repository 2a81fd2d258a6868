"""The website chat widget's channel: Rasa's socket.io channel with what a clinic needs.

1. Only the clinic's own web pages may connect. Rasa creates its socket.io server with
   `cors_allowed_origins=[]`, which in python-engineio means "no origin check at all", so
   any website could embed a chat with the clinic's assistant. Here the Engine.IO server
   refuses (HTTP 400) every request whose Origin is not in ALLOWED_ORIGINS, for polling and
   WebSocket alike, and also those without an Origin (which python-engineio lets through):
   browsers always send it to another origin, so only scripts leave it out.
2. A browser's session id is a secret it holds, not the conversation's name. The server
   issues it (`session_confirm`), and the conversation is stored under a one-way hash of
   it, `webchat:<hash>`, which is what staff, logs and the HTTP API see. Messages go to the
   conversation this socket's own `session_request` chose, never to a `session_id` named
   in a message, so knowing a stored conversation id gets nobody into it (issue #10).
   Rasa 3.6 also calls the coroutine `sio.enter_room()` without awaiting it
   (RasaHQ/rasa#13027), so with its handler a socket never joined its conversation's room.
3. Size limits (channels/limits.py): a message over the limit is answered with a plain
   refusal and not stored; Engine.IO packets are capped at REQUEST_MAX_BYTES (instead of
   1 MB); of the client's metadata only the page the visitor was on is kept.

python-engineio then also writes the CORS headers of its responses, so Sanic-CORS (set up
by `rasa run --cors`) is told to leave the socket.io route alone: two
Access-Control-Allow-Origin headers make browsers drop the response (measured in
Chromium: "header contains multiple values"), which breaks the HTTP long-polling
transport socket.io clients start with.

credentials.yml names this class instead of `socketio:`; its options are Rasa's.
"""

import hashlib
import logging
import re
import secrets
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic_cors.core import SANIC_CORS_EVALUATED

from channels.limits import REQUEST_MAX_BYTES, TOO_LONG, kept_metadata, limit_request_size, too_long
from channels.settings import allowed_origins

logger = logging.getLogger(__name__)

CONVERSATION_PREFIX = "webchat:"
# What the server issues (secrets.token_urlsafe(32), 43 characters); anything else that a
# browser presents gets a new session.
_SESSION_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
# The metadata the widget sends that is worth keeping: the page the visitor was on.
METADATA_FIELDS = ("page",)


def conversation_id(session_token: Text) -> Text:
    """The stored conversation of a browser's session token (a one-way hash of it)."""
    return CONVERSATION_PREFIX + hashlib.sha256(session_token.encode()).hexdigest()[:32]


class WebchatInput(SocketIOInput):
    """Rasa's `socketio` channel (same name, events and options) for the website widget."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        limit_request_size(webhook)
        sio = self.sio
        namespace = self.namespace
        origins = allowed_origins()
        # A list makes python-engineio check the Origin of every request that has one and
        # answer the allowed ones with matching CORS headers.
        sio.eio.cors_allowed_origins = origins
        sio.eio.max_http_buffer_size = REQUEST_MAX_BYTES
        logger.info("Web chat accepts connections from: %s", ", ".join(origins))
        engineio_handler = sio.eio.handle_request

        async def handle_request(request: Request) -> Any:
            if not request.headers.get("Origin"):
                return response.text("An Origin header is required.", status=400)
            setattr(request.ctx, SANIC_CORS_EVALUATED, True)  # engineio writes the headers
            return await engineio_handler(request)

        # Read when the blueprint is registered, i.e. after this method returns.
        sio.eio.handle_request = handle_request

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            if not (self.session_persistence and isinstance(token, str) and _SESSION_TOKEN.match(token)):
                token = secrets.token_urlsafe(32)
            session = await sio.get_session(sid, namespace=namespace)
            if session.get("conversation"):  # "clear": leave the previous conversation
                await sio.leave_room(sid, session["conversation"], namespace=namespace)
            conversation = conversation_id(token)
            await sio.save_session(sid, {"conversation": conversation}, namespace=namespace)
            await sio.enter_room(sid, conversation, namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            conversation = (await sio.get_session(sid, namespace=namespace)).get("conversation")
            text = data.get("message") if isinstance(data, dict) else None
            if not conversation or not isinstance(text, str) or not text.strip():
                return  # no session_request yet (the widget always sends one), or no text
            output_channel = SocketIOOutput(sio, self.bot_message_evt)
            if too_long(text):
                await output_channel.send_text_message(conversation, TOO_LONG)
                return
            metadata = kept_metadata(data.get(self.metadata_key), METADATA_FIELDS)
            await on_new_message(
                UserMessage(text, output_channel, conversation, input_channel=self.name(), metadata=metadata)
            )

        return webhook
