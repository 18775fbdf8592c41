"""The shared cache: Redis, so every server process of an API reads the same entries.

Entries are plain Redis strings named ``syncline:cache:<api id>:<entry key>`` with a
millisecond TTL (``SET … PX``), so Redis expires them itself, and ``syncline cache flush``
can remove one API's entries (``SCAN`` + ``UNLINK``) from any machine that reaches Redis. The
memory bound is Redis's own (``maxmemory`` and its eviction policy); evictions Redis makes for
room are not seen by Syncline's counters.

Lookups made in the same event-loop iteration are sent as one ``MGET``. Timeouts are short and
redis-py's retries are off: a Redis that does not answer costs a request
at most ``SOCKET_TIMEOUT`` before ``ApiCache`` serves it uncached and stops asking for a while.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from cache.backends import BackendOptions, CacheBackend, CacheBackendKind, register

KEY_PREFIX = "syncline:cache"
CONNECT_TIMEOUT = 0.5
SOCKET_TIMEOUT = 0.5
#: Keys per SCAN page and per UNLINK while flushing.
FLUSH_BATCH = 500


_ABANDONED = object()


def _as_bytes(value: Any) -> bytes | None:
    return value.encode() if isinstance(value, str) else value


def _settle(
    followers: list[tuple[str, asyncio.Future[Any]]],
    *,
    value: Any = None,
    error: Exception | None = None,
) -> None:
    for _, future in followers:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)


def namespace_prefix(namespace: str) -> str:
    return f"{KEY_PREFIX}:{namespace}:"


class RedisBackend:
    kind = CacheBackendKind.REDIS

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.prefix = namespace_prefix(namespace)
        self.client = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=CONNECT_TIMEOUT,
            socket_timeout=SOCKET_TIMEOUT,
            retry=Retry(NoBackoff(), 0),
        )
        self._joining: list[tuple[str, asyncio.Future[Any]]] | None = None
        """The lookups waiting for the ``MGET`` of the lookup that yields to the loop now."""

    async def get(self, key: str) -> bytes | None:
        """One lookup. Lookups made in the same event-loop iteration share one ``MGET``
        (auto-pipelining): under load that is one round trip and one command's client overhead
        for many requests, and a lone lookup pays only for yielding once to the loop."""
        full = self.prefix + key
        if self._joining is not None:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._joining.append((full, future))
            value = await future
            if value is _ABANDONED:  # the lookup that sent the batch was cancelled
                value = await self.client.get(full)
            return _as_bytes(value)
        followers: list[tuple[str, asyncio.Future[Any]]] = []
        self._joining = followers
        try:
            try:
                await asyncio.sleep(0)  # the lookups of this loop iteration join
            finally:
                self._joining = None
            if followers:
                values = await self.client.mget([full, *(k for k, _ in followers)])
            else:
                values = [await self.client.get(full)]
        except Exception as error:
            _settle(followers, error=error)  # they fail as this one does
            raise
        except BaseException:
            _settle(followers, value=_ABANDONED)  # cancelled: they ask for themselves
            raise
        for (_, future_), value_ in zip(followers, values[1:], strict=True):
            if not future_.done():
                future_.set_result(value_)
        return _as_bytes(values[0])

    async def set(self, key: str, payload: bytes, ttl: float) -> None:
        await self.client.set(self.prefix + key, payload, px=max(1, round(ttl * 1000)))

    async def delete(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        return int(await self.client.delete(*(self.prefix + key for key in keys)))

    async def flush(self) -> int:
        return await flush_namespace(self.client, self.prefix)

    async def close(self) -> None:
        await self.client.aclose()

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind.value}


async def flush_namespace(client: aioredis.Redis, prefix: str) -> int:
    """Remove every key under ``prefix``; returns how many were removed."""
    removed = 0
    batch: list[bytes] = []
    async for key in client.scan_iter(match=prefix + "*", count=FLUSH_BATCH):
        batch.append(key)
        if len(batch) >= FLUSH_BATCH:
            removed += int(await client.unlink(*batch))
            batch = []
    if batch:
        removed += int(await client.unlink(*batch))
    return removed


@register(CacheBackendKind.REDIS)
def redis_backend(options: BackendOptions) -> CacheBackend:
    assert options.url is not None
    return RedisBackend(options.url, options.namespace)
