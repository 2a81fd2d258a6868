"""The website chat widget's channel: Rasa's socket.io channel with two changes.

1. Only the clinic's own web pages may connect. Rasa creates its socket.io server with
   `cors_allowed_origins=[]`, which in python-engineio means "no origin check at all", so
   any website could embed a chat with the clinic's assistant. Here the Engine.IO server
   refuses (HTTP 400) every browser whose Origin is not in ALLOWED_ORIGINS, for polling and
   WebSocket alike. Clients that send no Origin (servers, scripts) are not browsers and are
   let through, as python-engineio does.
2. With `session_persistence: true`, Rasa 3.6 calls the coroutine `sio.enter_room()`
   without awaiting it (RasaHQ/rasa#13027), so the socket never joins the conversation's
   room and the bot's replies, sent to that room, are lost. The `session_request` handler
   is replaced by one that awaits it.

python-engineio then also writes the CORS headers of its responses, so Sanic-CORS (set up
by `rasa run --cors`) is told to leave the socket.io route alone: two
Access-Control-Allow-Origin headers make browsers drop the response (measured in
Chromium: "header contains multiple values"), which breaks the HTTP long-polling
transport socket.io clients start with.

credentials.yml names this class instead of `socketio:`; its options are Rasa's.
"""
import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint
from sanic.request import Request
from sanic_cors.core import SANIC_CORS_EVALUATED

logger = logging.getLogger(__name__)

# Where `make run` serves the demo clinic page (webchat/demo_site.py), allowed when the
# clinic has not configured its own origins yet.
DEFAULT_WEBCHAT_PORT = 8080
# The widget makes its session ids with crypto.randomUUID(); anything else gets a new one.
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def allowed_origins() -> List[str]:
    """ALLOWED_ORIGINS (space- or comma-separated, e.g. "https://clinic.example.com"),
    or the demo page's own addresses when it is not set. "*" allows every origin."""
    raw = os.environ.get("ALLOWED_ORIGINS", "").replace(",", " ").split()
    if raw:
        return ["*"] if "*" in raw else [origin.rstrip("/") for origin in raw]
    port = os.environ.get("WEBCHAT_PORT") or DEFAULT_WEBCHAT_PORT
    return [f"http://localhost:{port}", f"http://127.0.0.1:{port}"]


class WebchatInput(SocketIOInput):
    """Rasa's `socketio` channel (same name, events and options) for the website widget."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)
        sio = self.sio
        origins = allowed_origins()
        # A list makes python-engineio check the Origin of every request and answer the
        # allowed ones with matching CORS headers; "*" switches the check off.
        sio.eio.cors_allowed_origins = "*" if origins == ["*"] else origins
        logger.info("Web chat accepts connections from: %s", ", ".join(origins))
        engineio_handler = sio.eio.handle_request

        async def handle_request(request: Request) -> Any:
            setattr(request.ctx, SANIC_CORS_EVALUATED, True)  # engineio writes the headers
            return await engineio_handler(request)

        # Read when the blueprint is registered, i.e. after this method returns.
        sio.eio.handle_request = handle_request

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            data = data if isinstance(data, dict) else {}
            if not _SESSION_ID.match(str(data.get("session_id") or "")):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, data["session_id"], namespace=self.namespace)
            await sio.emit("session_confirm", data["session_id"], room=sid,
                           namespace=self.namespace)

        return webhook
