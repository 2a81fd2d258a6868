"""Local stand-ins for the clinic's systems that booking requests are delivered to:
a practice-software webhook (a real HTTP server that checks signatures) and a mailbox
(a real SMTP server, aiosmtpd). Both listen on loopback and record what they receive."""

import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, List, Optional

from aiosmtpd.controller import Controller

from clinic.delivery.webhook import verify
from tests.support.processes import free_port


class WebhookReceiver:
    """The clinic's practice software. `start()`/`stop()` bring it up and down on the same
    port, as a real outage would; every received delivery is kept with its verdict."""

    def __init__(self, secret: str, port: Optional[int] = None) -> None:
        self.secret = secret
        self.port = port or free_port()
        self.received: List[dict] = []
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/assistant"

    def start(self) -> "WebhookReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                valid = verify(
                    receiver.secret,
                    self.headers.get("X-Booking-Timestamp", "0"),
                    body,
                    self.headers.get("X-Booking-Signature", ""),
                )
                receiver.received.append({"body": body, "headers": dict(self.headers), "signature_valid": valid})
                self.send_response(204 if valid else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class _Collect:
    def __init__(self, inbox: list) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        self.inbox.append(
            {
                "to": list(envelope.rcpt_tos),
                "from": envelope.mail_from,
                "message": message_from_bytes(envelope.content, policy=policy.default),
            }
        )
        return "250 Message accepted for delivery"


class SmtpSink:
    """The clinic's mailbox: an SMTP server keeping every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox: List[dict] = []
        self._controller = Controller(_Collect(self.inbox), hostname="127.0.0.1", port=self.port)

    def start(self) -> "SmtpSink":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


def wait_until(condition: Callable[[], bool], timeout: float = 20, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
