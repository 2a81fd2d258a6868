"""The tracker store and lock store that endpoints.yml names.

They read the environment, so the same endpoints.yml serves the embedded default
(SQLite, in-memory locks) and production (PostgreSQL shared by several servers,
with Redis locks so that two replicas never handle one conversation at once)."""
import asyncio
import logging
import os
from typing import Any, Optional, Text
from urllib.parse import urlparse

import sqlalchemy.exc
import sqlalchemy.orm
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from clinic.database import create_engine, database_url

logger = logging.getLogger(__name__)

# A database that is down for a moment should cost a user a short wait, not a message.
RETRIES = 4
RETRY_DELAY_SECONDS = 0.5


class ClinicTrackerStore(SQLTrackerStore):
    def __init__(self, domain=None, event_broker=None, **kwargs: Any) -> None:
        url = database_url()
        kwargs.pop("host", None)  # endpoints.yml has no url; the environment decides
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            query=dict(url.query) or None,
            event_broker=event_broker,
            **kwargs,
        )
        # Rasa's engine has no pre-ping, so it would hand out dead connections after a
        # database restart; swap in ours, which tests each connection before use.
        self.engine.dispose()
        self.engine = create_engine(url)
        self.sessionmaker = sqlalchemy.orm.sessionmaker(bind=self.engine)

    async def _with_retries(self, operation, *args):
        for attempt in range(1, RETRIES + 1):
            try:
                return await operation(*args)
            except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError) as error:
                if attempt == RETRIES:
                    raise
                logger.warning("Database unavailable (%s); retry %d/%d", error, attempt, RETRIES)
                await asyncio.sleep(RETRY_DELAY_SECONDS * 2 ** (attempt - 1))

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self._with_retries(super().save, tracker)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._with_retries(super().retrieve, sender_id)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._with_retries(super().retrieve_full_tracker, conversation_id)


class ClinicLockStore(LockStore):
    """Redis locks when REDIS_URL is set, in-memory locks otherwise.

    Rasa instantiates a custom lock store class with `endpoint_config=`; returning the
    concrete store from __new__ lets Rasa use its own, well-tested implementations."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        raw = os.environ.get("REDIS_URL")
        if not raw:
            return InMemoryLockStore()
        url = urlparse(raw)
        return RedisLockStore(
            host=url.hostname or "localhost",
            port=url.port or 6379,
            db=int(url.path.lstrip("/") or 1),
            username=url.username,
            password=url.password,
            use_ssl=url.scheme == "rediss",
            key_prefix=os.environ.get("REDIS_LOCK_PREFIX"),
        )
