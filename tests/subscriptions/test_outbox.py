"""Slow consumers: a client that stops reading is disconnected with a logged reason, and the
server's memory for it stays bounded; other subscribers keep receiving."""

from __future__ import annotations

import asyncio
import base64
import errno
import json
import logging
import os
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest

from subscriptions.protocols.base import StandardCloseCode
from tests.apis import API_KEY
from tests.subscriptions.support import (
    TEST_SETTINGS,
    create_ticket,
    expect_close,
    recv_json,
    send_json,
    serve,
    subscription_count,
    ticket_api,
    wait_for_subscriptions,
)

SUBSCRIBE = "subscription { onTicket { id title } }"


def _frame(text: str) -> bytes:
    payload = text.encode()
    mask = os.urandom(4)
    assert len(payload) < 126
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked


def _stalled_subscriber(port: int) -> socket.socket:
    """A client that subscribes and then never reads again (tiny receive buffer)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(1)
    assert response.startswith(b"HTTP/1.1 101"), response
    sock.sendall(_frame(json.dumps({"type": "connection_init", "payload": {"x-api-key": API_KEY}})))
    sock.sendall(
        _frame(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}))
    )
    return sock


def _reset_without_reading(sock: socket.socket, timeout: float) -> bool:
    """Whether the peer resets the connection (the kernel records ECONNRESET on the socket)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ECONNRESET:
            return True
        time.sleep(0.05)
    return False


def test_a_client_that_stops_reading_is_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(
        TEST_SETTINGS, send_queue_limit=5, max_message_bytes=1 << 20, close_timeout=0.5
    )
    caplog.set_level(logging.WARNING, logger="syncline.subscriptions.ws")
    with serve(ticket_api(tmp_path / "api"), settings) as base:
        port = int(base.rsplit(":", 1)[1])
        stalled = _stalled_subscriber(port)
        try:
            wait_for_subscriptions(base, 1)
            import websockets

            async def run() -> None:
                async with websockets.connect(
                    base.replace("http", "ws") + "/graphql",
                    subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                ) as healthy:
                    await send_json(
                        healthy, {"type": "connection_init", "payload": {"x-api-key": API_KEY}}
                    )
                    await recv_json(healthy)
                    await send_json(
                        healthy,
                        {"id": "h", "type": "subscribe", "payload": {"query": SUBSCRIBE}},
                    )
                    await asyncio.to_thread(wait_for_subscriptions, base, 2)
                    big = "x" * 60_000
                    deadline = time.monotonic() + 60
                    sent = 0
                    # Fill the stalled client's socket buffers, then its queue of 5.
                    while await asyncio.to_thread(subscription_count, base) == 2:
                        assert time.monotonic() < deadline, "the stalled client was never dropped"
                        await asyncio.to_thread(create_ticket, base, id=f"t{sent}", title=big)
                        sent += 1
                        message = await recv_json(healthy)
                        assert message["payload"]["data"]["onTicket"]["id"] == f"t{sent - 1}"
                    # The healthy subscriber is still served.
                    await asyncio.to_thread(create_ticket, base, id="after", title="small")
                    while (await recv_json(healthy))["payload"]["data"]["onTicket"][
                        "id"
                    ] != "after":
                        pass

            asyncio.run(run())
            # It never reads its close frame either, so its TCP connection is dropped (reset)
            # while it still reads nothing.
            assert _reset_without_reading(stalled, timeout=15)
        finally:
            stalled.close()
    assert any(
        "the client is not reading them" in record.getMessage() for record in caplog.records
    ), [r.getMessage() for r in caplog.records]


def test_overflow_closes_with_policy_violation(tmp_path: Path) -> None:
    """The close frame itself reaches a client that starts reading again."""
    settings = replace(TEST_SETTINGS, send_queue_limit=2, max_message_bytes=1 << 20)
    with serve(ticket_api(tmp_path / "api"), settings) as base:
        import websockets

        async def run() -> None:
            async with websockets.connect(
                base.replace("http", "ws") + "/graphql",
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                max_queue=1,
            ) as ws:
                await send_json(ws, {"type": "connection_init", "payload": {"x-api-key": API_KEY}})
                await recv_json(ws)
                await send_json(
                    ws, {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}}
                )
                await asyncio.to_thread(wait_for_subscriptions, base, 1)
                big = "y" * 60_000
                for n in range(200):
                    if await asyncio.to_thread(subscription_count, base) == 0:
                        break
                    await asyncio.to_thread(create_ticket, base, id=f"b{n}", title=big)
                else:
                    pytest.fail("the connection was never dropped")
                code, reason = await expect_close(ws, timeout=10)
                assert (code, reason) == (
                    StandardCloseCode.POLICY_VIOLATION,
                    "Too many messages waiting: client too slow",
                )

        asyncio.run(run())
