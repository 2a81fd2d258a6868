"""For the staff review tests: a database seeded by talking to the real assistant, what
Rasa itself says it recorded (its tracker API, independent of the review code), and
logged-in HTTP sessions against the review app that `scripts/run.py` started."""

import os
import re
import subprocess
import time
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import requests

from review import auth
from tests.support.databases import fresh_postgres_database
from tests.support.processes import BIN, ROOT, AssistantServers, wait_for_url

TOKEN = "test-token"
STAFF = ("staff", "a long staff password")
ADMIN = ("boss", "an even longer admin password")

# What each seeded patient says. Natural messages, so what the model makes of them is
# whatever it makes of them; the tests compare the review app against Rasa's own record.
SCRIPTS: Dict[str, List[str]] = {
    # First and second: retention deletes `old` (and only it) by putting the cut-off
    # between the two. `old` and `erase` also book (the form is answered by drive_form).
    "old": ["hello", "can I book an appointment?"],
    "recent": ["hi there", "how long should I rest my knee?"],
    "causes": ["hi", "why do my knees hurt after running?", "thanks"],
    "symptoms": ["I get pain on the outside of my knee after long runs"],
    "gibberish": ["blorp zzkt quaffle vrang", "wibble wobble flarn"],
    "red_flag": ["my knee locked and keeps giving way, I can't put weight on it"],
    # The red-flag check and the entity ruler both mark words starting at "kneecap":
    # overlapping entities, which staff must still be able to open and export (issue #10).
    "kneecap": ["my kneecap has popped out to the side and is stuck there"],
    "human": ["can I talk to a real person please"],
    "search": [
        "my name is Zebedee Quartermain and my knee clicks",
        "@home the knee clicks on stairs <script>alert('x')</script>",
    ],
    "erase": ["I'd like to book an appointment"],
}
BOOKING = {"old", "erase"}
# How a form question gets answered, by words in the requested slot's name.
FORM_ANSWERS = [
    ("name", "Zara Eraseme"),
    ("contact", "07911 123456"),
    ("phone", "07911 123456"),
    ("time", "next Tuesday at 10am"),
    ("reason", "pain on the outside of my knee after long runs"),
]


@dataclass
class Seeded:
    backend: str
    database_url: str
    servers: AssistantServers
    senders: Dict[str, str] = field(default_factory=dict)  # script name -> sender id
    replies: Dict[str, List[List[dict]]] = field(default_factory=dict)

    def engine(self):
        from review.tables import connect

        return connect(self.database_url)

    def tracker_events(self, sender: str) -> List[Dict[str, Any]]:
        """Rasa's own account of a conversation."""
        return _tracker(self.servers, sender).get("events") or []

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return review_cli(self.database_url, *args, stdin=stdin)


def review_cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "python"), "-m", "review", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": database_url},
    )


def _tracker(servers: AssistantServers, sender: str) -> Dict[str, Any]:
    response = requests.get(f"{servers.url}/conversations/{sender}/tracker", params={"token": TOKEN}, timeout=30)
    response.raise_for_status()
    return response.json()


def drive_form(servers: AssistantServers, sender: str, replies: List[List[dict]], max_turns: int = 10) -> None:
    """Answer whatever form the assistant started until it is done (or asks the same
    question three times: then the test that needs the form's result says so)."""
    asked: List[str] = []
    for _ in range(max_turns):
        tracker = _tracker(servers, sender)
        slot = tracker.get("slots", {}).get("requested_slot") or ""
        if not (tracker.get("active_loop") or {}).get("name") or asked[-2:] == [slot, slot]:
            return
        asked.append(slot)
        answer = next((text for word, text in FORM_ANSWERS if word in slot), "yes")
        replies.append(servers.say(sender, answer))


def seed(backend: str, database_url: str, workdir: Path) -> Seeded:
    servers = AssistantServers(workdir, env={"DATABASE_URL": database_url}).start()
    try:
        wait_for_url(f"{servers.review_url}/healthz", servers.runner.process, timeout=60)
        seeded = Seeded(backend, database_url, servers)
        run = uuid.uuid4().hex[:6]
        for name, messages in SCRIPTS.items():
            sender = f"review-{name}-{run}"
            seeded.senders[name] = sender
            seeded.replies[name] = [servers.say(sender, text) for text in messages]
            if name in BOOKING:
                drive_form(servers, sender, seeded.replies[name])
            if name == "old":
                time.sleep(1.0)  # a clear gap for the retention cut-off
        engine = seeded.engine()
        auth.create_user(engine, *STAFF)
        auth.create_user(engine, *ADMIN, is_admin=True)
        engine.dispose()
        return seeded
    except Exception:
        servers.stop()
        raise


@contextmanager
def seeded_database(backend: str, workdir: Path) -> Iterator[Seeded]:
    """A fresh SQLite file or PostgreSQL database, seeded; the servers stay up for the
    tests (the review app among them) and everything is removed afterwards."""
    if backend == "sqlite":
        databases = nullcontext(f"sqlite:///{workdir / 'review.db'}")
    else:
        databases = fresh_postgres_database(prefix="review")
    with databases as database_url:
        seeded = seed(backend, database_url, workdir)
        try:
            yield seeded
        finally:
            seeded.servers.stop()


# --- the review app over HTTP ----------------------------------------------------------

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(base_url: str, user=STAFF) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/login", timeout=30)
    response = session.post(
        f"{base_url}/login",
        timeout=30,
        allow_redirects=False,
        data={"csrf_token": csrf_of(page.text), "username": user[0], "password": user[1]},
    )
    assert response.status_code == 302, response.text[-500:]
    return session


def post_form(
    session: requests.Session,
    base_url: str,
    page_path: str,
    action: str,
    data: Dict[str, str],
    csrf: Optional[str] = None,
) -> requests.Response:
    """Submit a form the way a browser would: with the token from the page it is on."""
    page = session.get(f"{base_url}{page_path}", timeout=30)
    token = csrf if csrf is not None else csrf_of(page.text)
    return session.post(f"{base_url}{action}", data={"csrf_token": token, **data}, allow_redirects=False, timeout=60)
