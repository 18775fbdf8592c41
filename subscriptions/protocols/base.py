"""What the three protocols share: the ASGI socket, settings, connection auth and bookkeeping.

A ``ProtocolHandler`` lives for one connection and keeps all of that connection's state
(``self.operations``), dispatching each text frame to ``handle_<message type>`` of its protocol.
A bad frame gets the protocol's own error or close code and never touches another connection.
Outgoing frames go through the connection's ``Outbox``, so no send ever blocks the fan-out.

An idle connection is a handler suspended in ``run`` on the server's ``receive``: the endpoints
return the handler's coroutine instead of awaiting it, so no other frame stays suspended with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, ClassVar

from starlette.types import Receive, Scope, Send

from auth.errors import AuthFailure
from auth.modes import Authorization, HttpCall, RequestAuthorizer
from resolvers.context import Request as CtxRequest
from schema.execution import Executor
from subscriptions.engine import Subscription, SubscriptionEngine
from subscriptions.frames import FRAME_WRITER_EXTENSION
from subscriptions.outbox import DEFAULT_LIMIT, Flusher, FrameOutbox, Outbox, SendOutbox
from subscriptions.protocols.ticker import Ticker

log = logging.getLogger("syncline.subscriptions.ws")


class StandardCloseCode(IntEnum):
    """RFC 6455 close codes the protocols share (each protocol adds its own in ``types.py``)."""

    NORMAL_CLOSURE = 1000
    POLICY_VIOLATION = 1008
    """Also: a slow consumer whose send queue is full."""
    MESSAGE_TOO_BIG = 1009
    INTERNAL_ERROR = 1011


@dataclass(frozen=True)
class RealtimeSettings:
    """Timeouts and limits of WebSocket connections (AppSync's where AppSync has one)."""

    init_timeout: float = 10.0
    """Seconds a connection may stay without ``connection_init``."""
    keepalive_interval: float = 30.0
    """Seconds between ``ka`` messages (AppSync realtime, legacy graphql-ws)."""
    connection_timeout_ms: int = 300_000
    """``connection_ack.payload.connectionTimeoutMs``: AppSync's 5 minutes."""
    idle_timeout: float = 600.0
    """Seconds an acknowledged connection may hold no subscription before it is closed."""
    max_subscriptions: int = 100
    """AppSync: 100 subscriptions per connection."""
    max_payload_bytes: int = 240 * 1024
    """AppSync: 240 KB per realtime message (incoming frames and outgoing payloads)."""
    max_message_bytes: int = 1_048_576
    """Incoming frame limit on ``WS /graphql``."""
    send_queue_limit: int = DEFAULT_LIMIT
    close_timeout: float = 5.0
    """Seconds a closing connection waits for its queued messages, then for its close frame to
    be written; a client that reads nothing in that time has its TCP connection dropped."""
    tick_interval: float = 1.0


@dataclass
class RealtimeContext:
    """The services handlers use; one per served API."""

    engine: SubscriptionEngine
    authorizer: RequestAuthorizer
    executor: Executor
    env: Mapping[str, str]
    settings: RealtimeSettings = field(default_factory=RealtimeSettings)
    ticker: Ticker = field(init=False)
    flusher: Flusher = field(init=False)

    def __post_init__(self) -> None:
        self.ticker = Ticker(self.settings.tick_interval)
        self.flusher = Flusher()


def offered_subprotocols(scope: Scope) -> list[str]:
    """The client's subprotocols. Servers differ on whether a comma-separated header value is
    split (uvicorn's sans-I/O protocol hands it over whole), so it is split here."""
    return [p.strip() for entry in scope.get("subprotocols", ()) for p in str(entry).split(",")]


def scope_headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}


class Socket:
    """The ASGI side of one WebSocket: accept, receive text, queued sends, close.

    Sends go through a ``FrameOutbox`` when the server offers a frame writer (``syncline
    serve``), else through a ``SendOutbox`` over the ASGI ``send``."""

    __slots__ = ("_receive", "_send", "accepted", "close_timeout", "closing", "outbox", "scope")

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        queue_limit: int,
        on_overflow: Callable[[int], None],
        flusher: Flusher | None = None,
        close_timeout: float = 5.0,
    ) -> None:
        self.scope = scope
        self.close_timeout = close_timeout
        self._receive = receive
        self._send = send
        writer = (scope.get("extensions") or {}).get(FRAME_WRITER_EXTENSION)
        self.outbox: Outbox = (
            FrameOutbox(writer, flusher, on_overflow, queue_limit)
            if writer is not None and flusher is not None
            else SendOutbox(self._send_text, on_overflow, queue_limit)
        )
        self.accepted = False
        self.closing = False

    @property
    def headers(self) -> dict[str, str]:
        """The upgrade request's headers, decoded when asked (only at connection_init): an idle
        connection keeps no copy."""
        return scope_headers(self.scope)

    async def _send_text(self, text: str) -> None:
        await self._send({"type": "websocket.send", "text": text})

    @property
    def client(self) -> str:
        client = self.scope.get("client")
        return f"{client[0]}:{client[1]}" if client else "?"

    async def wait_connect(self) -> bool:
        message = await self._receive()
        return bool(message["type"] == "websocket.connect")

    async def accept(self, subprotocol: str | None) -> None:
        await self._send({"type": "websocket.accept", "subprotocol": subprotocol})
        self.accepted = True

    async def reject(self) -> None:
        """Refuse the handshake (HTTP 403)."""
        await self._send({"type": "websocket.close", "code": StandardCloseCode.POLICY_VIOLATION})

    def receive_event(self) -> Awaitable[MutableMapping[str, Any]]:
        """The server's next ASGI event. Not a coroutine: while a connection idles, only the
        handler's ``run`` frame is suspended."""
        return self._receive()

    def send(self, text: str) -> None:
        self.outbox.put_text(text)

    def send_json(self, message: Mapping[str, Any]) -> None:
        self.outbox.put_text(json.dumps(message, separators=(",", ":"), ensure_ascii=False))

    async def close(self, code: IntEnum, reason: str = "") -> None:
        """Send what is queued, then the close frame; later frames are ignored."""
        if self.closing:
            return
        self.closing = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.outbox.flush(), timeout=self.close_timeout)
        self.outbox.close()
        close = {"type": "websocket.close", "code": int(code), "reason": reason}
        try:
            await asyncio.wait_for(self._send(close), timeout=self.close_timeout)
        except TimeoutError:
            # The client reads nothing, not even the close frame (a slow consumer that
            # stopped): drop the TCP connection rather than keep it and its buffers.
            self.outbox.abort()
        except Exception:
            pass  # the peer is gone already


class ProtocolHandler:
    """One connection of one protocol. Subclasses define ``handle_<type>`` methods.

    Handlers use ``__slots__``: there is one per open connection."""

    __slots__ = (
        "__weakref__",
        "_closer",
        "authorization",
        "context",
        "operations",
        "settings",
        "socket",
    )

    subprotocol: ClassVar[str]
    max_frame_bytes_setting: ClassVar[str] = "max_message_bytes"

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, context: RealtimeContext
    ) -> None:
        self.context = context
        self.settings = context.settings
        self.socket = Socket(
            scope,
            receive,
            send,
            self.settings.send_queue_limit,
            self._overflow,
            context.flusher,
            self.settings.close_timeout,
        )
        self.operations: dict[str, Subscription | None] = {}
        """Subscription id → its subscription (None while it is starting)."""
        self.authorization: Authorization | None = None
        self._closer: asyncio.Task[None] | None = None

    # -- the connection's life --------------------------------------------------------------

    def admits(self) -> bool:
        """Whether to accept the handshake (else it is refused with HTTP 403)."""
        return True

    async def run(self) -> None:
        """The whole connection: handshake, frames until the peer leaves, clean-up."""
        if not await self.socket.wait_connect():
            return
        if not self.admits():
            await self.socket.reject()
            return
        await self.socket.accept(self.subprotocol)
        self.started()
        self.context.ticker.watch(self)
        try:
            socket = self.socket
            # The event goes straight to ``handle_event``: while the connection idles, this
            # frame holds no copy of the last message.
            while not socket.closing and await self.handle_event(await socket.receive_event()):
                pass
        finally:
            self.context.ticker.unwatch(self)
            self.end_all()
            if not self.socket.closing:
                self.socket.outbox.close()  # the peer is gone: nothing more can reach it

    def started(self) -> None:
        """Called once the WebSocket is accepted (start the protocol's timers)."""

    def tick(self, now: float) -> None:
        """Called about once a second by the ticker."""

    async def handle_event(self, event: Mapping[str, Any]) -> bool:
        """Handle one ASGI event; False once the peer is gone."""
        kind = event["type"]
        if kind == "websocket.disconnect":
            return False
        if kind == "websocket.receive":
            text = event.get("text")
            frame = str(text) if text is not None else bytes(event.get("bytes") or b"")
            limit = getattr(self.settings, self.max_frame_bytes_setting)
            if len(frame) > limit:
                await self.frame_too_large(len(frame), limit)
            else:
                await self.handle_frame(frame)
        return True

    async def handle_frame(self, frame: str | bytes) -> None:
        if isinstance(frame, bytes):
            await self.bad_frame("Binary frames are not supported")
            return
        try:
            message = json.loads(frame)
        except ValueError:
            await self.bad_frame("Message is not valid JSON")
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.bad_frame("Message must be a JSON object with a string 'type'")
            return
        handler = getattr(self, f"handle_{message['type']}", None)
        if handler is None:
            await self.unknown_type(message)
            return
        await handler(message)

    async def bad_frame(self, reason: str) -> None:
        raise NotImplementedError

    async def unknown_type(self, message: dict[str, Any]) -> None:
        raise NotImplementedError

    async def frame_too_large(self, size: int, limit: int) -> None:
        raise NotImplementedError

    def end_all(self) -> None:
        for subscription in self.operations.values():
            if subscription is not None:
                subscription.cancel()
        self.operations.clear()

    def _overflow(self, limit: int) -> None:
        log.warning(
            "closing WebSocket %s (%s): %d messages are waiting to be sent and the client is "
            "not reading them",
            self.socket.client,
            self.subprotocol,
            limit,
        )
        self.end_all()
        self.close_soon(
            StandardCloseCode.POLICY_VIOLATION, "Too many messages waiting: client too slow"
        )

    # -- helpers ----------------------------------------------------------------------------

    def close_soon(self, code: IntEnum, reason: str) -> None:
        """Close from synchronous code (timers, fan-out callbacks)."""
        if not self.socket.closing and self._closer is None:
            self._closer = asyncio.get_running_loop().create_task(self.socket.close(code, reason))

    def http_call(
        self,
        headers: Mapping[str, str],
        *,
        method: str = "GET",
        path: str | None = None,
        body: bytes = b"",
        host: str | None = None,
        query: str | None = None,
    ) -> HttpCall:
        """The call an authorizer checks. AppSync realtime credentials sign a request of their
        own (no query string), so its handler passes ``path``, ``body`` and ``query=""``."""
        scope = self.socket.scope
        client = scope.get("client")
        scheme = "https" if scope.get("scheme") == "wss" else "http"
        return HttpCall(
            method=method,
            scheme=scheme,
            host=host if host is not None else headers.get("host", ""),
            path=path if path is not None else scope.get("path", ""),
            query=query if query is not None else scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            body=body,
            source_ip=client[0] if client else None,
        )

    async def authorize(self, call: HttpCall) -> Authorization | AuthFailure:
        """The caller's authorization, or why it was refused (AppSync's errorType and status)."""
        authorizer: RequestAuthorizer = self.context.authorizer
        try:
            return await authorizer.authenticate(call)
        except AuthFailure as failure:
            return failure

    def ctx_request(self, headers: Mapping[str, str]) -> CtxRequest:
        return CtxRequest(dict(headers), headers.get("host"))
