"""The Redis broker: two ``syncline serve`` processes share events; a Redis outage degrades only
subscriptions across processes, and the broker reconnects by itself.

Uses the machine's Redis at 127.0.0.1:6379 (started here if it is not answering); the outage test
runs a private ``redis-server`` on a free port so it can stop and restart it (both fixtures come
from ``tests.redis_support``).
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from tests.live import ROOT, running_server
from tests.redis_support import PrivateRedis

EXAMPLE = ROOT / "examples" / "orders"
API_KEY = "da2-syncline-local-example-key"
SUBSCRIBE = 'subscription { onOrderUpdated(customerId: "%s") { id customerId status } }'
PLACE = """mutation { placeOrder(input: {customerId: "%s", items: [{sku: "A", quantity: 1,
  price: 3}], cardToken: "tok"}) { id customerId status } }"""


async def health(base: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=5) as client:
        body: dict[str, Any] = (await client.get(f"{base}/health")).json()
        return body


async def until(check: Any, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.05)


async def place(base: str, customer: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{base}/graphql", json={"query": PLACE % customer}, headers={"x-api-key": API_KEY}
        )
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()["data"]["placeOrder"]
    return order


async def subscribe(base: str, customer: str) -> Any:
    ws = await websockets.connect(
        base.replace("http", "ws") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
    )
    await ws.send(json.dumps({"type": "connection_init", "payload": {"x-api-key": API_KEY}}))
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    query = SUBSCRIBE % customer
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))

    async def registered() -> bool:
        return bool((await health(base))["subscriptions"]["subscriptions"] == 1)

    await until(registered)
    return ws


async def next_order(ws: Any) -> Any:
    message = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert message["type"] == "next"
    return message["payload"]["data"]["onOrderUpdated"]


def test_two_server_processes_share_events(machine_redis: str, tmp_path: Path) -> None:
    with (
        running_server(EXAMPLE, tmp_path / "a", "--redis-url", machine_redis) as a,
        running_server(EXAMPLE, tmp_path / "b", "--redis-url", machine_redis) as b,
    ):

        async def run() -> None:
            for base in (a, b):

                async def connected(base: str = base) -> bool:
                    broker = (await health(base))["subscriptions"]["broker"]
                    return bool(broker["state"] == "connected")

                await until(connected)
            assert (await health(a))["subscriptions"]["broker"] == {
                "kind": "redis",
                "state": "connected",
                "undeliveredEvents": 0,
            }
            ws = await subscribe(a, "two-procs")
            try:
                placed_on_b = await place(b, "two-procs")
                assert await next_order(ws) == placed_on_b
                placed_on_a = await place(a, "two-procs")
                assert await next_order(ws) == placed_on_a
            finally:
                await ws.close()

        asyncio.run(run())


def test_redis_outage_degrades_then_recovers(private_redis: PrivateRedis, tmp_path: Path) -> None:
    with running_server(EXAMPLE, tmp_path / "data", "--redis-url", private_redis.url) as base:

        async def broker_state() -> dict[str, Any]:
            return (await health(base))["subscriptions"]["broker"]  # type: ignore[no-any-return]

        async def run() -> None:
            ws = await subscribe(base, "outage")
            try:
                private_redis.stop()

                async def reconnecting() -> bool:
                    return bool((await broker_state())["state"] == "reconnecting")

                await until(reconnecting)
                assert (await health(base))["status"] == "degraded"
                # Queries and mutations are still served; this process's subscribers still get
                # the event, and it is counted (and logged) as not delivered elsewhere.
                during = await place(base, "outage")
                assert await next_order(ws) == during
                assert (await broker_state())["undeliveredEvents"] == 1

                private_redis.start()

                async def connected() -> bool:
                    return bool((await broker_state())["state"] == "connected")

                await until(connected)
                assert (await health(base))["status"] == "ok"
                after = await place(base, "outage")
                assert await next_order(ws) == after
                assert (await broker_state())["undeliveredEvents"] == 1
            finally:
                await ws.close()

        asyncio.run(run())
