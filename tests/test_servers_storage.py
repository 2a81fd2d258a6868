"""The real servers, started like `make run`, over the REST webhook; conversations are kept
in SQLite by default and in PostgreSQL (with Redis locks) when configured, and survive
restarts, replicas and a short database outage."""

import asyncio
import json
import subprocess
import threading
import time
import uuid

import pytest
import redis
import requests
import sqlalchemy as sa

from tests.support.databases import REDIS_URL, fresh_postgres_database
from tests.support.processes import BIN, ROOT, AssistantServers
from tests.support.tcp_proxy import TcpProxy


def user_texts(servers: AssistantServers, sender: str):
    response = requests.get(f"{servers.url}/conversations/{sender}/tracker", params={"token": "test-token"}, timeout=30)
    response.raise_for_status()
    return [e.get("text") for e in response.json()["events"] if e["event"] == "user"]


def test_sqlite_default_survives_a_restart(tmp_path, model_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'assistant.db'}"}
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    servers = AssistantServers(tmp_path, env=env).start()
    try:
        hello = servers.say(sender, "hi")
        assert "Riverside Running Physio (example)" in hello[0]["text"]
        assert "not a diagnosis" in hello[0]["text"]
        servers.say(sender, "when are you open?")
    finally:
        servers.stop()
    assert (tmp_path / "assistant.db").stat().st_size > 0

    servers = AssistantServers(tmp_path, env=env).start()
    try:
        assert user_texts(servers, sender)[:2] == ["hi", "when are you open?"]
        # Same session: the conversation goes on without a second disclaimer.
        replies = servers.say(sender, "where are you?")
        assert "12 Example Street" in replies[-1]["text"]
        assert not any("not a diagnosis" in m.get("text", "") for m in replies)
    finally:
        servers.stop()


def test_http_api_needs_the_token(tmp_path, model_path):
    servers = AssistantServers(tmp_path, env={"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}).start()
    try:
        assert requests.get(f"{servers.url}/status", timeout=10).status_code == 401
        assert requests.get(f"{servers.url}/status", params={"token": "test-token"}, timeout=10).ok
        assert servers.rest(data="not json", timeout=10).status_code == 400
        assert servers.say("still-alive", "hi")  # a bad request breaks nothing
    finally:
        servers.stop()


@pytest.mark.postgres
@pytest.mark.redis
def test_postgres_and_redis_shared_by_two_replicas_and_a_restart(tmp_path, model_path):
    sender = f"replica-{uuid.uuid4().hex[:8]}"
    with fresh_postgres_database() as database_url:
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_LOCK_PREFIX": f"test-{uuid.uuid4().hex[:6]}",
        }
        first = AssistantServers(tmp_path / "a", env=env)
        second = AssistantServers(tmp_path / "b", env=env)
        first.start()
        second.start()
        try:
            assert "not a diagnosis" in first.say(sender, "hi")[0]["text"]
            # The second replica continues the same conversation (no second disclaimer).
            replies = second.say(sender, "what's your email?")
            assert "hello@clinic.example.com" in replies[-1]["text"]
            assert not any("not a diagnosis" in m.get("text", "") for m in replies)
            # Concurrent messages for one conversation on both replicas are serialised
            # by the Redis lock store: every message is stored, none is lost.
            results = []
            threads = [
                threading.Thread(target=lambda s, t: results.append(s.say(sender, t)), args=(server, text))
                for server, text in ((first, "when are you open"), (second, "where are you"))
            ]
            [t.start() for t in threads]
            [t.join() for t in threads]
            assert len(results) == 2 and all(results)
        finally:
            first.stop()
            second.stop()
        restarted = AssistantServers(tmp_path / "a", env=env).start()
        try:
            texts = user_texts(restarted, sender)
            assert texts[:2] == ["hi", "what's your email?"]
            assert sorted(texts[2:]) == ["when are you open", "where are you"]
        finally:
            restarted.stop()


@pytest.mark.postgres
def test_a_short_database_outage_costs_a_wait_not_a_message(tmp_path, model_path):
    sender = f"outage-{uuid.uuid4().hex[:8]}"
    with fresh_postgres_database() as database_url:
        proxy = TcpProxy("127.0.0.1", 5432)
        proxied = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        servers = AssistantServers(tmp_path, env={"DATABASE_URL": proxied}).start()
        try:
            servers.say(sender, "hi")
            proxy.cut()
            threading.Timer(1.5, proxy.restore).start()
            started = time.monotonic()
            replies = servers.say(sender, "when are you open")
            assert "Monday" in replies[-1]["text"]
            assert time.monotonic() - started >= 1.0  # it really waited for the database
            assert user_texts(servers, sender)[-1] == "when are you open"
        finally:
            servers.stop()
            proxy.close()


def stored_user_texts(database_url: str, sender: str):
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as db:
            rows = db.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                {"s": sender},
            )
            return [json.loads(data)["text"] for (data,) in rows]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_two_turns_from_the_same_stored_state_are_both_stored(monkeypatch):
    """Rasa's SQLTrackerStore counted stored rows and skipped that many: the second of two
    overlapping turns lost its user message."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    from clinic.stores import ClinicTrackerStore

    with fresh_postgres_database() as database_url:
        monkeypatch.setenv("DATABASE_URL", database_url)
        store = ClinicTrackerStore(domain=Domain.load(str(ROOT / "domain")))

        async def overlapping_turns():
            await store.get_or_create_tracker("runner")
            first, second = await store.retrieve("runner"), await store.retrieve("runner")
            first.update(UserUttered("my knee hurts"))
            second.update(UserUttered("when are you open"))
            await asyncio.gather(store.save(first), store.save(second))
            await store.save(second)  # saving again stores nothing twice

        asyncio.run(overlapping_turns())
        store.engine.dispose()
        assert sorted(stored_user_texts(database_url, "runner")) == ["my knee hurts", "when are you open"]


def test_conversations_stored_before_stay_readable_and_continue(tmp_path, monkeypatch):
    """A database written by Rasa's own store (no seq column) is migrated in place."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered

    from clinic.stores import ClinicTrackerStore

    domain = Domain.load(str(ROOT / "domain"))
    database = tmp_path / "old.db"
    old = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(database))

    async def talk(store, text):
        tracker = await store.get_or_create_tracker("runner")
        tracker.update(UserUttered(text))
        await store.save(tracker)

    asyncio.run(talk(old, "hi"))
    asyncio.run(talk(old, "my knee hurts"))
    old.engine.dispose()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    store = ClinicTrackerStore(domain=domain)
    asyncio.run(talk(store, "when are you open"))
    tracker = asyncio.run(store.retrieve("runner"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "hi",
        "my knee hurts",
        "when are you open",
    ]


def test_several_workers_need_a_shared_lock_store(tmp_path):
    started = subprocess.run(
        [str(BIN / "python"), "scripts/run.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "SANIC_WORKERS": "3", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"},
        timeout=60,
    )
    assert started.returncode != 0
    assert "SANIC_WORKERS=3 needs a lock store shared by the workers" in started.stderr


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["redis", "postgres"])
def test_the_conversation_lock_holds_across_processes(backend):
    """Two processes each do 40 read-modify-write steps under one conversation's lock."""
    counter = f"lock-test-{uuid.uuid4().hex}"
    with fresh_postgres_database() as database_url:
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_URL": database_url}
        if backend == "redis":
            env.update(REDIS_URL=REDIS_URL, REDIS_LOCK_PREFIX=counter.replace("-", ""))
        contenders = [
            subprocess.Popen(
                [str(BIN / "python"), "-m", "tests.support.lock_contender", counter, "40"], cwd=ROOT, env=env
            )
            for _ in range(2)
        ]
        assert [c.wait(timeout=120) for c in contenders] == [0, 0]
    shared = redis.Redis.from_url(REDIS_URL)
    assert int(shared.get(counter)) == 80  # no step overwrote another's
    shared.delete(counter)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_short_redis_outage_costs_a_wait_not_a_message(tmp_path, model_path):
    sender = f"redis-outage-{uuid.uuid4().hex[:8]}"
    with fresh_postgres_database() as database_url:
        proxy = TcpProxy("127.0.0.1", 6379)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL.replace("127.0.0.1:6379", f"127.0.0.1:{proxy.port}"),
            "REDIS_LOCK_PREFIX": f"outage{uuid.uuid4().hex[:6]}",
        }
        servers = AssistantServers(tmp_path, env=env).start()
        try:
            servers.say(sender, "hi")
            proxy.cut()
            threading.Timer(2, proxy.restore).start()
            started = time.monotonic()
            replies = servers.say(sender, "when are you open")
            assert "Monday" in replies[-1]["text"]
            assert time.monotonic() - started >= 1.5  # it waited for the lock, never went without
            assert user_texts(servers, sender)[-1] == "when are you open"
        finally:
            servers.stop()
            proxy.close()
