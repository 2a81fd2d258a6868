"""Local stand-ins for the messaging platforms, so that no test reaches the internet:
real HTTP servers on loopback that answer the assistant like the Telegram Bot API and
Twilio's REST API do and record every call, plus the platforms' side of a webhook
(a Telegram Update, Twilio's signed form post)."""

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs

import requests
from twilio.request_validator import RequestValidator

TELEGRAM_TOKEN = "123456789:AAFakeTokenForTheLocalStandIn_0123456"
TELEGRAM_SECRET = "test-webhook-secret_42"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
TWILIO_NUMBER = "whatsapp:+14155238886"


@dataclass
class Call:
    method: str  # the API method: "sendMessage", "Messages"
    path: str
    params: Dict[str, Any]
    headers: Dict[str, str] = field(default_factory=dict)


class PlatformStandIn:
    """A threaded HTTP server on a free loopback port; `calls` is what it received."""

    def __init__(self) -> None:
        self.calls: List[Call] = []
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                status, answer = stand_in.answer(self.path, params, dict(self.headers))
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, path: str, params: Dict[str, Any], headers: Dict[str, str]) -> Tuple[int, Any]:
        raise NotImplementedError

    def record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def calls_to(self, method: str) -> List[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, condition: Callable[[], Any], timeout: float = 10) -> Any:
        """Poll until `condition()` is truthy (replies are sent while the webhook runs,
        so this rarely waits); return its value, or fail with what was received."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value or time.monotonic() > deadline:
                assert value, f"the stand-in did not receive the expected calls: {self.calls}"
                return value
            time.sleep(0.1)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class TelegramBotAPI(PlatformStandIn):
    """Answers `POST /bot<token>/<method>` like api.telegram.org."""

    def __init__(self, token: str = TELEGRAM_TOKEN) -> None:
        self.token = token
        self._message_ids = itertools.count(1000)
        super().__init__()

    def answer(self, path: str, params: Dict[str, Any], headers: Dict[str, str]) -> Tuple[int, Any]:
        prefix, _, method = path.lstrip("/").partition("/")
        if prefix != f"bot{self.token}":
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if isinstance(params.get("reply_markup"), str):
            params["reply_markup"] = json.loads(params["reply_markup"])
        self.record(Call(method, path, params, headers))
        if method == "sendMessage":
            return 200, {
                "ok": True,
                "result": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": {"id": int(params["chat_id"]), "type": "private"},
                    "from": {"id": 123456789, "is_bot": True, "first_name": "Clinic"},
                    "text": params.get("text", ""),
                },
            }
        if method == "getMe":
            return 200, {
                "ok": True,
                "result": {"id": 123456789, "is_bot": True, "first_name": "Clinic", "username": "clinic_bot"},
            }
        if method == "getWebhookInfo":
            webhooks = self.calls_to("setWebhook")
            url = webhooks[-1].params.get("url", "") if webhooks else ""
            return 200, {"ok": True, "result": {"url": url, "has_custom_certificate": False, "pending_update_count": 0}}
        if method in ("setWebhook", "deleteWebhook", "answerCallbackQuery", "sendChatAction"):
            return 200, {"ok": True, "result": True}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def sent_to(self, chat_id: int) -> List[Dict[str, Any]]:
        """The messages sent to one chat: dicts with "text" and maybe "reply_markup"."""
        return [c.params for c in self.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(chat_id)]


class TwilioAPI(PlatformStandIn):
    """Answers `POST /2010-04-01/Accounts/<sid>/Messages.json` like api.twilio.com."""

    def __init__(self, account_sid: str = TWILIO_SID, auth_token: str = TWILIO_TOKEN) -> None:
        self.account_sid = account_sid
        self.auth = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._message_ids = itertools.count(1)
        super().__init__()

    def answer(self, path: str, params: Dict[str, Any], headers: Dict[str, str]) -> Tuple[int, Any]:
        if headers.get("Authorization") != self.auth:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if path != f"/2010-04-01/Accounts/{self.account_sid}/Messages.json":
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        self.record(Call("Messages", path, params, headers))
        sid = f"SM{next(self._message_ids):032d}"
        return 201, {
            "sid": sid,
            "account_sid": self.account_sid,
            "status": "queued",
            "to": params.get("To"),
            "from": params.get("From"),
            "body": params.get("Body"),
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"{path[:-5]}/{sid}.json",
        }

    def sent_to(self, to: str) -> List[str]:
        """The bodies of the messages sent to one WhatsApp address, in order."""
        return [c.params.get("Body", "") for c in self.calls_to("Messages") if c.params.get("To") == to]


# --- the platforms' side of the webhooks ---------------------------------------------

_update_ids = itertools.count(int(time.time()))


def telegram_user(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Runner", "language_code": "en"}


def telegram_text_update(chat_id: int, text: str, chat_type: str = "private") -> Dict[str, Any]:
    """An Update as Telegram posts it for a text message."""
    message = {
        "message_id": next(_update_ids) % 100000,
        "date": int(time.time()),
        "from": telegram_user(chat_id),
        "chat": {"id": chat_id, "type": chat_type, "first_name": "Runner"},
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": next(_update_ids), "message": message}


def telegram_photo_update(chat_id: int) -> Dict[str, Any]:
    update = telegram_text_update(chat_id, "x")
    del update["message"]["text"]
    update["message"]["photo"] = [
        {"file_id": "AgACAgQAAx", "file_unique_id": "AQAD", "width": 90, "height": 90, "file_size": 1200}
    ]
    return update


def telegram_button_update(chat_id: int, data: str) -> Dict[str, Any]:
    """An Update as Telegram posts it when the user presses an inline button."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": telegram_user(chat_id),
            "chat_instance": "-1234567890",
            "data": data,
            "message": {
                "message_id": 1000,
                "date": int(time.time()),
                "from": {"id": 123456789, "is_bot": True, "first_name": "Clinic"},
                "chat": {"id": chat_id, "type": "private", "first_name": "Runner"},
                "text": "(the bot's message with the keyboard)",
            },
        },
    }


def post_telegram_update(
    webhook_url: str, update: Dict[str, Any], secret: Optional[str] = TELEGRAM_SECRET
) -> requests.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return requests.post(webhook_url, json=update, headers=headers, timeout=60)


def twilio_whatsapp_form(sender: str, body: str, **extra: str) -> Dict[str, str]:
    """The form fields Twilio posts for an incoming WhatsApp message."""
    sid = f"SM{next(_update_ids):032d}"
    return {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Runner",
        "SmsSid": sid,
        "WaId": sender.split("+")[-1],
        "SmsStatus": "received",
        "Body": body,
        "To": TWILIO_NUMBER,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": TWILIO_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def twilio_signature(url: str, form: Dict[str, str], auth_token: str = TWILIO_TOKEN) -> str:
    """X-Twilio-Signature, computed by Twilio's own library the way Twilio does."""
    return RequestValidator(auth_token).compute_signature(url, form)


def post_twilio_message(webhook_url: str, form: Dict[str, str], signature: Optional[str]) -> requests.Response:
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return requests.post(webhook_url, data=form, headers=headers, timeout=60)
