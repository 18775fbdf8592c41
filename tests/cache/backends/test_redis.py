"""The Redis backend through the whole server: entries in Redis with Redis's own TTL, evicted
and flushed there, kept apart per API; and a Redis stopped mid-test (a private
``redis-server``, never the machine's shared one) never fails a request."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

import cache.backends.redis
from auth.identity import api_id
from cache.backends.redis import RedisBackend, namespace_prefix
from cache.backends.resp import RedisConnectionError
from tests.cache.support import ADMIN_KEY, client, post, write_cache_api
from tests.cache.test_resolver import ITEM, PER, calls
from tests.live import free_port
from tests.redis_support import PrivateRedis

ITEM_CACHING = "caching: {ttl: 30, keys: [$context.arguments.id]}"


@pytest.fixture
def api_name(machine_redis: str) -> Iterator[str]:
    """A name of this test's own, so its keys never meet another test's on the shared Redis."""
    name = f"cachetest-{uuid.uuid4().hex[:12]}"
    yield name
    connection = redis.Redis.from_url(machine_redis)
    leftovers = list(connection.scan_iter(match=namespace_prefix(api_id(name)) + "*"))
    if leftovers:
        connection.delete(*leftovers)


def keys_of(url: str, name: str) -> dict[str, int]:
    """This API's keys in Redis and their remaining TTL in milliseconds."""
    connection = redis.Redis.from_url(url)
    prefix = namespace_prefix(api_id(name))
    return {
        key.decode().removeprefix(prefix): int(connection.pttl(key))
        for key in connection.scan_iter(match=prefix + "*")
    }


def test_entries_live_in_redis_with_their_ttl(
    tmp_path: Path, machine_redis: str, api_name: str
) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING, name=api_name)
    with client(root, redis_url=machine_redis, admin_key=ADMIN_KEY) as c:
        first = calls(post(c, ITEM, {"id": "1"}))
        assert calls(post(c, ITEM, {"id": "1"}, "alice")) == first  # shared: the keys say so
        post(c, ITEM, {"id": "2"})
        stored = keys_of(machine_redis, api_name)
        assert sorted(k.split(":")[0] for k in stored) == ["Query.item", "Query.item"]
        assert all(29_000 < ttl <= 30_000 for ttl in stored.values()), stored

        renamed = post(c, 'mutation { rename(id: "1", label: "x") { id } }')
        assert renamed["extensions"] == {"apiCacheEntriesDeleted": 1}
        assert len(keys_of(machine_redis, api_name)) == 1

        flushed = c.delete(
            f"/v1/apis/{api_id(api_name)}/FlushCache", headers={"x-syncline-admin-key": ADMIN_KEY}
        )
        assert flushed.status_code == 200
        assert flushed.headers["x-syncline-flushed-entries"] == "1"
        assert keys_of(machine_redis, api_name) == {}
        health = c.get("/health").json()
    assert health["status"] == "ok"
    assert health["cache"]["kind"] == "redis"
    assert health["cache"]["resolvers"]["Query.item"] == {
        "hits": 1, "misses": 2, "evictions": 1, "errors": 0,
    }  # fmt: skip


def test_apis_sharing_a_redis_keep_their_entries_apart(
    tmp_path: Path, machine_redis: str, api_name: str
) -> None:
    other = f"{api_name}-other"
    one = write_cache_api(tmp_path / "one", PER, ITEM_CACHING, name=api_name)
    two = write_cache_api(tmp_path / "two", PER, ITEM_CACHING, name=other)
    try:
        with client(one, redis_url=machine_redis) as a, client(two, redis_url=machine_redis) as b:
            from_a = calls(post(a, ITEM, {"id": "1"}))
            from_b = calls(post(b, ITEM, {"id": "1"}))
            assert calls(post(b, ITEM, {"id": "1"})) == from_b
            assert calls(post(a, ITEM, {"id": "1"})) == from_a
            metrics_b = b.get("/metrics").text
        assert f'syncline_cache_misses_total{{api="{other}",resolver="Query.item"}} 1' in metrics_b
    finally:
        connection = redis.Redis.from_url(machine_redis)
        for key in connection.scan_iter(match=namespace_prefix(api_id(other)) + "*"):
            connection.delete(key)


def test_redis_stopped_mid_test_serves_uncached_and_recovers(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    with client(root, redis_url=private_redis.url, retry_after=0.05) as c:
        first = calls(post(c, ITEM, {"id": "1"}))
        assert calls(post(c, ITEM, {"id": "1"})) == first

        private_redis.stop()
        during = [post(c, ITEM, {"id": "1"}) for _ in range(3)]
        assert all(set(body) == {"data"} for body in during)  # answered, without errors
        assert len({calls(body) for body in during} | {first}) == 4  # each one resolved
        health = c.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["cache"]["state"] == "degraded"
        assert "ConnectionError" in health.json()["cache"]["lastError"]
        metrics = c.get("/metrics").text
        assert 'syncline_cache_up{api="cachetest"} 0' in metrics
        assert 'syncline_cache_errors_total{api="cachetest",resolver="Query.item"}' in metrics

        private_redis.start()
        deadline = time.monotonic() + 10
        while c.get("/health").json()["status"] != "ok":
            assert time.monotonic() < deadline, "the cache did not recover"
            post(c, ITEM, {"id": "2"})  # a request is what asks Redis again
            time.sleep(0.05)
        again = calls(post(c, ITEM, {"id": "1"}))
        assert calls(post(c, ITEM, {"id": "1"})) == again


@pytest.fixture
def backend(machine_redis: str, api_name: str) -> RedisBackend:
    return RedisBackend(machine_redis, api_id(api_name))


def test_lookups_of_one_loop_iteration_are_answered_each(backend: RedisBackend) -> None:
    async def scenario() -> list[bytes | None]:
        await backend.set("Query.a:1", b"one", 60)
        await backend.set("Query.a:2", b"two", 60)
        try:
            return list(
                await asyncio.gather(
                    backend.get("Query.a:1"),
                    backend.get("Query.a:missing"),
                    backend.get("Query.a:2"),
                )
            )
        finally:
            await backend.close()

    assert asyncio.run(scenario()) == [b"one", None, b"two"]


def test_a_cancelled_lookup_leaves_the_others_of_its_batch_answered(
    backend: RedisBackend,
) -> None:
    async def scenario() -> bytes | None:
        await backend.set("Query.a:2", b"two", 60)
        try:
            first = asyncio.create_task(backend.get("Query.a:1"))
            second = asyncio.create_task(backend.get("Query.a:2"))
            await asyncio.sleep(0)  # both started; the first sends the batch next
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first
            return await second
        finally:
            await backend.close()

    assert asyncio.run(scenario()) == b"two"


def test_a_failed_batch_fails_every_lookup_in_it() -> None:
    nothing_there = RedisBackend(f"redis://127.0.0.1:{free_port()}/0", "ns")

    async def scenario() -> list[Any]:
        try:
            return list(
                await asyncio.gather(
                    nothing_there.get("a"), nothing_there.get("b"), return_exceptions=True
                )
            )
        finally:
            await nothing_there.close()

    results = asyncio.run(scenario())
    assert all(isinstance(r, RedisConnectionError) for r in results), results


def test_flush_removes_every_page_of_this_api_only(
    backend: RedisBackend, machine_redis: str, api_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache.backends.redis, "FLUSH_BATCH", 7)
    other = namespace_prefix(api_id(api_name + "-other")) + "Query.a:1"
    connection = redis.Redis.from_url(machine_redis)
    connection.set(other, b"kept", px=60_000)

    async def scenario() -> tuple[int, int]:
        try:
            for i in range(40):
                await backend.set(f"Query.a:{i}", b"x", 60)
            await backend.delete(["Query.a:0"])
            return await backend.flush(), await backend.flush()
        finally:
            await backend.close()

    try:
        assert asyncio.run(scenario()) == (39, 0)
        assert keys_of(machine_redis, api_name) == {}
        assert connection.get(other) == b"kept"
    finally:
        connection.delete(other)
