"""`make run REPLICAS=3`: three Rasa servers and two action servers behind HAProxy, sharing
PostgreSQL (here through a TCP proxy the tests can cut) and Redis locks. Under load, with
two messages of one conversation arriving at the same instant on different servers, and
through a 10-second database outage, every user message is stored exactly once, in the
order it was sent, and every user gets an answer or is told their message was not stored.

Bounded: about 2,000 messages and a 10-second cut, a few minutes on 2 cores."""

import json
import os
import subprocess
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
import yaml

from clinic.stores import NOT_STORED_REPLY
from deploy.topology import COMPOSE_ACTIONS, COMPOSE_RASA, compose_files
from tests.support.databases import REDIS_URL, fresh_postgres_database
from tests.support.processes import ROOT, AssistantServers
from tests.support.tcp_proxy import TcpProxy

QUESTIONS = [
    "when are you open",
    "where are you",
    "how much is an appointment",
    "what's your email",
    "do you take insurance",
    "is there parking",
]
CONVERSATIONS = 25
STEPS = 60  # per conversation: every third step is a same-instant pair -> 80 messages


@pytest.fixture(scope="module")
def cluster(model_path, tmp_path_factory):
    with fresh_postgres_database() as database_url:
        proxy = TcpProxy("127.0.0.1", 5432)
        env = {
            "DATABASE_URL": database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}"),
            "REDIS_URL": REDIS_URL,
            "REDIS_LOCK_PREFIX": f"replicas{uuid.uuid4().hex[:8]}",
        }
        servers = AssistantServers(tmp_path_factory.mktemp("replicas"), env=env, replicas=3)
        servers.start()
        try:
            yield servers, proxy, sa.create_engine(database_url)  # direct, not via the proxy
        finally:
            servers.stop()
            proxy.close()


def stored_user_texts(engine, sender):
    with engine.connect() as db:
        rows = db.execute(
            sa.text("SELECT seq, data FROM events WHERE sender_id = :s ORDER BY seq"), {"s": sender}
        ).all()
    assert [seq for seq, _ in rows] == list(range(1, len(rows) + 1))  # no gap, no duplicate
    events = [json.loads(data) for _, data in rows]
    return [e["text"] for e in events if e["event"] == "user"]


def answered(replies) -> bool:
    texts = [m.get("text", "") for m in replies]
    return bool(texts) and not any(NOT_STORED_REPLY in t for t in texts)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.timeout(1200)  # ~2,000 turns: minutes on 2 idle cores, far more on a busy machine
def test_same_instant_messages_on_different_replicas_are_each_stored_once_in_order(cluster):
    servers, _, engine = cluster
    replicas = servers.replica_urls
    assert len(replicas) == 3
    sent = {}  # sender -> list of steps, each a set of texts sent at the same instant
    failures = []

    def send(sender, text, server=None):
        response = servers.rest({"sender": sender, "message": text}, timeout=120, server=server)
        if response.status_code != 200 or not answered(response.json()):
            failures.append((sender, text, response.status_code, response.text[:200]))

    def converse(n):
        sender = f"load-{n}-{uuid.uuid4().hex[:6]}"
        steps = sent[sender] = []
        with ThreadPoolExecutor(max_workers=2) as pair:
            for step in range(STEPS):
                texts = [
                    f"{QUESTIONS[(n + step + k) % len(QUESTIONS)]} #{step}.{k}"
                    for k in range(2 if step % 3 == 2 else 1)
                ]
                steps.append(set(texts))
                if len(texts) == 1:
                    send(sender, texts[0])  # through HAProxy
                else:  # the same instant, on two different servers
                    first, second = replicas[step % 3], replicas[(step + 1) % 3]
                    list(pair.map(send, [sender] * 2, texts, [first, second]))

    with ThreadPoolExecutor(max_workers=CONVERSATIONS) as pool:
        list(pool.map(converse, range(CONVERSATIONS)))

    pairs = sum(1 for steps in sent.values() for texts in steps if len(texts) == 2)
    messages = sum(len(texts) for steps in sent.values() for texts in steps)
    assert messages >= 2000 and pairs >= 500
    assert not failures, failures[:5]
    for sender, steps in sent.items():
        stored = stored_user_texts(engine, sender)
        assert Counter(stored) == Counter(t for texts in steps for t in texts), sender
        step_of = {text: i for i, texts in enumerate(steps) for text in texts}
        order = [step_of[text] for text in stored]
        assert order == sorted(order), f"{sender}: stored out of the order sent"


@pytest.mark.postgres
@pytest.mark.redis
def test_a_ten_second_database_cut_mid_traffic_loses_nothing(cluster):
    servers, proxy, engine = cluster
    outcomes = []  # (sender, text, replies, seconds)
    stop = threading.Event()

    def converse(n):
        sender = f"outage-{n}-{uuid.uuid4().hex[:6]}"
        step = 0
        while not stop.is_set():
            text = f"{QUESTIONS[(n + step) % len(QUESTIONS)]} #{step}"
            started = time.monotonic()
            response = servers.rest({"sender": sender, "message": text}, timeout=120)
            assert response.status_code == 200
            outcomes.append((sender, text, response.json(), time.monotonic() - started))
            step += 1

    with ThreadPoolExecutor(max_workers=8) as pool:
        running = [pool.submit(converse, n) for n in range(8)]
        time.sleep(4)
        with engine.connect() as db:
            before = Counter(
                db.execute(sa.text("SELECT sender_id, seq FROM events WHERE sender_id LIKE 'outage-%'")).all()
            )
        proxy.cut()
        time.sleep(10)
        proxy.restore()
        time.sleep(4)
        stop.set()
        [future.result() for future in running]

    assert max(seconds for *_, seconds in outcomes) >= 5  # users really waited for the database
    with engine.connect() as db:
        after = Counter(db.execute(sa.text("SELECT sender_id, seq FROM events WHERE sender_id LIKE 'outage-%'")).all())
    assert not before - after  # nothing stored before the cut was lost
    for sender in {o[0] for o in outcomes}:
        stored = Counter(stored_user_texts(engine, sender))
        for _, text, replies, _ in (o for o in outcomes if o[0] == sender):
            assert replies, f"{text!r} got no answer at all"
            if answered(replies):
                assert stored[text] == 1, f"{text!r} was answered but stored {stored[text]} times"
            else:  # told that it may not have been stored
                assert stored[text] <= 1


@pytest.mark.postgres
@pytest.mark.redis
def test_the_web_chat_works_through_the_load_balancer_on_long_polling(cluster):
    """socket.io's long-polling requests must all reach the server holding the session:
    HAProxy keeps them on one replica (round-robin would break the session at once)."""
    import queue

    import socketio

    servers, _, _ = cluster
    replies: "queue.Queue[str]" = queue.Queue()
    browser = requests.Session()
    browser.headers["Origin"] = servers.webchat_url  # on every request, as a browser sends it
    client = socketio.Client(reconnection=False, http_session=browser)
    client.on("bot_uttered", lambda data: replies.put(data.get("text", "")))
    client.connect(servers.url, transports=["polling"], wait_timeout=30)
    try:
        client.emit("session_request", {"session_id": None})
        for question, answer in (
            ("hi", "not a diagnosis"),
            ("when are you open", "Monday"),
            ("where are you", "12 Example Street"),
        ):
            client.emit("user_uttered", {"message": question})
            texts = []
            deadline = time.monotonic() + 60
            while not any(answer in t for t in texts) and time.monotonic() < deadline:
                try:
                    texts.append(replies.get(timeout=1))
                except queue.Empty:
                    pass
            assert any(answer in t for t in texts), (question, texts)
    finally:
        client.disconnect()


def test_the_container_deployment_is_valid_and_in_step_with_the_tested_topology():
    for path, text in compose_files().items():
        assert path.read_text() == text, f"{path.name} is stale: run python -m deploy.topology"
    assert subprocess.run(["haproxy", "-c", "-q", "-f", "deploy/haproxy.cfg"], cwd=ROOT).returncode == 0
    secrets = {
        name: "example" for name in ("POSTGRES_PASSWORD", "RASA_API_TOKEN", "REST_CHANNEL_TOKEN", "REVIEW_SECRET_KEY")
    }
    config = subprocess.run(
        ["docker-compose", "-f", "deploy/docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **secrets, "ALLOWED_ORIGINS": "https://www.clinic.example"},
    )
    assert config.returncode == 0, config.stderr
    services = yaml.safe_load(config.stdout)["services"]
    assert {name for name, _ in COMPOSE_RASA + COMPOSE_ACTIONS} | {"haproxy", "postgres", "redis", "review"} == set(
        services
    )
    for name, _ in COMPOSE_RASA:
        assert services[name]["environment"]["REDIS_URL"].startswith("redis://redis")
        assert "deploy/endpoints.yml" in services[name]["command"]
    # A required secret left unset is an error, not an empty password.
    missing = subprocess.run(
        ["docker-compose", "-f", "deploy/docker-compose.yml", "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in secrets},
    )
    assert missing.returncode != 0 and "POSTGRES_PASSWORD" in missing.stderr
