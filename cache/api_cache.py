"""One API's cache: a backend, its counters, its health, and the read-through every cached
resolver and operation goes through.

A cache failure never fails a request. Every backend call is guarded: on failure the request
is served as if the entry were missing, the error is counted and logged, and the cache is
*degraded* — ``GET /health`` says so — and is not asked again for ``retry_after`` seconds
(doubling per failure, at most ``MAX_RETRY_AFTER``), so a Redis that is down costs one timeout
per interval rather than one per request. The first call that succeeds afterwards restores it.

Concurrent identical misses in one process are coalesced: while one resolution of a key runs,
others with the same key wait for its result instead of calling the data source again (they
run it themselves if that result turns out not to be cacheable).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cache.backends import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ENTRIES,
    BackendOptions,
    CacheBackend,
    build_backend,
)
from cache.keys import prefix_of
from cache.metrics import CONTENT_TYPE, CacheEvent, CacheMetrics, EvictionReason
from schema.model import CachingBehavior

log = logging.getLogger("syncline.cache")

T = TypeVar("T")

MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class CacheSettings:
    """How this server runs its caches: the ``syncline serve`` flags, not ``syncline.yml``.

    ``syncline.yml``'s ``caching:`` says *what* is cached (AppSync's settings); these say
    where entries live and who may flush them, which differ between a laptop and a fleet.
    """

    redis_url: str | None = None
    """``--redis-url``: entries in Redis, shared by every server process; else in memory."""
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_bytes: int = DEFAULT_MAX_BYTES
    admin_key: str | None = None
    """``--admin-key``: a secret that may flush the cache over HTTP (besides IAM)."""
    clock: Callable[[], float] | None = None
    """The memory backend's TTL clock (seconds); tests inject one to expire entries."""
    retry_after: float = 1.0
    """Seconds a degraded backend is left alone before it is asked again (then doubling)."""


class ApiCache:
    def __init__(
        self,
        api_name: str,
        behavior: CachingBehavior,
        ttl: int,
        settings: CacheSettings,
        namespace: str,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api_name = api_name
        self.behavior = behavior
        self.ttl = ttl
        """``appSync.caching.ttl``: full request and operation entries, and resolvers without one."""
        self.settings = settings
        self.metrics = CacheMetrics()
        self.backend: CacheBackend = build_backend(
            BackendOptions(
                namespace=namespace,
                url=settings.redis_url,
                max_entries=settings.max_entries,
                max_bytes=settings.max_bytes,
                clock=settings.clock,
                on_capacity_eviction=self._evicted_for_room,
            )
        )
        self._monotonic = monotonic
        """When a degraded backend may be asked again (not the TTL clock: Redis keeps its own)."""
        self._inflight: dict[str, asyncio.Future[bytes | None]] = {}
        self._failures = 0
        self._retry_at: float | None = None
        self._last_error: str | None = None

    # --- health -------------------------------------------------------------------------------

    @property
    def healthy(self) -> bool:
        return self._failures == 0

    def health(self) -> dict[str, Any]:
        """What ``GET /health`` reports: behaviour, backend, state and counters per resolver."""
        report: dict[str, Any] = {
            "behavior": self.behavior.value,
            "state": "ok" if self.healthy else "degraded",
            **self.backend.describe(),
            "resolvers": self.metrics.by_resolver(),
        }
        if not self.healthy:
            report["lastError"] = self._last_error
        return report

    def _available(self) -> bool:
        return self._retry_at is None or self._monotonic() >= self._retry_at

    def _succeeded(self) -> None:
        if self._failures:
            log.warning("the %s cache backend answers again; caching resumes", self.api_name)
            self._failures = 0
            self._retry_at = None
            self._last_error = None

    def _failed(self, operation: str, label: str, error: Exception) -> None:
        self.metrics.count(CacheEvent.ERROR, label)
        self._last_error = f"{operation}: {type(error).__name__}: {error}"
        delay = min(self.settings.retry_after * 2**self._failures, MAX_RETRY_AFTER)
        if self._failures == 0:
            log.error(
                "the %s cache backend failed (%s); serving requests uncached, retrying in %.1f s",
                self.api_name,
                self._last_error,
                delay,
            )
        else:
            log.debug("cache backend still failing (%s)", self._last_error)
        self._failures += 1
        self._retry_at = self._monotonic() + delay

    # --- guarded backend calls ----------------------------------------------------------------

    async def get(self, label: str, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            payload = await self.backend.get(key)
        except Exception as error:
            self._failed("get", label, error)
            return None
        self._succeeded()
        return payload

    async def set(self, label: str, key: str, payload: bytes, ttl: float) -> None:
        if not self._available():
            return
        try:
            await self.backend.set(key, payload, ttl)
        except Exception as error:
            self._failed("set", label, error)
            return
        self._succeeded()

    async def evict(self, keys: Sequence[str]) -> int:
        """Remove named entries (``extensions.evict_from_api_cache``); returns how many existed.

        Not skipped while degraded: an eviction is worth a timeout, since a missed one leaves a
        stale entry until its TTL.
        """
        groups: dict[str, list[str]] = {}
        for key in keys:
            groups.setdefault(prefix_of(key), []).append(key)
        total = 0
        for label, group in groups.items():
            try:
                deleted = await self.backend.delete(group)
            except Exception as error:
                self._failed("evict", label, error)
                continue
            self._succeeded()
            if deleted:
                self.metrics.count(CacheEvent.EVICTION, label, EvictionReason.API, deleted)
            total += deleted
        return total

    async def flush(self) -> int:
        """Remove every entry (``FlushApiCache``); raises if the backend fails."""
        removed = await self.backend.flush()
        self.metrics.flushes += 1
        self._succeeded()
        log.info("flushed the %s cache (%d entries)", self.api_name, removed)
        return removed

    async def close(self) -> None:
        try:
            await self.backend.close()
        except Exception:
            log.debug("closing the cache backend failed", exc_info=True)

    def _evicted_for_room(self, key: str) -> None:
        self.metrics.count(CacheEvent.EVICTION, prefix_of(key), EvictionReason.CAPACITY)

    # --- read-through -------------------------------------------------------------------------

    async def through(
        self,
        label: str,
        key: str,
        ttl: float,
        produce: Callable[[], Awaitable[tuple[T, bytes | None]]],
        decode: Callable[[bytes], T],
    ) -> T:
        """The cached value of ``key``, or ``produce()``'s, stored when it gives bytes.

        ``produce`` returns the value and its encoding, or None for the encoding when the value
        must not be cached (an error, a partial result, something JSON cannot hold).
        """
        payload = await self.get(label, key)
        if payload is None:
            leader = self._inflight.get(key)
            if leader is not None:
                payload = await asyncio.shield(leader)
        if payload is not None:
            self.metrics.count(CacheEvent.HIT, label)
            return decode(payload)
        self.metrics.count(CacheEvent.MISS, label)
        if key in self._inflight:
            # The result we waited for could not be stored, and another resolution of the key
            # has started since: run our own rather than wait again.
            value, _ = await produce()
            return value
        future: asyncio.Future[bytes | None] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        encoded: bytes | None = None
        try:
            value, encoded = await produce()
        finally:
            del self._inflight[key]
            future.set_result(encoded)
        if encoded is not None:
            await self.set(label, key, encoded, ttl)
        return value

    # --- metrics ------------------------------------------------------------------------------

    def metrics_text(self) -> str:
        described = self.backend.describe()
        gauges = {
            "syncline_cache_up": (
                "1 when the cache backend answers, 0 while degraded.",
                1.0 if self.healthy else 0.0,
            )
        }
        if "entries" in described:
            gauges["syncline_cache_entries"] = (
                "Live entries in the memory cache.",
                described["entries"],
            )
            gauges["syncline_cache_bytes"] = (
                "Bytes the memory cache counts (payloads, keys, per-entry overhead).",
                described["bytes"],
            )
        return self.metrics.render(self.api_name, gauges)

    @staticmethod
    def metrics_content_type() -> str:
        return CONTENT_TYPE
