"""Redis pub/sub: subscribers on any server process receive mutations run by any other.

Every process publishes its events to one channel per API and receives them all back — its own
included — so delivery order is the channel's order everywhere. Events are JSON
(``subscriptions.events``).

When Redis is unreachable the server keeps serving queries and mutations: events are then
delivered to this process's own subscribers only, and each one is logged as not delivered to the
other processes. The subscriber side reconnects with exponential backoff and jitter (0.1 s up to
5 s); ``state`` and ``GET /health`` say ``reconnecting`` meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from subscriptions.brokers import BrokerKind, BrokerState, Deliver, register
from subscriptions.events import Event

log = logging.getLogger("syncline.subscriptions.redis")

BACKOFF_START = 0.1
BACKOFF_MAX = 5.0
#: Events waiting for a PUBLISH; past this the oldest is dropped (and logged) rather than
#: letting a stalled Redis grow memory.
MAX_PENDING = 10_000


class RedisBroker:
    kind = BrokerKind.REDIS

    def __init__(self, url: str, channel: str, deliver: Deliver) -> None:
        self.url = url
        self.channel = channel
        self._deliver = deliver
        self._client = aioredis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=10
        )
        self._state = BrokerState.STOPPED
        self._pending: asyncio.Queue[Event] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.undelivered = 0
        """Events that reached only this process's subscribers (for tests and /health)."""

    @property
    def state(self) -> BrokerState:
        return self._state

    async def start(self) -> None:
        self._state = BrokerState.CONNECTING
        self._pending = asyncio.Queue()
        ready = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._receive(ready), name="syncline-redis-receive"),
            asyncio.create_task(self._publish_loop(), name="syncline-redis-publish"),
        ]
        # Wait briefly for the first subscription so a mutation right after start-up is not
        # missed; a Redis that is down does not stop the server from starting.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ready.wait(), timeout=2)

    def publish(self, event: Event) -> None:
        if self._state is not BrokerState.CONNECTED or self._pending is None:
            self._local_only(event, f"Redis is {self._state.value}")
            return
        if self._pending.qsize() >= MAX_PENDING:
            dropped = self._pending.get_nowait()
            self._local_only(dropped, "too many events waiting for Redis")
        self._pending.put_nowait(event)

    def _local_only(self, event: Event, reason: str) -> None:
        self.undelivered += 1
        log.error(
            "%s was not delivered to other server processes (%s); delivering it to this "
            "process's subscribers only",
            event.describe(),
            reason,
        )
        asyncio.get_running_loop().call_soon(self._deliver, event)

    async def _publish_loop(self) -> None:
        assert self._pending is not None
        while True:
            event = await self._pending.get()
            try:
                await self._client.publish(self.channel, event.to_json())
            except (RedisError, OSError) as error:
                self._local_only(event, f"PUBLISH failed: {error}")

    async def _receive(self, ready: asyncio.Event) -> None:
        delay = BACKOFF_START
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                if self._state is not BrokerState.CONNECTED:
                    if self._state is BrokerState.RECONNECTING:
                        log.warning("Redis broker reconnected to %s", self.channel)
                    self._state = BrokerState.CONNECTED
                ready.set()
                delay = BACKOFF_START
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        event = Event.from_json(message["data"])
                    except ValueError as error:
                        log.warning("ignoring a message on %s: %s", self.channel, error)
                        continue
                    self._deliver(event)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as error:
                if self._state is not BrokerState.RECONNECTING:
                    log.error("Redis broker lost its connection (%s); reconnecting", error)
                self._state = BrokerState.RECONNECTING
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay * (0.5 + random.random() / 2))
            delay = min(delay * 2, BACKOFF_MAX)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks = []
        self._state = BrokerState.STOPPED
        with contextlib.suppress(Exception):
            await self._client.aclose()

    def health(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "state": self._state.value,
            "undeliveredEvents": self.undelivered,
        }


@register(BrokerKind.REDIS)
def redis_broker(url: str | None, channel: str, deliver: Deliver) -> RedisBroker:
    assert url is not None
    return RedisBroker(url, channel, deliver)
