"""How conversation storage rides out a database or Redis outage.

A short outage costs the user a wait: the operation is retried with back-off for up to
STORAGE_OUTAGE_SECONDS (default 30). A longer one raises StorageUnavailable, which the
agent turns into a plain apology (clinic/stores.py) instead of a silent in-memory fork.
Blocking driver calls run on a thread pool of their own so that a connect timeout never
stalls the event loop that serves every other conversation."""

import asyncio
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Awaitable, Callable, Tuple, Type, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Enough threads for every conversation that may be waiting on storage at once.
STORAGE_THREADS = 16
_executor = ThreadPoolExecutor(max_workers=STORAGE_THREADS, thread_name_prefix="storage")


class StorageUnavailable(RuntimeError):
    """The database or Redis stayed unreachable for longer than the user should wait."""


def outage_seconds() -> float:
    return float(os.environ.get("STORAGE_OUTAGE_SECONDS", 30))


async def in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run a blocking call (a driver round trip) without blocking the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_executor, partial(function, *args))


async def with_retries(
    operation: Callable[[], Awaitable[T]], what: str, transient: Tuple[Type[BaseException], ...]
) -> T:
    """Await operation(), retrying on `transient` errors until the outage budget is spent."""
    deadline = time.monotonic() + outage_seconds()
    delay = 0.2
    attempt = 1
    while True:
        try:
            return await operation()
        except transient as error:
            if time.monotonic() + delay > deadline:
                raise StorageUnavailable(
                    f"{what}: still unavailable after {outage_seconds():.0f}s ({error})"
                ) from error
            logger.warning(
                "%s unavailable (%s); retry %d in %.1fs",
                what,
                str(error).strip().splitlines()[0] if str(error).strip() else error,
                attempt,
                delay,
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)
            attempt += 1
