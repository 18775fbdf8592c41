"""graphql-transport-ws on WS /graphql: exact messages and close codes (graphql-ws PROTOCOL.md)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets

from subscriptions.protocols.base import StandardCloseCode
from subscriptions.protocols.graphql_transport_ws.types import SUBPROTOCOL, CloseCode
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

ON_TICKET = 'subscription { onTicket(group: "ops") { id group severity } }'


def connect(base: str) -> Any:
    return websockets.connect(ws_url(base), subprotocols=[SUBPROTOCOL])  # type: ignore[list-item]


async def init(ws: Any, payload: Any = None) -> None:
    await send_json(ws, {"type": "connection_init", "payload": payload or {"x-api-key": API_KEY}})
    assert await recv_json(ws) == {"type": "connection_ack"}


def test_subscribe_receives_next_then_complete_stops_it(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            assert ws.subprotocol == SUBPROTOCOL
            await init(ws)
            await send_json(ws, {"id": "s1", "type": "subscribe", "payload": {"query": ON_TICKET}})
            await in_thread(wait_for_subscriptions, base, 1)
            await in_thread(create_ticket, base, id="t1", group="ops", severity=2)
            await in_thread(create_ticket, base, id="t2", group="dev", severity=2)
            assert await recv_json(ws) == {
                "id": "s1",
                "type": "next",
                "payload": {"data": {"onTicket": {"id": "t1", "group": "ops", "severity": 2}}},
            }
            await send_json(ws, {"id": "s1", "type": "complete"})
            await in_thread(wait_for_subscriptions, base, 0)
            await send_json(ws, {"type": "ping"})
            assert await recv_json(ws) == {"type": "pong"}

    asyncio.run(run())


def test_credentials_in_a_headers_object_and_queries_over_the_socket(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws, {"headers": {"X-Api-Key": API_KEY}})
            await send_json(
                ws, {"id": "q", "type": "subscribe", "payload": {"query": "{ __typename }"}}
            )
            assert await recv_json(ws) == {
                "id": "q",
                "type": "next",
                "payload": {"data": {"__typename": "Query"}},
            }
            assert await recv_json(ws) == {"id": "q", "type": "complete"}

    asyncio.run(run())


def test_validation_errors_end_the_operation_with_error(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            query = "subscription { onTicket { nope } }"
            await send_json(ws, {"id": "bad", "type": "subscribe", "payload": {"query": query}})
            message = await recv_json(ws)
            assert message["id"] == "bad"
            assert message["type"] == "error"
            assert "Cannot query field 'nope' on type 'Ticket'" in message["payload"][0]["message"]

    asyncio.run(run())


def test_subscription_resolver_may_refuse(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            query = "subscription { onRefused { id } }"
            await send_json(ws, {"id": "r", "type": "subscribe", "payload": {"query": query}})
            assert await recv_json(ws) == {
                "id": "r",
                "type": "error",
                "payload": [
                    {
                        "errorType": "Unauthorized",
                        "message": "Not Authorized to access onRefused on type Subscription",
                        "errorCode": 401,
                    }
                ],
            }

    asyncio.run(run())


async def _closed_after(base: str, *messages: Any, init_first: bool = True) -> tuple[Any, Any]:
    async with connect(base) as ws:
        if init_first:
            await init(ws)
        for message in messages:
            if isinstance(message, str):
                await ws.send(message)
            else:
                await send_json(ws, message)
        return await expect_close(ws)


SUBSCRIBE = {"id": "1", "type": "subscribe", "payload": {"query": ON_TICKET}}


@pytest.mark.parametrize(
    ("messages", "init_first", "code", "reason"),
    [
        pytest.param(["{nope"], True, CloseCode.BAD_REQUEST, "Invalid message received: Message is not valid JSON", id="invalid-json"),
        pytest.param([{"type": "launch"}], True, CloseCode.BAD_REQUEST, "Invalid message received: unknown type 'launch'", id="unknown-type"),
        pytest.param(["[1]"], True, CloseCode.BAD_REQUEST, "Invalid message received: Message must be a JSON object with a string 'type'", id="not-an-object"),
        pytest.param([{"id": "1", "type": "subscribe"}], True, CloseCode.BAD_REQUEST, "Invalid message received: subscribe needs a string id and an object payload", id="subscribe-without-payload"),
        pytest.param([SUBSCRIBE], False, CloseCode.UNAUTHORIZED, "Unauthorized", id="subscribe-before-ack"),
        pytest.param([SUBSCRIBE, SUBSCRIBE], True, CloseCode.SUBSCRIBER_ALREADY_EXISTS, "Subscriber for 1 already exists", id="duplicate-id"),
        pytest.param([{"type": "connection_init"}], True, CloseCode.TOO_MANY_INITIALISATION_REQUESTS, "Too many initialisation requests", id="second-init"),
        pytest.param([{"type": "connection_init", "payload": {"x-api-key": "wrong"}}], False, CloseCode.FORBIDDEN, "Forbidden", id="bad-credentials"),
        pytest.param([{"type": "connection_init"}], False, CloseCode.FORBIDDEN, "Forbidden", id="no-credentials"),
        pytest.param(["x" * 5000], True, StandardCloseCode.MESSAGE_TOO_BIG, "Message of 5000 bytes exceeds 4096", id="too-large"),
        pytest.param([], False, CloseCode.CONNECTION_INIT_TIMEOUT, "Connection initialisation timeout", id="init-timeout"),
    ],
)  # fmt: skip
def test_bad_frames_close_with_the_protocol_code(
    base: str, messages: list[Any], init_first: bool, code: int, reason: str
) -> None:
    async def run() -> None:
        async with connect(base) as bystander:
            await init(bystander)
            assert await _closed_after(base, *messages, init_first=init_first) == (code, reason)
            # Other connections are unaffected.
            await send_json(bystander, {"type": "ping"})
            assert await recv_json(bystander) == {"type": "pong"}

    asyncio.run(run())


def test_max_subscriptions_per_connection(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            for n in range(4):
                await send_json(
                    ws, {"id": str(n), "type": "subscribe", "payload": {"query": ON_TICKET}}
                )
            assert await recv_json(ws) == {
                "id": "3",
                "type": "error",
                "payload": [
                    {
                        "message": "Max number of 3 subscriptions reached",
                        "errorType": "MaxSubscriptionsReachedError",
                    }
                ],
            }

    asyncio.run(run())


def test_unknown_subprotocol_is_refused_at_the_handshake(base: str) -> None:
    async def run() -> None:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(ws_url(base), subprotocols=["mqtt"]):  # type: ignore[list-item]
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(run())
