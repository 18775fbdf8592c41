"""The read-through: coalesced misses, what is stored, and a backend that fails (a Redis port
nothing listens on, then a real ``redis-server`` started there) — never a failed request."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from cache.api_cache import ApiCache, CacheSettings
from cache.keys import decode_value, encode_value
from schema.model import CachingBehavior
from tests.cache.support import Clock
from tests.redis_support import PrivateRedis

KEY = "Query.item:0123"


def memory_cache() -> ApiCache:
    return ApiCache("t", CachingBehavior.PER_RESOLVER_CACHING, 60, CacheSettings(), "ns")


def producer(value: Any, cacheable: bool = True) -> tuple[list[int], Callable[[], Awaitable[Any]]]:
    runs: list[int] = []

    async def produce() -> tuple[Any, bytes | None]:
        runs.append(1)
        await asyncio.sleep(0)  # let the other resolutions reach the cache meanwhile
        await asyncio.sleep(0)
        return value, encode_value(value) if cacheable else None

    return runs, produce


def test_concurrent_identical_misses_run_the_data_source_once() -> None:
    cache = memory_cache()
    runs, produce = producer({"v": 1})

    async def scenario() -> list[Any]:
        return await asyncio.gather(
            *(cache.through("Query.item", KEY, 60, produce, decode_value) for _ in range(5))
        )

    assert asyncio.run(scenario()) == [{"v": 1}] * 5
    assert len(runs) == 1
    assert cache.metrics.by_resolver()["Query.item"] == {
        "hits": 4, "misses": 1, "evictions": 0, "errors": 0,
    }  # fmt: skip


@pytest.mark.parametrize(
    "failure",
    [pytest.param("uncacheable", id="uncacheable"), pytest.param("raises", id="raises")],
)
def test_waiters_run_their_own_when_the_first_result_is_not_stored(failure: str) -> None:
    cache = memory_cache()
    runs: list[int] = []

    async def produce() -> tuple[Any, bytes | None]:
        runs.append(1)
        await asyncio.sleep(0)
        if failure == "raises" and len(runs) == 1:
            raise RuntimeError("data source failed")
        return len(runs), None if failure == "uncacheable" else encode_value(len(runs))

    async def scenario() -> list[Any]:
        return await asyncio.gather(
            *(cache.through("Query.item", KEY, 60, produce, decode_value) for _ in range(3)),
            return_exceptions=True,
        )

    results = asyncio.run(scenario())
    assert len(runs) >= 2
    if failure == "raises":
        assert isinstance(results[0], RuntimeError)
    assert all(isinstance(r, int) for r in results[1:])


def test_an_unreachable_backend_degrades_and_recovers(
    private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """A Redis that stops: requests are answered (uncached), /health-style state is degraded,
    the backend is left alone for ``retry_after`` seconds, and caching resumes when it answers."""
    clock = Clock()
    settings = CacheSettings(redis_url=private_redis.url, retry_after=5)
    cache = ApiCache("t", CachingBehavior.PER_RESOLVER_CACHING, 60, settings, "ns", clock)
    runs, produce = producer("fresh")

    async def resolve() -> Any:
        return await cache.through("Query.item", KEY, 60, produce, decode_value)

    def counted() -> dict[str, int]:
        return cache.metrics.by_resolver()["Query.item"]

    async def scenario() -> None:
        assert await resolve() == "fresh"
        assert await resolve() == "fresh"
        assert len(runs) == 1  # the second came from Redis
        assert cache.healthy
        private_redis.stop()
        assert await resolve() == "fresh"  # GET fails: resolved uncached
        assert len(runs) == 2
        assert not cache.healthy
        assert cache.health()["state"] == "degraded"
        assert "ConnectionError" in cache.health()["lastError"]
        assert counted()["errors"] == 1
        assert await resolve() == "fresh"  # within retry_after: Redis is not asked
        assert counted()["errors"] == 1
        assert len(runs) == 3
        private_redis.start()
        clock.advance(5)
        assert await resolve() == "fresh"  # asked again: a miss that fills the entry
        assert cache.healthy
        assert await resolve() == "fresh"
        assert len(runs) == 4
        await cache.close()

    caplog.set_level(logging.ERROR, logger="syncline.cache")
    asyncio.run(scenario())
    assert any("serving requests uncached" in r.getMessage() for r in caplog.records)
