"""The in-process broker: events go to this process's subscribers only (one server process)."""

from __future__ import annotations

import asyncio
from typing import Any

from subscriptions.brokers import BrokerKind, BrokerState, Deliver, register
from subscriptions.events import Event


class MemoryBroker:
    kind = BrokerKind.MEMORY

    def __init__(self, deliver: Deliver) -> None:
        self._deliver = deliver

    @property
    def state(self) -> BrokerState:
        return BrokerState.CONNECTED

    async def start(self) -> None:
        return None

    def publish(self, event: Event) -> None:
        # After the current step: the mutation's response is not held up by the fan-out, and
        # events keep the order their mutations completed in (call_soon is FIFO).
        asyncio.get_running_loop().call_soon(self._deliver, event)

    async def stop(self) -> None:
        return None

    def health(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "state": self.state.value}


@register(BrokerKind.MEMORY)
def memory_broker(_url: str | None, _channel: str, deliver: Deliver) -> MemoryBroker:
    return MemoryBroker(deliver)
