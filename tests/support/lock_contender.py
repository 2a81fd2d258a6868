"""One process of the cross-process lock test: N times, under the conversation lock, read a
shared counter, wait a little and write it back plus one. Without a correct lock the two
processes overwrite each other's increments. Environment: DATABASE_URL / REDIS_URL."""

import asyncio
import sys

import redis

from clinic.locks import lock_store_for_environment


async def main(counter_key: str, times: int) -> None:
    store = lock_store_for_environment()
    shared = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for _ in range(times):
        async with store.lock("one-conversation"):
            value = int(shared.get(counter_key) or 0)
            await asyncio.sleep(0.005)
            shared.set(counter_key, value + 1)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
