"""Conversation locks that hold across processes: one turn of a conversation at a time,
whichever server or worker receives the message.

Rasa 3.6's RedisLockStore issues tickets by reading the lock, adding a ticket and
writing it back in separate steps, so two servers arriving together can both get
ticket 0 and both proceed (RasaHQ/rasa#9213). Here:

- RedisTicketLockStore issues a ticket with one atomic Lua script (INCR + a key per
  ticket with an expiry + a queue entry) and serves tickets in order; a holder or a
  waiter keeps its ticket alive while it runs, so the lifetime only matters when a
  process dies, and a dead process's ticket expires and is skipped.
- PostgresAdvisoryLockStore takes a PostgreSQL advisory lock per conversation when no
  Redis is configured, on a connection held for the turn (the server drops the lock if
  that connection or process dies).

Redis or PostgreSQL unavailable: the lock is retried for the outage budget
(clinic/outages.py) and then refused with StorageUnavailable; a turn never runs
without its lock. Rasa calls only `lock()`, which both stores implement."""

import asyncio
import hashlib
import logging
import os
import time
from contextlib import asynccontextmanager
from typing import AsyncIterator, Optional, Text

import sqlalchemy as sa
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore

from clinic.database import create_engine, database_url
from clinic.outages import in_thread, with_retries

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02  # a waiting turn checks its place this often (the lock is per conversation)
# A turn that waits longer than this behind others for one conversation gives up (LockError).
MAX_WAIT_SECONDS = 120

# KEYS: counter, queue, ticket-key prefix. ARGV: lifetime ms. Returns the new ticket.
_ISSUE = """
local ticket = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[3] .. ticket, '1', 'PX', ARGV[1])
redis.call('ZADD', KEYS[2], ticket, ticket)
redis.call('PEXPIRE', KEYS[1], 86400000)
redis.call('PEXPIRE', KEYS[2], 86400000)
return ticket
"""
# KEYS: queue, ticket-key prefix. ARGV: ticket, lifetime ms.
# Returns 1 (our turn), 0 (wait) or -1 (our ticket expired: take a new one).
_TRY_ACQUIRE = """
if redis.call('SET', KEYS[2] .. ARGV[1], '1', 'PX', ARGV[2], 'XX') == false then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return -1
end
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
  if head == ARGV[1] then return 1 end
  if head == nil then return -1 end
  if redis.call('EXISTS', KEYS[2] .. head) == 1 then return 0 end
  redis.call('ZREM', KEYS[1], head)  -- its process died: skip it
end
"""


class RedisTicketLockStore(LockStore):
    def __init__(self, url: str, key_prefix: str = "", lifetime: float = LOCK_LIFETIME) -> None:
        import redis.asyncio
        import redis.exceptions

        # Short timeouts: an unreachable Redis is retried by with_retries, not waited on.
        self.red = redis.asyncio.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.transient = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
        self.prefix = f"{key_prefix}:clinic-lock:" if key_prefix else "clinic-lock:"
        self.lifetime_ms = int(lifetime * 1000)
        self._issue = self.red.register_script(_ISSUE)
        self._try_acquire = self.red.register_script(_TRY_ACQUIRE)
        super().__init__()

    def _keys(self, conversation_id: Text):
        base = self.prefix + conversation_id
        return base + ":counter", base + ":queue", base + ":ticket:"

    async def _redis(self, call):
        return await with_retries(call, "Redis lock store", self.transient)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncIterator[None]:
        counter, queue, tickets = self._keys(conversation_id)
        ticket = await self._redis(lambda: self._issue(keys=[counter, queue, tickets], args=[self.lifetime_ms]))
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        try:
            while True:
                state = await self._redis(
                    lambda: self._try_acquire(keys=[queue, tickets], args=[ticket, self.lifetime_ms])
                )
                if state == 1:
                    break
                if state == -1:  # we were stalled past the lifetime: queue again
                    logger.warning("Lock ticket for %s expired while waiting; re-queueing", conversation_id)
                    ticket = await self._redis(
                        lambda: self._issue(keys=[counter, queue, tickets], args=[self.lifetime_ms])
                    )
                if time.monotonic() > deadline:
                    raise LockError(
                        f"Could not acquire lock for conversation_id '{conversation_id}' within {MAX_WAIT_SECONDS}s"
                    )
                await asyncio.sleep(POLL_SECONDS)
            keeper = asyncio.create_task(self._keep_alive(tickets + str(ticket)))
            try:
                yield None
            finally:
                keeper.cancel()
        finally:
            await self._release(queue, tickets, ticket)

    async def _keep_alive(self, ticket_key: str) -> None:
        """Renew our ticket while the turn runs, however slow it is."""
        while True:
            await asyncio.sleep(self.lifetime_ms / 3000)
            try:
                await self.red.pexpire(ticket_key, self.lifetime_ms)
            except self.transient as error:
                logger.warning("Could not renew lock %s: %s", ticket_key, error)

    async def _release(self, queue: str, tickets: str, ticket: int) -> None:
        try:
            async with self.red.pipeline(transaction=True) as pipe:
                await pipe.delete(tickets + str(ticket)).zrem(queue, ticket).execute()
        except self.transient as error:
            # The ticket expires after its lifetime; the next turn waits until then.
            logger.error("Could not release lock ticket %s (%s)", ticket, error)


class PostgresAdvisoryLockStore(LockStore):
    """A session advisory lock per conversation, on a connection held for the turn."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        super().__init__()

    @staticmethod
    def key(conversation_id: Text) -> int:
        digest = hashlib.sha256(f"clinic-conversation:{conversation_id}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = POLL_SECONDS
    ) -> AsyncIterator[None]:
        key = self.key(conversation_id)
        transient = (sa.exc.OperationalError, sa.exc.InterfaceError)
        deadline = time.monotonic() + MAX_WAIT_SECONDS
        while True:
            connection = await with_retries(lambda: in_thread(self._try_lock, key), "database (lock)", transient)
            if connection is not None:
                break
            if time.monotonic() > deadline:
                raise LockError(
                    f"Could not acquire lock for conversation_id '{conversation_id}' within {MAX_WAIT_SECONDS}s"
                )
            await asyncio.sleep(POLL_SECONDS)
        try:
            yield None
        finally:
            try:
                await in_thread(self._unlock, connection, key)
            except transient as error:
                # Never pool a connection that may still hold the lock; PostgreSQL drops
                # the lock with the connection.
                logger.warning("Advisory unlock failed (%s)", error)
                connection.invalidate()
            finally:
                await in_thread(connection.close)

    def _try_lock(self, key: int) -> Optional[sa.engine.Connection]:
        """A connection holding the conversation's lock, or None when another holds it."""
        connection = self.engine.connect()
        try:
            if connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
                return connection
        except BaseException:
            connection.close()
            raise
        connection.close()
        return None

    @staticmethod
    def _unlock(connection: sa.engine.Connection, key: int) -> None:
        connection.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})


def lock_store_for_environment() -> LockStore:
    if os.environ.get("REDIS_URL"):
        return RedisTicketLockStore(os.environ["REDIS_URL"], key_prefix=os.environ.get("REDIS_LOCK_PREFIX", ""))
    url = database_url()
    if url.get_backend_name() == "postgresql":
        return PostgresAdvisoryLockStore(create_engine(url, pool_size=10, max_overflow=40))
    return InMemoryLockStore()


def check_workers(store: Optional[LockStore] = None) -> None:
    """Several Sanic workers need locks that every worker sees: refuse to start without.
    (Rasa itself only checks that the lock store is not of type `in_memory`.)"""
    workers = int(os.environ.get("SANIC_WORKERS") or 1)
    shared = (
        isinstance(store, (RedisTicketLockStore, PostgresAdvisoryLockStore))
        if store
        else os.environ.get("REDIS_URL") or database_url().get_backend_name() == "postgresql"
    )
    if workers > 1 and not shared:
        raise RuntimeError(
            f"SANIC_WORKERS={workers} needs a lock store shared by the workers: set REDIS_URL "
            f"or a PostgreSQL DATABASE_URL, or run one worker."
        )
