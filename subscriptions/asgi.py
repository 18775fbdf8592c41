"""The ASGI endpoints: ``WS /graphql`` and ``WS /graphql/realtime``.

Each picks a protocol handler from the subprotocols the client offers and runs it for the life of
the connection. ``WS /graphql`` prefers ``graphql-transport-ws`` over the legacy ``graphql-ws``;
``WS /graphql/realtime`` speaks AppSync's protocol, whose subprotocol is also named ``graphql-ws``
(the path tells them apart). A client offering none of them is refused at the handshake (403).
"""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from subscriptions.protocols.appsync_realtime.handlers import AppSyncRealtimeHandler
from subscriptions.protocols.base import (
    ProtocolHandler,
    RealtimeContext,
    Socket,
    offered_subprotocols,
)
from subscriptions.protocols.graphql_transport_ws.handlers import GraphQLTransportWSHandler
from subscriptions.protocols.graphql_ws.handlers import GraphQLWSHandler

_GRAPHQL_HANDLERS: tuple[type[ProtocolHandler], ...] = (GraphQLTransportWSHandler, GraphQLWSHandler)


class GraphQLWebSocketEndpoint:
    """``WS /graphql``: graphql-transport-ws or legacy graphql-ws."""

    def __init__(self, context: RealtimeContext) -> None:
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        offered = offered_subprotocols(scope)
        for handler_class in _GRAPHQL_HANDLERS:
            if handler_class.subprotocol in offered:
                handler = handler_class(scope, receive, send, self.context)
                if await handler.socket.wait_connect():
                    await handler.run()
                return
        socket = Socket(scope, receive, send, 1, lambda _limit: None)
        if await socket.wait_connect():
            await socket.reject()


class AppSyncRealtimeEndpoint:
    """``WS /graphql/realtime``: AppSync's realtime protocol."""

    def __init__(self, context: RealtimeContext) -> None:
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = AppSyncRealtimeHandler(scope, receive, send, self.context)
        if await handler.socket.wait_connect():
            await handler.run()
