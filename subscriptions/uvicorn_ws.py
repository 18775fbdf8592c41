"""uvicorn's sans-I/O WebSocket protocol with write flow control.

uvicorn 0.38's ``WebSocketsSansIOProtocol`` keeps an ``asyncio.Event`` named ``writable`` that its
ASGI ``send`` awaits, but never clears it: the transport's ``pause_writing``/``resume_writing``
callbacks are not implemented, so a client that stops reading makes the transport buffer grow
without bound and no sender ever waits. Here they toggle ``writable``, so a paused transport
suspends ``send``, the connection's ``Outbox`` queues, and a client that never reads again is
dropped when the queue is full (docs/subscriptions.md, "Scale").

``syncline serve`` runs uvicorn with ``ws=WS_PROTOCOL``.
"""

from __future__ import annotations

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

WS_PROTOCOL = "subscriptions.uvicorn_ws:FlowControlledWebSocketProtocol"


class FlowControlledWebSocketProtocol(WebSocketsSansIOProtocol):
    def pause_writing(self) -> None:
        self.writable.clear()

    def resume_writing(self) -> None:
        self.writable.set()
