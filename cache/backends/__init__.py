"""Where cache entries live: in this process (``memory``, cachetools) or in Redis (``redis``).

One machine: ``memory``, bounded by entry count and by total bytes. Several server processes:
``redis`` (``--redis-url``), shared by all of them. A backend plugs in as a ``CacheBackend``
registered for its ``CacheBackendKind``; registering a kind twice raises.

Backends only store bytes under string keys with a TTL. They may raise anything when their
store fails (a Redis outage raises a ``cache.backends.resp.RedisError``):
``cache.api_cache.ApiCache`` catches it, so a cache failure never fails a request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

#: Bounds of the memory backend when none are configured.
DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class CacheBackendKind(StrEnum):
    MEMORY = "memory"
    REDIS = "redis"


class CacheBackend(Protocol):
    kind: CacheBackendKind

    async def get(self, key: str) -> bytes | None:
        """The live entry's bytes, or None."""
        ...

    async def set(self, key: str, payload: bytes, ttl: float) -> None:
        """Store ``payload`` for ``ttl`` seconds (a value too large for the store is dropped)."""
        ...

    async def delete(self, keys: Sequence[str]) -> int:
        """Remove entries; returns how many existed."""
        ...

    async def flush(self) -> int:
        """Remove every entry of this API; returns how many there were (when known)."""
        ...

    async def close(self) -> None: ...

    def describe(self) -> dict[str, Any]:
        """What ``GET /health`` reports about the store (never credentials)."""
        ...


@dataclass(frozen=True)
class BackendOptions:
    """What backend factories may use."""

    namespace: str
    """Keeps this API's entries apart from other APIs' in a shared store (its API id)."""
    url: str | None = None
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_bytes: int = DEFAULT_MAX_BYTES
    clock: Callable[[], float] | None = None
    """Seconds, for the memory backend's TTLs (tests inject one; default ``time.monotonic``)."""
    on_capacity_eviction: Callable[[str], None] | None = None
    """Told the key of every entry removed to make room (the eviction counters)."""


BackendFactory = Callable[[BackendOptions], CacheBackend]

_FACTORIES: dict[CacheBackendKind, BackendFactory] = {}


def register(kind: CacheBackendKind) -> Callable[[BackendFactory], BackendFactory]:
    def decorator(factory: BackendFactory) -> BackendFactory:
        if kind in _FACTORIES:
            raise RuntimeError(f"cache backend kind {kind} is registered twice")
        _FACTORIES[kind] = factory
        return factory

    return decorator


def _load_builtin_kind(kind: CacheBackendKind) -> None:
    # Imported for its @register side effect; each module is one backend. Only the kind in use
    # is imported: a single machine or a Lambda never needs the Redis client (nor ssl).
    if kind is CacheBackendKind.REDIS:
        import cache.backends.redis
    else:
        import cache.backends.memory  # noqa: F401


def kind_for(url: str | None) -> CacheBackendKind:
    if not url:
        return CacheBackendKind.MEMORY
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return CacheBackendKind.REDIS
    raise ValueError(f"unsupported cache URL scheme {scheme!r}: use redis:// or rediss://")


def build_backend(options: BackendOptions) -> CacheBackend:
    kind = kind_for(options.url)
    _load_builtin_kind(kind)
    return _FACTORIES[kind](options)
