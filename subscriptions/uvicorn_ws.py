"""uvicorn's sans-I/O WebSocket protocol, with write flow control, direct frame writes and less
held per connection.

``syncline serve`` runs uvicorn with ``ws=WS_PROTOCOL``. Against uvicorn 0.38's
``WebSocketsSansIOProtocol`` (pinned in pyproject.toml) this subclass changes four things:

- **Write flow control.** uvicorn keeps an ``asyncio.Event`` named ``writable`` that its ASGI
  ``send`` awaits but never clears: the transport's ``pause_writing``/``resume_writing`` callbacks
  are not implemented, so a client that stops reading makes the transport buffer grow without
  bound. Here they toggle ``writable``, so a slow consumer's messages wait in its bounded outbox
  and it is dropped when that is full (docs/subscriptions.md, "Scale").
- **Direct frame writes.** The connection is offered to the application as a
  ``subscriptions.frames.FrameWriter`` (ASGI scope extension ``FRAME_WRITER_EXTENSION``): the
  subscription fan-out writes pre-built frames into the transport synchronously, instead of one
  ``send`` coroutine, a ``websockets`` ``Frame`` object and a serialisation per message.
  ``abort`` resets a connection whose client reads nothing, not even its close frame.
- **Lean receive.** ``receive`` returns a future instead of being a coroutine over an
  ``asyncio.Queue``: an idle connection keeps one pending future, not a queue of four deques
  plus the suspended frames of ``receive`` and ``Queue.get``. Reading pauses only while a
  received message waits for the application.
- **Nothing kept from the handshake.** The parsed upgrade request's headers and the handshake
  response (about 2.5 KB) are dropped once the response is sent, and the last received
  message's bytes once it is handed over. The ASGI scope keeps the request headers the
  application reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections import deque
from collections.abc import Callable
from typing import Any

from uvicorn._types import ASGIReceiveEvent, ASGISendEvent
from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.http11 import Request

from subscriptions.frames import FRAME_WRITER_EXTENSION

WS_PROTOCOL = "subscriptions.uvicorn_ws:FlowControlledWebSocketProtocol"


class _Inbox:
    """What uvicorn's protocol needs of its ``asyncio.Queue`` (``put_nowait``, ``empty``), with
    ``get`` returning a future; the deque exists only while messages wait."""

    __slots__ = ("_items", "_loop", "_waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: deque[ASGIReceiveEvent] | None = None
        self._waiter: asyncio.Future[ASGIReceiveEvent] | None = None

    def put_nowait(self, item: ASGIReceiveEvent) -> bool:
        """Queue ``item``; True if it went straight to a waiting ``get``."""
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(item)
            return True
        items = self._items
        if items is None:
            items = self._items = deque()
        items.append(item)
        return False

    def empty(self) -> bool:
        return not self._items

    def get(self) -> asyncio.Future[ASGIReceiveEvent]:
        future = self._loop.create_future()
        items = self._items
        if items:
            future.set_result(items.popleft())
            if not items:
                self._items = None
        else:
            self._waiter = future
        return future


class _Writable:
    """``asyncio.Event`` as uvicorn's ``send`` uses it, without a deque per connection."""

    __slots__ = ("_paused", "_waiters")

    def __init__(self) -> None:
        self._paused = False
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return not self._paused

    def clear(self) -> None:
        self._paused = True

    def set(self) -> None:
        self._paused = False
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self) -> None:
        while self._paused:
            waiter = asyncio.get_running_loop().create_future()
            if self._waiters is None:
                self._waiters = []
            self._waiters.append(waiter)
            await waiter


class FlowControlledWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.queue: _Inbox = _Inbox(self.loop)  # type: ignore[assignment]
        self.writable: _Writable = _Writable()  # type: ignore[assignment]
        self._on_writable: Callable[[], None] | None = None

    # -- handshake ----------------------------------------------------------------------------

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # The scope has the headers now. websockets' handshake parser stays suspended with the
        # request in a local for the life of the connection, so empty it rather than drop it.
        event.headers.clear()
        del self.request
        if self.response.status_code == 101:
            self.scope["extensions"][FRAME_WRITER_EXTENSION] = self  # type: ignore[index, assignment]

    async def send(self, message: ASGISendEvent) -> None:
        await super().send(message)
        if self.handshake_complete and hasattr(self, "response"):
            del self.response

    # -- receiving ----------------------------------------------------------------------------

    def send_receive_event_to_app(self) -> None:
        data, self.bytes = self.bytes, b""
        event: ASGIReceiveEvent
        if self.curr_msg_data_type == "text":
            try:
                event = {"type": "websocket.receive", "text": data.decode()}
            except UnicodeDecodeError:
                self.bytes = data
                super().send_receive_event_to_app()  # uvicorn's own handling: close 1007
                return
        else:
            event = {"type": "websocket.receive", "bytes": data}
        if not self.queue.put_nowait(event) and not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    def receive(self) -> asyncio.Future[ASGIReceiveEvent]:  # type: ignore[override]
        future = self.queue.get()
        if self.read_paused and self.queue.empty():
            self.read_paused = False
            self.transport.resume_reading()
        return future

    # -- writing: subscriptions.frames.FrameWriter --------------------------------------------

    @property
    def writing_paused(self) -> bool:
        return not self.writable.is_set()

    def write_frames(self, data: bytes | bytearray) -> None:
        if not self.close_sent and not self.transport.is_closing():
            self.transport.write(data)

    def on_writable(self, callback: Callable[[], None] | None) -> None:
        self._on_writable = callback

    def abort(self) -> None:
        # Linger 0: close with a reset, so the kernel lets go of the unsent data as well
        # (a plain close would keep it, orphaned, for a client that reads nothing).
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()

    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()
        if self._on_writable is not None:
            self._on_writable()
