"""Legacy graphql-ws (subscriptions-transport-ws) on WS /graphql: exact wire messages."""

from __future__ import annotations

import asyncio
from typing import Any

import websockets

from subscriptions.protocols.base import StandardCloseCode
from tests.apis import API_KEY
from tests.subscriptions.support import (
    create_ticket,
    expect_close,
    in_thread,
    recv_json,
    send_json,
    wait_for_subscriptions,
    ws_url,
)

ON_TICKET = 'subscription { onTicket(group: "legacy") { id } }'


def connect(base: str) -> Any:
    return websockets.connect(ws_url(base), subprotocols=["graphql-ws"])  # type: ignore[list-item]


def test_init_ack_ka_start_data_stop_complete(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            assert ws.subprotocol == "graphql-ws"
            await send_json(ws, {"type": "connection_init", "payload": {"x-api-key": API_KEY}})
            assert await recv_json(ws) == {"type": "connection_ack"}
            assert await recv_json(ws) == {"type": "ka"}
            await send_json(ws, {"id": "1", "type": "start", "payload": {"query": ON_TICKET}})
            await in_thread(wait_for_subscriptions, base, 1)
            await in_thread(create_ticket, base, id="L1", group="legacy")
            assert await recv_json(ws) == {
                "id": "1",
                "type": "data",
                "payload": {"data": {"onTicket": {"id": "L1"}}},
            }
            await send_json(ws, {"id": "1", "type": "stop"})
            assert await recv_json(ws) == {"id": "1", "type": "complete"}
            # Bad frames get an error message; the connection stays.
            await ws.send("{nope")
            assert await recv_json(ws) == {
                "type": "error",
                "payload": {"message": "Message is not valid JSON"},
            }
            await send_json(ws, {"id": "9", "type": "subscribe"})
            assert await recv_json(ws) == {
                "type": "error",
                "id": "9",
                "payload": {"message": "Invalid message type!"},
            }
            await send_json(ws, {"type": "connection_terminate"})
            code, _ = await expect_close(ws)
            assert code == StandardCloseCode.NORMAL_CLOSURE

    asyncio.run(run())


def test_refused_credentials_get_connection_error(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await send_json(ws, {"type": "connection_init", "payload": {"x-api-key": "nope"}})
            assert await recv_json(ws) == {
                "type": "connection_error",
                "payload": {"message": "Unauthorized"},
            }
            code, _ = await expect_close(ws)
            assert code == StandardCloseCode.INTERNAL_ERROR

    asyncio.run(run())


def test_start_before_init_is_an_error(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await send_json(ws, {"id": "e", "type": "start", "payload": {"query": ON_TICKET}})
            assert await recv_json(ws) == {
                "type": "error",
                "id": "e",
                "payload": {
                    "message": "The connection is not initialised: send connection_init first"
                },
            }

    asyncio.run(run())
