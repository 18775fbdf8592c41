"""The ASGI endpoints: ``WS /graphql`` and ``WS /graphql/realtime``.

Each picks a protocol handler from the subprotocols the client offers and runs it for the life of
the connection. ``WS /graphql`` prefers ``graphql-transport-ws`` over the legacy ``graphql-ws``;
``WS /graphql/realtime`` speaks AppSync's protocol, whose subprotocol is also named ``graphql-ws``
(the path tells them apart). A client offering none of them is refused at the handshake (403).

An endpoint returns the handler's ``run`` coroutine instead of awaiting it, so an idle connection
keeps no suspended frame of the endpoint.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

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


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    socket = Socket(scope, receive, send, 1, lambda _limit: None)
    if await socket.wait_connect():
        await socket.reject()


class GraphQLWebSocketEndpoint:
    """``WS /graphql``: graphql-transport-ws or legacy graphql-ws."""

    def __init__(self, context: RealtimeContext) -> None:
        self.context = context

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:
        offered = offered_subprotocols(scope)
        for handler_class in _GRAPHQL_HANDLERS:
            if handler_class.subprotocol in offered:
                return handler_class(scope, receive, send, self.context).run()
        return _refuse(scope, receive, send)


class AppSyncRealtimeEndpoint:
    """``WS /graphql/realtime``: AppSync's realtime protocol."""

    def __init__(self, context: RealtimeContext) -> None:
        self.context = context

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:
        return AppSyncRealtimeHandler(scope, receive, send, self.context).run()
