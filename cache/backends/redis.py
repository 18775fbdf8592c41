"""The shared cache: Redis, so every server process of an API reads the same entries.

Entries are plain Redis strings named ``syncline:cache:<api id>:<entry key>`` with a
millisecond TTL (``SET … PX``), so Redis expires them itself, and ``syncline cache flush``
can remove one API's entries (``SCAN`` + ``UNLINK``) from any machine that reaches Redis. The
memory bound is Redis's own (``maxmemory`` and its eviction policy); evictions Redis makes for
room are not seen by Syncline's counters.

Nothing is kept in the process: every lookup asks Redis, so a flush or an eviction made by
another process is seen by the next lookup. A hit is one ``GET``, pipelined with the other
commands of its event-loop iteration on the client's one connection (``redis_client``).
Timeouts are short and nothing is retried: a Redis that does not answer costs a request at most
``REPLY_TIMEOUT`` before ``ApiCache`` serves it uncached and stops asking for a while.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cache.backends import BackendOptions, CacheBackend, CacheBackendKind, register
from cache.backends.redis_address import parse_redis_url
from cache.backends.redis_client import RedisClient
from cache.backends.resp import ProtocolError, Reply

KEY_PREFIX = "syncline:cache"
CONNECT_TIMEOUT = 0.5
REPLY_TIMEOUT = 0.5
#: Keys per SCAN page and per UNLINK while flushing.
FLUSH_BATCH = 500


def namespace_prefix(namespace: str) -> str:
    return f"{KEY_PREFIX}:{namespace}:"


class RedisBackend:
    kind = CacheBackendKind.REDIS

    def __init__(
        self,
        url: str,
        namespace: str,
        connect_timeout: float = CONNECT_TIMEOUT,
        reply_timeout: float = REPLY_TIMEOUT,
    ) -> None:
        self.prefix = namespace_prefix(namespace)
        self.client = RedisClient(parse_redis_url(url), connect_timeout, reply_timeout)

    async def get(self, key: str) -> bytes | None:
        value = await self.client.execute(b"GET", self.prefix + key)
        if value is not None and not isinstance(value, bytes):
            raise ProtocolError(f"GET answered {type(value).__name__}")
        return value

    async def set(self, key: str, payload: bytes, ttl: float) -> None:
        await self.client.execute(
            b"SET", self.prefix + key, payload, b"PX", max(1, round(ttl * 1000))
        )

    async def delete(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        return _integer(await self.client.execute(b"DEL", *(self.prefix + key for key in keys)))

    async def flush(self) -> int:
        """Remove every key of this API (``SCAN`` pages, each ``UNLINK``ed)."""
        removed = 0
        cursor: bytes = b"0"
        while True:
            page = await self.client.execute(
                b"SCAN", cursor, b"MATCH", self.prefix + "*", b"COUNT", FLUSH_BATCH
            )
            if not isinstance(page, list) or len(page) != 2:
                raise ProtocolError(f"SCAN answered {page!r:.80}")
            cursor_reply, keys = page
            if not isinstance(keys, list):
                raise ProtocolError(f"SCAN answered keys {keys!r:.80}")
            if keys:
                removed += _integer(await self.client.execute(b"UNLINK", *_keys(keys)))
            if not isinstance(cursor_reply, bytes):
                raise ProtocolError(f"SCAN answered cursor {cursor_reply!r:.80}")
            cursor = cursor_reply
            if cursor == b"0":
                return removed

    async def close(self) -> None:
        await self.client.aclose()

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind.value}


def _integer(reply: Reply) -> int:
    if not isinstance(reply, int):
        raise ProtocolError(f"expected an integer reply, got {type(reply).__name__}")
    return reply


def _keys(replies: list[Reply]) -> list[bytes]:
    keys = [key for key in replies if isinstance(key, bytes)]
    if len(keys) != len(replies):
        raise ProtocolError("SCAN answered a key that is not a string")
    return keys


@register(CacheBackendKind.REDIS)
def redis_backend(options: BackendOptions) -> CacheBackend:
    assert options.url is not None
    return RedisBackend(options.url, options.namespace)
