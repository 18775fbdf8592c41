"""Brokers carry events from the process that ran a mutation to every process with subscribers.

One machine: ``memory`` (in-process, the default). Several server processes: ``redis`` (Redis
pub/sub; ``--redis-url``). A broker plugs in as a ``Broker`` registered for its ``BrokerKind``;
registering a kind twice raises.

``publish`` never blocks the mutation that called it: the broker queues the event and delivers
it — to its own process too — through the ``deliver`` callback it was built with.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from subscriptions.events import Event

Deliver = Callable[[Event], None]


class BrokerKind(StrEnum):
    MEMORY = "memory"
    REDIS = "redis"


class BrokerState(StrEnum):
    CONNECTED = "connected"
    CONNECTING = "connecting"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"


class Broker(Protocol):
    kind: BrokerKind

    @property
    def state(self) -> BrokerState: ...

    async def start(self) -> None: ...

    def publish(self, event: Event) -> None:
        """Queue ``event`` for every subscribed process; never blocks, never raises."""
        ...

    async def stop(self) -> None: ...

    def health(self) -> dict[str, Any]:
        """What ``GET /health`` reports (never credentials)."""
        ...


BrokerFactory = Callable[[str | None, str, Deliver], Broker]
"""``factory(url, channel, deliver)``."""

_FACTORIES: dict[BrokerKind, BrokerFactory] = {}


def register(kind: BrokerKind) -> Callable[[BrokerFactory], BrokerFactory]:
    def decorator(factory: BrokerFactory) -> BrokerFactory:
        if kind in _FACTORIES:
            raise RuntimeError(f"broker kind {kind} is registered twice")
        _FACTORIES[kind] = factory
        return factory

    return decorator


def _load_builtin_kind(kind: BrokerKind) -> None:
    # Imported for its @register side effect. Only the kind in use is imported: redis is a heavy
    # import that a single process or a Lambda never needs (bench/cold_start.py).
    if kind is BrokerKind.REDIS:
        import subscriptions.brokers.redis
    else:
        import subscriptions.brokers.memory  # noqa: F401


def kind_for(url: str | None) -> BrokerKind:
    if not url:
        return BrokerKind.MEMORY
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return BrokerKind.REDIS
    raise ValueError(f"unsupported broker URL scheme {scheme!r}: use redis:// or rediss://")


def build_broker(url: str | None, channel: str, deliver: Deliver) -> Broker:
    kind = kind_for(url)
    _load_builtin_kind(kind)
    return _FACTORIES[kind](url, channel, deliver)
