"""The in-process cache: a cachetools TLRU cache bounded by entry count and by total bytes.

Each entry carries its own TTL (resolvers have different ones), so it is cachetools'
``TLRUCache`` (time-aware least recently used) with a time-to-use function, its ``maxsize``
counting bytes. The entry-count bound is enforced beside it: past either bound, the least
recently used live entry is evicted (and counted). An entry's size is its payload, its key and
a fixed ``ENTRY_OVERHEAD`` for the Python objects that hold them — an estimate, not a
measurement, kept so that a million tiny entries still count for something.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from cachetools import TLRUCache

from cache.backends import BackendOptions, CacheBackend, CacheBackendKind, register

ENTRY_OVERHEAD = 200
"""Bytes counted per entry besides its key and payload (object headers, the LRU links)."""


class _Entry(NamedTuple):
    payload: bytes
    ttl: float
    size: int


def _time_to_use(_key: str, entry: _Entry, now: float) -> float:
    return now + entry.ttl


def _size(entry: _Entry) -> int:
    return entry.size


class _Entries(TLRUCache[str, _Entry]):
    """``TLRUCache`` with a second bound (entries) and a hook for evictions made for room."""

    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        timer: Callable[[], float],
        on_evict: Callable[[str], None] | None,
    ) -> None:
        super().__init__(max_bytes, _time_to_use, timer=timer, getsizeof=_size)
        self.max_entries = max_entries
        self.on_evict = on_evict

    def __setitem__(self, key: str, value: _Entry) -> None:  # type: ignore[override]
        super().__setitem__(key, value)
        while len(self) > self.max_entries:
            self.popitem()

    def popitem(self) -> tuple[str, _Entry]:
        # cachetools calls this to make room for bytes; __setitem__ above, for entries.
        key, value = super().popitem()
        if self.on_evict is not None:
            self.on_evict(key)
        return key, value


class MemoryBackend:
    kind = CacheBackendKind.MEMORY

    def __init__(
        self,
        max_entries: int,
        max_bytes: int,
        clock: Callable[[], float] = time.monotonic,
        on_evict: Callable[[str], None] | None = None,
    ) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("the memory cache needs room for at least one entry and one byte")
        self.entries = _Entries(max_entries, max_bytes, clock, on_evict)

    async def get(self, key: str) -> bytes | None:
        entry = self.entries.get(key)
        return entry.payload if entry is not None else None

    async def set(self, key: str, payload: bytes, ttl: float) -> None:
        entry = _Entry(payload, ttl, len(payload) + len(key) + ENTRY_OVERHEAD)
        if entry.size > self.entries.maxsize:
            return  # larger than the whole cache: not cached (cachetools would raise)
        self.entries[key] = entry

    async def delete(self, keys: Sequence[str]) -> int:
        deleted = 0
        for key in keys:
            if key in self.entries:  # live entries only
                del self.entries[key]
                deleted += 1
        return deleted

    async def flush(self) -> int:
        self.entries.expire()
        count = len(self.entries)
        self.entries.clear()
        return count

    async def close(self) -> None:
        self.entries.clear()

    def describe(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "entries": len(self.entries),
            "bytes": int(self.entries.currsize),
            "maxEntries": self.entries.max_entries,
            "maxBytes": int(self.entries.maxsize),
        }


@register(CacheBackendKind.MEMORY)
def memory_backend(options: BackendOptions) -> CacheBackend:
    return MemoryBackend(
        options.max_entries,
        options.max_bytes,
        options.clock or time.monotonic,
        options.on_capacity_eviction,
    )
