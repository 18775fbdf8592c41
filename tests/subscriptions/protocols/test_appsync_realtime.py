"""AppSync realtime protocol on WS /graphql/realtime: exact wire messages.

AppSync developer guide, "Building a real-time WebSocket client in AWS AppSync".
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest
import websockets

from subscriptions.protocols.appsync_realtime.types import SUBPROTOCOL, ErrorCode, ErrorType
from subscriptions.protocols.base import StandardCloseCode
from tests.apis import API_KEY
from tests.subscriptions.support import (
    create_ticket,
    expect_close,
    in_thread,
    mutate,
    recv_json,
    send_json,
    wait_for_subscriptions,
    ws_url,
)

ON_TICKET = 'subscription { onTicket(group: "ops") { id group } }'
ACK = {"type": "connection_ack", "payload": {"connectionTimeoutMs": 300000}}
KA = {"type": "ka"}


def header(base: str, **extra: str) -> dict[str, str]:
    return {"host": base.removeprefix("http://"), "x-api-key": API_KEY, **extra}


def b64url(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def connect(base: str, *, subprotocols: list[str] | None = None, query: str = "", **kw: Any) -> Any:
    return websockets.connect(
        ws_url(base, "/graphql/realtime") + query,
        subprotocols=subprotocols or [SUBPROTOCOL, f"header-{b64url(header(base))}"],  # type: ignore[arg-type]
        **kw,
    )


async def init(ws: Any) -> None:
    await send_json(ws, {"type": "connection_init"})
    assert await recv_json(ws) == ACK
    assert await recv_json(ws) == KA


def start(base: str, id_: str, query: str, **auth: str) -> dict[str, Any]:
    data = json.dumps({"query": query, "variables": {}})
    return {
        "id": id_,
        "type": "start",
        "payload": {"data": data, "extensions": {"authorization": header(base, **auth)}},
    }


def error(error_type: ErrorType, message: str, code: ErrorCode = ErrorCode.BAD_REQUEST) -> Any:
    return {"errors": [{"errorType": error_type.value, "message": message, "errorCode": code}]}


def test_start_ack_data_stop_complete(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            assert ws.subprotocol == SUBPROTOCOL
            await init(ws)
            await send_json(ws, start(base, "a1", ON_TICKET))
            assert await recv_json(ws) == {"type": "start_ack", "id": "a1"}
            await in_thread(create_ticket, base, id="t1", group="ops")
            assert await recv_json(ws) == {
                "id": "a1",
                "type": "data",
                "payload": {"data": {"onTicket": {"id": "t1", "group": "ops"}}},
            }
            await send_json(ws, {"type": "stop", "id": "a1"})
            assert await recv_json(ws) == {"type": "complete", "id": "a1"}
            await in_thread(wait_for_subscriptions, base, 0)

    asyncio.run(run())


@pytest.mark.parametrize(
    ("subprotocols", "query", "headers"),
    [
        pytest.param(None, "", None, id="header-subprotocol"),
        pytest.param([SUBPROTOCOL], "?header={header}&payload=e30=", None, id="query-string"),
        pytest.param([SUBPROTOCOL], "?header={header_spaced}&payload=e30=", None, id="query-string-plus-as-space"),
        pytest.param([SUBPROTOCOL], "", {"x-api-key": API_KEY}, id="upgrade-headers"),
    ],
)  # fmt: skip
def test_connection_credentials(
    base: str, subprotocols: list[str] | None, query: str, headers: dict[str, str] | None
) -> None:
    # A header whose base64 text has a '+', sent unencoded as gql does: '+' arrives as ' '.
    value = header(base, note="~~~>")
    encoded = base64.b64encode(json.dumps(value).encode()).decode()
    assert "+" in encoded
    query = query.format(header=encoded.replace("+", "%2B"), header_spaced=encoded)

    async def run() -> None:
        async with connect(
            base, subprotocols=subprotocols, query=query, additional_headers=headers
        ) as ws:
            await init(ws)

    asyncio.run(run())


def test_refused_connection_gets_connection_error(base: str) -> None:
    bad = [SUBPROTOCOL, f"header-{b64url({'host': 'x', 'x-api-key': 'wrong'})}"]

    async def run() -> None:
        async with connect(base, subprotocols=bad) as ws:
            await send_json(ws, {"type": "connection_init"})
            assert await recv_json(ws) == {
                "type": "connection_error",
                "payload": error(
                    ErrorType.UNAUTHORIZED,
                    "You are not authorized to make this call.",
                    ErrorCode.UNAUTHORIZED,
                ),
            }
            code, _ = await expect_close(ws)
            assert code == StandardCloseCode.NORMAL_CLOSURE

    asyncio.run(run())


def test_each_start_is_authorized_on_its_own(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            await send_json(ws, start(base, "s", ON_TICKET, **{"x-api-key": "wrong"}))
            assert await recv_json(ws) == {
                "id": "s",
                "type": "error",
                "payload": error(
                    ErrorType.UNAUTHORIZED,
                    "You are not authorized to make this call.",
                    ErrorCode.UNAUTHORIZED,
                ),
            }

    asyncio.run(run())


def test_invalidation_completes_matching_subscriptions(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            await send_json(ws, start(base, "ops", 'subscription { onGroup(group: "ops") { id } }'))
            await send_json(ws, start(base, "dev", 'subscription { onGroup(group: "dev") { id } }'))
            assert await recv_json(ws) == {"type": "start_ack", "id": "ops"}
            assert await recv_json(ws) == {"type": "start_ack", "id": "dev"}
            body = await in_thread(mutate, base, 'mutation { removeGroup(group: "ops") }')
            assert body == {"data": {"removeGroup": "ops"}}
            assert await recv_json(ws) == {"type": "complete", "id": "ops"}
            await in_thread(wait_for_subscriptions, base, 1)
            await in_thread(create_ticket, base, id="t9", group="dev")
            assert await recv_json(ws) == {
                "id": "dev",
                "type": "data",
                "payload": {"data": {"onGroup": {"id": "t9"}}},
            }

    asyncio.run(run())


def test_enhanced_filter_set_by_the_subscription_resolver(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            await send_json(ws, start(base, "sev", "subscription { onSevere { id severity } }"))
            assert await recv_json(ws) == {"type": "start_ack", "id": "sev"}
            await in_thread(create_ticket, base, id="low", severity=1)
            await in_thread(create_ticket, base, id="high", severity=5)
            assert await recv_json(ws) == {
                "id": "sev",
                "type": "data",
                "payload": {"data": {"onSevere": {"id": "high", "severity": 5}}},
            }

    asyncio.run(run())


BIG = "subscription { onTicket { id title } }"


@pytest.mark.parametrize(
    ("messages", "reply"),
    [
        pytest.param(["{nope"], {"type": "error", "payload": error(ErrorType.BAD_REQUEST, "Message is not valid JSON")}, id="invalid-json"),
        pytest.param([{"type": "launch", "id": "x"}], {"type": "error", "id": "x", "payload": error(ErrorType.UNSUPPORTED_OPERATION, "Operation launch is not supported")}, id="unknown-type"),
        pytest.param(["x" * 5000], {"type": "error", "payload": error(ErrorType.LIMIT_EXCEEDED, "The message of 5000 bytes exceeds the 4 KB limit")}, id="too-large"),
        pytest.param([{"type": "start", "id": "q", "payload": {"data": json.dumps({"query": "{ __typename }"})}}], {"id": "q", "type": "error", "payload": {"errors": [{"errorType": "UnsupportedOperation", "message": "query not supported through the realtime channel", "errorCode": 400}]}}, id="query-over-realtime"),
        pytest.param([{"type": "start", "id": "d", "payload": {"data": "{"}}], {"type": "error", "id": "d", "payload": error(ErrorType.BAD_REQUEST, "payload.data must be a JSON object with a query")}, id="data-not-json"),
    ],
)  # fmt: skip
def test_bad_frames_get_an_error_and_the_connection_stays(
    base: str, messages: list[Any], reply: Any
) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            for message in messages:
                await (ws.send(message) if isinstance(message, str) else send_json(ws, message))
            assert await recv_json(ws) == reply
            await send_json(ws, start(base, "after", ON_TICKET))
            assert await recv_json(ws) == {"type": "start_ack", "id": "after"}

    asyncio.run(run())


def test_start_before_connection_init_and_duplicate_ids(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await send_json(ws, start(base, "early", ON_TICKET))
            assert await recv_json(ws) == {
                "type": "error",
                "id": "early",
                "payload": error(ErrorType.BAD_REQUEST, "Send connection_init before start"),
            }
            await init(ws)
            await send_json(ws, start(base, "same", ON_TICKET))
            assert await recv_json(ws) == {"type": "start_ack", "id": "same"}
            await send_json(ws, start(base, "same", ON_TICKET))
            assert await recv_json(ws) == {
                "type": "error",
                "id": "same",
                "payload": error(
                    ErrorType.BAD_REQUEST, "A subscription with id same is already started"
                ),
            }

    asyncio.run(run())


def test_limits_max_subscriptions_and_payload_size(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            await init(ws)
            for n in range(3):
                await send_json(ws, start(base, f"s{n}", BIG))
                assert await recv_json(ws) == {"type": "start_ack", "id": f"s{n}"}
            await send_json(ws, start(base, "s3", BIG))
            assert await recv_json(ws) == {
                "id": "s3",
                "type": "error",
                "payload": error(
                    ErrorType.MAX_SUBSCRIPTIONS_REACHED, "Max number of 3 subscriptions reached"
                ),
            }
            await in_thread(create_ticket, base, id="big", title="x" * 5000)
            for _ in range(3):
                message = await recv_json(ws)
                assert message["type"] == "error"
                assert message["payload"]["errors"][0]["errorType"] == "LimitExceededError"

    asyncio.run(run())


def test_handshake_without_graphql_ws_is_refused(base: str) -> None:
    async def run() -> None:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with connect(base, subprotocols=["graphql-transport-ws"]):
                pass
        assert refused.value.response.status_code == 403

    asyncio.run(run())


def test_init_timeout_gets_connection_error(base: str) -> None:
    async def run() -> None:
        async with connect(base) as ws:
            assert await recv_json(ws, timeout=5) == {
                "type": "connection_error",
                "payload": error(
                    ErrorType.CONNECTION_TIMEOUT,
                    "No connection_init was received in time",
                    ErrorCode.REQUEST_TIMEOUT,
                ),
            }
            code, _ = await expect_close(ws)
            assert code == StandardCloseCode.NORMAL_CLOSURE

    asyncio.run(run())
