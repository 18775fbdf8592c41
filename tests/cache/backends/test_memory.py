"""The memory backend: TTLs on the injected clock, the entry and byte bounds, what is evicted."""

from __future__ import annotations

import asyncio

import pytest

from cache.backends.memory import ENTRY_OVERHEAD, MemoryBackend
from tests.cache.support import Clock


def run(coroutine):  # type: ignore[no-untyped-def]
    return asyncio.run(coroutine)


def size(key: str, payload: bytes) -> int:
    return len(key) + len(payload) + ENTRY_OVERHEAD


def backend(
    max_entries: int = 100, max_bytes: int = 1 << 20
) -> tuple[MemoryBackend, Clock, list[str]]:
    clock, evicted = Clock(), list[str]()
    return MemoryBackend(max_entries, max_bytes, clock, evicted.append), clock, evicted


def test_entries_live_for_their_own_ttl() -> None:
    cache, clock, _ = backend()

    async def scenario() -> list[bytes | None]:
        await cache.set("A.a:1", b"short", 10)
        await cache.set("A.a:2", b"long", 100)
        clock.advance(9.9)
        seen = [await cache.get("A.a:1"), await cache.get("A.a:2")]
        clock.advance(0.1)
        seen += [await cache.get("A.a:1"), await cache.get("A.a:2")]
        clock.advance(90)
        return [*seen, await cache.get("A.a:2")]

    assert run(scenario()) == [b"short", b"long", None, b"long", None]
    assert cache.describe()["entries"] == 0


@pytest.mark.parametrize(
    ("max_entries", "max_bytes", "survivors"),
    [
        pytest.param(2, 1 << 20, ["A.a:2", "A.a:3"], id="entry-bound"),
        pytest.param(100, 2 * size("A.a:1", b"x" * 100), ["A.a:2", "A.a:3"], id="byte-bound"),
    ],
)
def test_past_either_bound_the_least_recently_used_entry_goes(
    max_entries: int, max_bytes: int, survivors: list[str]
) -> None:
    cache, _, evicted = backend(max_entries, max_bytes)

    async def scenario() -> list[str]:
        for key in ("A.a:1", "A.a:2"):
            await cache.set(key, b"x" * 100, 60)
        await cache.get("A.a:1")  # now 2 is the least recently used...
        await cache.get("A.a:2")  # ...no: 1 is again
        await cache.set("A.a:3", b"x" * 100, 60)
        return [k for k in ("A.a:1", "A.a:2", "A.a:3") if await cache.get(k) is not None]

    assert run(scenario()) == survivors
    assert evicted == ["A.a:1"]
    described = cache.describe()
    assert described["entries"] == 2
    assert described["bytes"] == 2 * size("A.a:1", b"x" * 100)


def test_an_entry_larger_than_the_whole_cache_is_not_stored() -> None:
    cache, _, evicted = backend(max_bytes=1000)

    async def scenario() -> bytes | None:
        await cache.set("A.a:small", b"ok", 60)
        await cache.set("A.a:big", b"x" * 1000, 60)
        return await cache.get("A.a:big")

    assert run(scenario()) is None
    assert evicted == []
    assert cache.describe()["entries"] == 1


def test_delete_counts_live_entries_and_flush_empties() -> None:
    cache, clock, _ = backend()

    async def scenario() -> tuple[int, int]:
        await cache.set("A.a:1", b"1", 10)
        await cache.set("A.a:2", b"2", 100)
        await cache.set("A.a:3", b"3", 100)
        clock.advance(20)  # A.a:1 expired
        deleted = await cache.delete(["A.a:1", "A.a:2", "A.a:missing"])
        return deleted, await cache.flush()

    assert run(scenario()) == (1, 1)
    assert cache.describe()["entries"] == 0


def test_bounds_must_leave_room() -> None:
    with pytest.raises(ValueError, match="at least one entry"):
        MemoryBackend(0, 100)
