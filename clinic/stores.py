"""The tracker store and lock store that endpoints.yml names.

They read the environment, so the same endpoints.yml serves the embedded default
(SQLite, in-memory locks, one process) and production (PostgreSQL shared by several
servers, with Redis or PostgreSQL locks so that no two servers handle one conversation
at once). Why the project carries its own stores: docs/deployment.md."""

import functools
import logging
import time
from typing import Any

import sqlalchemy as sa
from rasa.core.agent import Agent
from rasa.core.lock_store import LockError, LockStore

from clinic.database import create_engine, database_url, migrate
from clinic.locks import check_workers, lock_store_for_environment
from clinic.outages import STORAGE_THREADS, StorageUnavailable
from clinic.tracker_store import TRANSIENT, SequencedSQLTrackerStore

logger = logging.getLogger(__name__)

# What the user reads when their message could not be stored (a long outage).
NOT_STORED_REPLY = (
    "Sorry, I'm having trouble saving our conversation right now, so your "
    "last message may not have been recorded. Please try again in a minute."
)
STARTUP_WAIT_SECONDS = 120  # a server started before its database waits this long for it


class ClinicTrackerStore(SequencedSQLTrackerStore):
    def __init__(self, domain=None, event_broker=None, **kwargs: Any) -> None:
        kwargs.pop("host", None)  # endpoints.yml has no url; the environment decides
        engine = create_engine(database_url(), pool_size=STORAGE_THREADS, max_overflow=4)
        super().__init__(engine, domain=domain, event_broker=event_broker, **kwargs)
        _wait_for_database(lambda: migrate(self.engine))  # the tables, created or upgraded
        _install_agent_behaviour()


def _wait_for_database(prepare) -> None:
    deadline = time.monotonic() + STARTUP_WAIT_SECONDS
    while True:
        try:
            return prepare()
        except TRANSIENT as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"The database at {database_url()!r} is unreachable: {error}")
            logger.warning("Waiting for the database: %s", error)
            time.sleep(2)


class ClinicLockStore(LockStore):
    """Redis locks when REDIS_URL is set, else PostgreSQL advisory locks when DATABASE_URL
    is PostgreSQL, else in-memory locks (one process only)."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        store = lock_store_for_environment()
        check_workers(store)
        return store


def _install_agent_behaviour() -> None:
    """Two changes to Rasa's agent, applied once when our tracker store is in use.

    1. Rasa wraps every tracker store in FailSafeTrackerStore, which on a database error
       reads an empty conversation and saves to memory: the conversation forks silently.
       Ours is used unwrapped; it waits out short outages itself.
    2. When storage stays unavailable, the user is told that their message may not have
       been recorded, instead of getting no answer."""
    if getattr(Agent, "_clinic_storage_installed", False):
        return
    Agent._clinic_storage_installed = True
    wrap_tracker_store = Agent._create_tracker_store

    def create_tracker_store(store, domain):
        if isinstance(store, SequencedSQLTrackerStore):
            store.domain = domain
            return store
        return wrap_tracker_store(store, domain)

    Agent._create_tracker_store = staticmethod(create_tracker_store)
    handle_message = Agent.handle_message

    @functools.wraps(handle_message)
    async def handle_message_or_apologise(self, message):
        try:
            return await handle_message(self, message)
        except (StorageUnavailable, LockError, sa.exc.SQLAlchemyError) as error:
            logger.error("Message from %s not stored: %s", message.sender_id, error)
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, NOT_STORED_REPLY)
            return None

    Agent.handle_message = handle_message_or_apologise
