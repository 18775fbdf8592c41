"""``FlowControlledWebSocketProtocol`` driven by hand over a fake transport: the frame writer it
offers, write flow control, the lean receive path, and what it lets go after the handshake."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import Callable
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from subscriptions.frames import FRAME_WRITER_EXTENSION, text_frame
from subscriptions.uvicorn_ws import WS_PROTOCOL, FlowControlledWebSocketProtocol


class FakeTransport:
    def __init__(self) -> None:
        self.written = bytearray()
        self.closing = False
        self.reading = True

    def write(self, data: bytes | bytearray) -> None:
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def set_protocol(self, protocol: object) -> None:
        pass


def client_frame(text: str) -> bytes:
    payload = text.encode()
    mask = os.urandom(4)
    assert len(payload) < 126
    return (
        bytes([0x81, 0x80 | len(payload)])
        + mask
        + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    )


UPGRADE = (
    "GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUpgrade: websocket\r\n"
    "Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: graphql-transport-ws\r\nX-Extra: kept-in-scope\r\n\r\n"
)


class App:
    """Accepts, then records what it receives; ``receiving`` says whether it waits in receive."""

    def __init__(self) -> None:
        self.scope: dict[str, Any] = {}
        self.received: list[Any] = []
        self.receiving = False
        self.go_on = asyncio.Event()

    async def __call__(self, scope: Any, receive: Callable[[], Any], send: Any) -> None:
        self.scope = scope
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept", "subprotocol": "graphql-transport-ws"})
        while True:
            await self.go_on.wait()
            self.receiving = True
            event = await receive()
            self.receiving = False
            self.received.append(event)
            if event["type"] == "websocket.disconnect":
                return


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def disconnect(app: App, protocol: FlowControlledWebSocketProtocol) -> None:
    protocol.connection_lost(None)
    app.go_on.set()
    await settle()
    assert app.received[-1]["type"] == "websocket.disconnect"


async def connected(app: App) -> tuple[FlowControlledWebSocketProtocol, FakeTransport]:
    config = Config(app, ws=WS_PROTOCOL, log_level="warning", ws_per_message_deflate=False)
    config.load()
    protocol = FlowControlledWebSocketProtocol(config, ServerState(), {})
    transport = FakeTransport()
    protocol.connection_made(transport)  # type: ignore[arg-type]
    key = base64.b64encode(os.urandom(16)).decode()
    protocol.data_received(UPGRADE.format(key=key).encode())
    await settle()
    assert transport.written.startswith(b"HTTP/1.1 101"), transport.written
    transport.written.clear()
    return protocol, transport


def test_the_connection_is_offered_as_a_frame_writer() -> None:
    async def run() -> None:
        app = App()
        protocol, transport = await connected(app)
        writer = app.scope["extensions"][FRAME_WRITER_EXTENSION]
        assert writer is protocol
        writer.write_frames(text_frame(b"hello"))
        assert bytes(transport.written) == text_frame(b"hello")
        transport.closing = True
        writer.write_frames(text_frame(b"late"))  # ignored: the connection is closing
        assert bytes(transport.written) == text_frame(b"hello")
        await disconnect(app, protocol)

    asyncio.run(run())


def test_pause_and_resume_writing_reach_the_writer() -> None:
    async def run() -> None:
        app = App()
        protocol, _ = await connected(app)
        resumed: list[bool] = []
        protocol.on_writable(lambda: resumed.append(True))
        assert not protocol.writing_paused
        protocol.pause_writing()
        assert protocol.writing_paused
        protocol.resume_writing()
        assert (protocol.writing_paused, resumed) == (False, [True])
        await disconnect(app, protocol)

    asyncio.run(run())


def test_the_handshake_is_let_go_and_the_scope_keeps_the_headers() -> None:
    async def run() -> None:
        app = App()
        protocol, _ = await connected(app)
        assert not hasattr(protocol, "request")
        assert not hasattr(protocol, "response")
        headers = {name.lower(): value for name, value in app.scope["headers"]}
        assert headers[b"x-extra"] == b"kept-in-scope"
        await disconnect(app, protocol)

    asyncio.run(run())


def test_receive_hands_messages_over_in_order_and_pauses_reading_while_they_wait() -> None:
    async def run() -> None:
        app = App()
        protocol, transport = await connected(app)
        # The app is not receiving: both messages wait, and reading pauses meanwhile.
        protocol.data_received(client_frame("one") + client_frame("two"))
        assert not transport.reading
        app.go_on.set()
        await settle()
        assert [e.get("text") for e in app.received] == ["one", "two"]
        assert transport.reading
        assert protocol.bytes == b""  # the last message is not kept
        # The app waits in receive: a message goes straight to it; reading goes on.
        assert app.receiving
        protocol.data_received(client_frame("three"))
        assert transport.reading
        await settle()
        assert app.received[-1]["text"] == "three"
        await disconnect(app, protocol)

    asyncio.run(run())
