"""Issue #10, the channels and servers: what an attacker or an oversized message tried,
refused. The real servers, started like `make run`, are probed over HTTP and socket.io;
Telegram and WhatsApp replays and takeovers are in test_channels.py, where those channels
are configured."""

import asyncio
import os
import sqlite3
import stat
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List
from urllib.parse import quote

import pytest
import requests
import socketio

from channels.limits import MAX_MESSAGE_CHARS, TOO_LONG
from channels.socketio import conversation_id
from tests.support.processes import REST_TOKEN, AssistantServers

API_TOKEN = "test-token"


@pytest.fixture(scope="module")
def servers(model_path, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("security")
    started = AssistantServers(workdir, env={"DATABASE_URL": f"sqlite:///{workdir / 'a.db'}"})
    started.env["ALLOWED_ORIGINS"] = started.webchat_url
    started.start()
    yield started
    started.stop()


def stored_user_texts(servers: AssistantServers, conversation: str) -> List[str]:
    response = requests.get(
        f"{servers.url}/conversations/{quote(conversation, safe=':+')}/tracker", params={"token": API_TOKEN}, timeout=30
    )
    response.raise_for_status()
    return [e["text"] for e in response.json()["events"] if e["event"] == "user"]


def stored_soon(servers: AssistantServers, conversation: str, expected: List[str], timeout: float = 15) -> List[str]:
    """The stored user texts once they are `expected` (a socket.io reply is emitted before
    the conversation is saved), or as they are after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        texts = stored_user_texts(servers, conversation)
        if texts == expected or time.monotonic() > deadline:
            return texts
        time.sleep(0.2)


def stored_rows(servers: AssistantServers, conversation: str) -> int:
    """Rows in the database for a conversation, read directly: the HTTP API would start
    a session (and store it) for a conversation it does not know."""
    with sqlite3.connect(servers.workdir / "a.db") as database:
        return database.execute("SELECT count(*) FROM events WHERE sender_id = ?", (conversation,)).fetchone()[0]


def client_metadata(event: dict) -> dict:
    """A user event's metadata without what Rasa itself adds."""
    return {
        key: value for key, value in (event.get("metadata") or {}).items() if key not in ("model_id", "assistant_id")
    }


def new_sender() -> str:
    return f"sec-{uuid.uuid4().hex[:10]}"


# --- REST: a token, its own sender ids, clear answers to bad requests -----------------


def test_rest_needs_its_token(servers):
    sender = new_sender()
    for token in (None, "", "guess", API_TOKEN, REST_TOKEN + "x"):
        refused = servers.rest({"sender": sender, "message": "what is your email?"}, token=token)
        assert refused.status_code == 401, token
        assert "REST_CHANNEL_TOKEN" in refused.json()["error"]
    assert stored_user_texts(servers, sender) == []
    assert "hello@clinic.example.com" in servers.say(sender, "what is your email?")[-1]["text"]


@pytest.mark.parametrize(
    "foreign",
    [
        "whatsapp:+447700900123",
        "telegram:123456789",
        "webchat:0123456789abcdef0123456789abcdef",
        "rest:me",
        "me/../you",
        "me now",
        "x" * 129,
    ],
)
def test_rest_cannot_name_another_channels_conversation(servers, foreign):
    refused = servers.rest({"sender": foreign, "message": "/ask_contact"})
    assert refused.status_code == 400
    assert "sender" in refused.json()["error"]
    assert stored_user_texts(servers, foreign) == []


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"json": ["hi"]},
        {"json": "hi"},
        {"data": b""},
        {"data": b"not json"},
        {"json": {"message": "hi"}},
        {"json": {"sender": None, "message": "hi"}},
        {"json": {"sender": 42, "message": "hi"}},
        {"json": {"sender": "x1", "message": ["hi"]}},
        {"json": {"sender": "x1"}},
        {"json": {"sender": "x1", "message": "  "}},
    ],
    ids=[
        "array",
        "string",
        "no body",
        "not json",
        "no sender",
        "null sender",
        "number sender",
        "list message",
        "no message",
        "blank message",
    ],
)
def test_rest_bad_requests_are_a_clear_400_and_never_reach_a_shared_conversation(servers, request_kwargs):
    body = request_kwargs.get("json")
    answer = servers.rest(body, **({} if body is not None else request_kwargs))
    assert answer.status_code == 400
    assert answer.text
    assert stored_user_texts(servers, "default") == []


def test_rest_client_metadata_and_input_channel_are_not_stored(servers):
    sender = new_sender()
    servers.say(sender, "hi")
    servers.rest(
        {"sender": sender, "message": "/ask_contact", "input_channel": "telegram", "metadata": {"blob": "x" * 100_000}}
    ).raise_for_status()
    tracker = requests.get(
        f"{servers.url}/conversations/{sender}/tracker", params={"token": API_TOKEN}, timeout=30
    ).json()
    last = [e for e in tracker["events"] if e["event"] == "user"][-1]
    assert last["input_channel"] == "rest"
    assert client_metadata(last) == {}


# --- Size limits ----------------------------------------------------------------------


def reply_seconds(servers: AssistantServers, sender: str, text: str) -> float:
    started = time.monotonic()
    assert servers.say(sender, text)
    return time.monotonic() - started


def test_huge_messages_are_refused_at_once_while_others_keep_their_reply_time(servers):
    other, attacker = new_sender(), new_sender()
    reply_seconds(servers, other, "hi")
    usual = max(
        reply_seconds(servers, other, text) for text in ("when are you open?", "where are you?", "what is your email?")
    )

    results: Dict[str, object] = {}

    def attack(name: str, text: str) -> None:
        started = time.monotonic()
        answer = servers.rest({"sender": attacker, "message": text})
        results[name] = (answer, time.monotonic() - started)

    threads = [threading.Thread(target=attack, args=(f"mb{n}", "knee pain " * 100_000)) for n in range(2)]
    threads.append(threading.Thread(target=attack, args=("long", "x" * (MAX_MESSAGE_CHARS + 1))))
    [thread.start() for thread in threads]
    during = reply_seconds(servers, other, "how much is an appointment?")
    [thread.join(timeout=30) for thread in threads]

    for name in ("mb0", "mb1"):  # a 1 MB request: refused by the server before reading it
        answer, seconds = results[name]
        assert answer.status_code == 413 and "at most 3,000 characters" in answer.text
        assert seconds < 1.0, seconds
    answer, seconds = results["long"]  # over the limit but a small request: a plain answer
    assert answer.status_code == 200 and answer.json() == [{"recipient_id": attacker, "text": TOO_LONG}]
    assert seconds < 1.0, seconds
    assert during < usual * 2 + 1.0, (during, usual)
    assert stored_rows(servers, attacker) == 0  # nothing at all, not even a session start
    # A message at the limit is still read.
    assert servers.say(attacker, "is this ok? " + "a" * (MAX_MESSAGE_CHARS - 12))
    assert len(stored_user_texts(servers, attacker)) == 1


# --- Web chat (socket.io): the Origin, a session bound to its browser, the limits ------


class WebchatClient:
    """A socket.io client like the widget: session_request, user_uttered, bot_uttered."""

    def __init__(self, servers: AssistantServers, origin: str) -> None:
        http = requests.Session()  # a browser sends the Origin with every request
        http.headers["Origin"] = origin
        self.client = socketio.Client(reconnection=False, http_session=http)
        self.replies: List[str] = []
        self.token = None
        self._confirmed = threading.Event()
        self.client.on("bot_uttered", lambda data: self.replies.append(data.get("text", "")))
        self.client.on("session_confirm", self._confirm)
        self.client.connect(servers.url, transports=["polling"], wait_timeout=10)

    def _confirm(self, token) -> None:
        self.token = token
        self._confirmed.set()

    def session(self, session_id=None) -> str:
        self._confirmed.clear()
        self.client.emit("session_request", {"session_id": session_id})
        assert self._confirmed.wait(10)
        return self.token

    def say(self, text: str, count: int = 1, timeout: float = 60, **extra) -> List[str]:
        already = len(self.replies)
        self.client.emit("user_uttered", {"message": text, "session_id": self.token, **extra})
        deadline = time.monotonic() + timeout
        while len(self.replies) < already + count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.replies[already:]

    def close(self) -> None:
        # Without waiting for the pending long-poll, which the server holds up to 25 s.
        self.client.eio.disconnect(abort=True)


def test_socketio_refuses_clients_without_an_origin(servers):
    polling = f"{servers.url}/socket.io/?EIO=4&transport=polling"
    assert requests.get(polling, timeout=10).status_code == 400
    assert requests.get(polling, headers={"Origin": "https://evil.example"}, timeout=10).status_code == 400
    assert requests.get(polling, headers={"Origin": servers.webchat_url}, timeout=10).ok
    with pytest.raises(socketio.exceptions.ConnectionError):
        socketio.Client(reconnection=False).connect(servers.url, transports=["polling"], wait_timeout=5)


def test_a_stored_conversation_id_or_a_named_session_gets_nobody_into_a_conversation(servers):
    patient = WebchatClient(servers, servers.webchat_url)
    intruder = WebchatClient(servers, servers.webchat_url)
    try:
        token = patient.session()
        assert len(token) == 43  # issued by the server
        stored = conversation_id(token)
        assert any("not a diagnosis" in text for text in patient.say("/greet", count=2))

        # What staff, logs and the HTTP API see is a hash: presented as a session id, it
        # opens a new, empty conversation.
        for presented in (stored, stored.split(":")[1]):
            assert intruder.session(presented) not in (token, presented)
        # Naming the patient's session in a message changes nothing either.
        intruder.say("/ask_contact", session_id=token)
        time.sleep(1)
        assert not any("hello@clinic.example.com" in text for text in patient.replies)
        assert stored_soon(servers, stored, ["/greet"]) == ["/greet"]
        intruders = conversation_id(intruder.token)
        assert stored_soon(servers, intruders, ["/ask_contact"]) == ["/ask_contact"]
        # Over REST the session id is only a REST sender: another conversation.
        assert servers.say(token, "/ask_contact")
        time.sleep(1)
        assert stored_user_texts(servers, stored) == ["/greet"]
        assert not any("hello@clinic.example.com" in text for text in patient.replies)
        # The patient's own browser, presenting its token after a reload, continues.
        patient.close()
        patient = WebchatClient(servers, servers.webchat_url)
        assert patient.session(token) == token
        assert any("12 Example Street" in text for text in patient.say("/ask_location"))
        assert stored_soon(servers, stored, ["/greet", "/ask_location"]) == ["/greet", "/ask_location"]
    finally:
        patient.close()
        intruder.close()


def test_socketio_long_message_refused_and_only_the_page_kept_of_metadata(servers):
    visitor = WebchatClient(servers, servers.webchat_url)
    try:
        stored = conversation_id(visitor.session())
        assert visitor.say("y" * (MAX_MESSAGE_CHARS + 1), timeout=10) == [TOO_LONG]
        assert stored_user_texts(servers, stored) == []
        visitor.say("/ask_contact", metadata={"page": "/services", "blob": "z" * 20_000})
        assert stored_soon(servers, stored, ["/ask_contact"]) == ["/ask_contact"]
        tracker = requests.get(
            f"{servers.url}/conversations/{stored}/tracker", params={"token": API_TOKEN}, timeout=30
        ).json()
        user = [e for e in tracker["events"] if e["event"] == "user"]
        assert [e["text"] for e in user] == ["/ask_contact"]
        assert client_metadata(user[0]) == {"page": "/services"}
    finally:
        visitor.close()


# --- Files and processes ---------------------------------------------------------------


def descendants(pid: int) -> List[int]:
    children: Dict[int, List[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(status.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(children.get(current, []))
    return found


def test_no_token_in_the_process_list(servers):
    processes = descendants(servers.runner.process.pid)
    assert len(processes) >= 4  # run.py, action server, demo page, Rasa server, review app
    command_lines = []
    for pid in processes:
        try:
            command_lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" "))
        except OSError:
            continue
    assert any(b"scripts.rasa_server" in line for line in command_lines)
    for line in command_lines:
        assert API_TOKEN.encode() not in line and REST_TOKEN.encode() not in line, line


def test_the_database_file_is_readable_by_its_owner_only(servers):
    database = servers.workdir / "a.db"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_var_and_its_secrets_are_owner_only(tmp_path, monkeypatch):
    from clinic import database, local_secrets

    old_umask = os.umask(0o022)
    try:
        monkeypatch.setattr(local_secrets, "PROJECT_ROOT", tmp_path)
        monkeypatch.setattr(database, "DEFAULT_SQLITE", tmp_path / "var" / "assistant.db")
        monkeypatch.delenv("DATABASE_URL", raising=False)
        monkeypatch.delenv("CLINIC_TEST_SECRET", raising=False)
        secret = local_secrets.persistent_secret("CLINIC_TEST_SECRET", "test_secret")
        assert len(secret) >= 32
        assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
        assert stat.S_IMODE((tmp_path / "var" / "test_secret").stat().st_mode) == 0o600
        assert local_secrets.persistent_secret("CLINIC_TEST_SECRET", "test_secret") == secret

        # An installation from before: readable var/ and files are made owner-only.
        (tmp_path / "var").chmod(0o755)
        (tmp_path / "var" / "test_secret").chmod(0o644)
        (tmp_path / "var" / "assistant.db").write_bytes(b"")
        (tmp_path / "var" / "assistant.db").chmod(0o644)
        assert local_secrets.persistent_secret("CLINIC_TEST_SECRET", "test_secret") == secret
        database.database_url()
        assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
        for name in ("test_secret", "assistant.db"):
            assert stat.S_IMODE((tmp_path / "var" / name).stat().st_mode) == 0o600, name
    finally:
        os.umask(old_umask)


# --- The booking webhook: https only, no redirects -----------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    """Records POSTs; the `redirect_to` server answers each with a 307 to another one."""

    redirect_to = ""
    received: List[str] = []

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).received.append(self.path)
        if type(self).redirect_to:
            self.send_response(307)
            self.send_header("Location", type(self).redirect_to)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def serve(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_booking_webhook_is_never_sent_over_plain_http_or_redirected(monkeypatch):
    from clinic.delivery import webhook
    from clinic.delivery.settings import WebhookSettings, booking_settings
    from clinic.settings import ClinicConfigError, load_clinic

    monkeypatch.setenv("BOOKING_WEBHOOK_SECRET", "s3cret")
    clinic = load_clinic()
    for url in (
        "http://practice.example.com/hook",
        "ftp://practice.example.com/hook",
        "http://10.0.0.5/hook",
        "https:///hook",
    ):
        clinic = {**clinic, "booking": {"delivery": ["webhook"], "webhook": {"url": url}}}
        with pytest.raises(ClinicConfigError, match="https://"):
            booking_settings(clinic)
    for url in ("https://practice.example.com/hook", "http://127.0.0.1:9/hook", "http://localhost:9/hook"):
        clinic = {**clinic, "booking": {"delivery": ["webhook"], "webhook": {"url": url}}}
        assert booking_settings(clinic).webhook.url == url

    class Target(_Recorder):
        received: List[str] = []

    class Redirector(_Recorder):
        received: List[str] = []

    target, redirector = serve(Target), serve(Redirector)
    try:
        Redirector.redirect_to = f"http://127.0.0.1:{target.server_address[1]}/elsewhere"
        settings = WebhookSettings(
            url=f"http://127.0.0.1:{redirector.server_address[1]}/hook", secret="s3cret", timeout_seconds=5
        )
        with pytest.raises(webhook.DeliveryError, match="HTTP 307"):
            asyncio.run(webhook.send(settings, 1, {"name": "Jane Runner"}))
        assert Redirector.received == ["/hook"] and Target.received == []
        # Settings made in code are checked as well.
        plain = WebhookSettings(url="http://practice.example.com/hook", secret="s3cret")
        with pytest.raises(webhook.DeliveryError, match="https://"):
            asyncio.run(webhook.send(plain, 2, {"name": "Jane Runner"}))
    finally:
        target.shutdown()
        redirector.shutdown()
