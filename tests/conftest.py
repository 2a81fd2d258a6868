"""Shared fixtures: the trained model (trained once per run and cached under models/),
a real action server process, and an in-process agent that talks to it."""

import asyncio
import os
from pathlib import Path

import pytest

from tests.support.chat import Conversation
from tests.support.processes import BIN, ManagedProcess, free_port, wait_for_url


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The model for the current data. KNEE_MODEL=<file> reuses another one while developing."""
    from clinic.training import train_if_needed

    override = os.environ.get("KNEE_MODEL")
    return Path(override).resolve() if override else train_if_needed()


@pytest.fixture
def domain() -> dict:
    """The domain as Rasa merges it from domain/: the dict an action server receives."""
    from tests.support.domain import merged

    return merged()


@pytest.fixture(scope="session")
def event_loop_session():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def action_server():
    """The real rasa-sdk action server with the project's actions, on a free port."""
    port = free_port()
    server = ManagedProcess(
        [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)], log_name="actions"
    )
    try:
        wait_for_url(f"http://127.0.0.1:{port}/health", server.process, timeout=120)
    except Exception:
        server.stop()
        raise RuntimeError(f"action server did not start:\n{server.log()[-3000:]}")
    yield f"http://127.0.0.1:{port}/webhook"
    server.stop()


@pytest.fixture(scope="session")
def agent(model_path, action_server, event_loop_session):
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    loaded = Agent.load(str(model_path), action_endpoint=EndpointConfig(action_server))
    return loaded


@pytest.fixture
def conversation(agent, event_loop_session) -> Conversation:
    """A new user talking to the assistant."""
    return Conversation(agent, event_loop_session)


@pytest.fixture
def new_conversation(agent, event_loop_session):
    """A factory, for tests that need several users."""
    return lambda sender=None: Conversation(agent, event_loop_session, sender)


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def review_seeded(request, model_path, tmp_path_factory):
    """Servers on a database seeded by talking to the assistant, once per backend, for the
    staff review tests (see tests/support/review.py)."""
    from tests.support.review import seeded_database

    with seeded_database(request.param, tmp_path_factory.mktemp(f"review-{request.param}")) as seeded:
        yield seeded
