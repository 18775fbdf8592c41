"""Assemble the real-time side of one served API: engine, broker, protocol context, routes.

``web/app.py`` calls ``build_realtime`` once per application; the engine joins the executor's
mutation listeners, so a mutation over HTTP or over a socket publishes the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graphql import GraphQLSchema
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send

from auth.modes import RequestAuthorizer
from resolvers.binding import FieldResolver
from schema.execution import Executor
from schema.model import ApiDefinition, FieldCoordinate
from subscriptions.access import DirectiveAccess, FieldAccess
from subscriptions.engine import SubscriptionEngine
from subscriptions.protocols.base import RealtimeContext, RealtimeSettings
from subscriptions.wiring import Wiring

if TYPE_CHECKING:
    # The protocol handlers load with the endpoints that speak them: the Lambda HTTP path
    # builds the engine and context only (deploy/aws_lambda/app.py, bench/cold_start.py).
    from subscriptions.asgi import AppSyncRealtimeEndpoint, GraphQLWebSocketEndpoint

GRAPHQL_PATH = "/graphql"
REALTIME_PATH = "/graphql/realtime"


def build_realtime(
    *,
    definition: ApiDefinition,
    schema: GraphQLSchema,
    executor: Executor,
    wiring: Wiring,
    resolvers: Mapping[FieldCoordinate, FieldResolver],
    authorizer: RequestAuthorizer,
    redis_url: str | None = None,
    settings: RealtimeSettings | None = None,
    access: FieldAccess | None = None,
) -> RealtimeContext:
    engine = SubscriptionEngine(
        schema,
        executor,
        wiring,
        resolvers,
        api_name=definition.name,
        env=definition.environment,
        broker_url=redis_url,
        access=access or DirectiveAccess(authorizer),
    )
    executor.mutation_listeners.append(engine)
    return RealtimeContext(
        engine,
        authorizer,
        executor,
        definition.environment,
        settings or RealtimeSettings(max_message_bytes=definition.limits.max_body_bytes),
    )


def realtime_routes(context: RealtimeContext) -> list[WebSocketRoute]:
    from subscriptions.asgi import AppSyncRealtimeEndpoint, GraphQLWebSocketEndpoint

    return [
        WebSocketRoute(GRAPHQL_PATH, GraphQLWebSocketEndpoint(context)),
        WebSocketRoute(REALTIME_PATH, AppSyncRealtimeEndpoint(context)),
    ]


class RealtimeStarlette(Starlette):
    """Starlette that hands ``WS /graphql`` and ``WS /graphql/realtime`` straight to their
    endpoints, ahead of the middleware stack and router.

    Those layers do nothing for these sockets (no HTTP errors, no routing choice) but each keeps
    a suspended coroutine frame for the whole life of every connection; skipping them is part of
    keeping an idle subscribed connection small (docs/subscriptions.md, "Scale").
    """

    def __init__(self, realtime: RealtimeContext, **kwargs: Any) -> None:
        from subscriptions.asgi import AppSyncRealtimeEndpoint, GraphQLWebSocketEndpoint

        super().__init__(**kwargs)
        self.websocket_endpoints: dict[str, GraphQLWebSocketEndpoint | AppSyncRealtimeEndpoint] = {
            GRAPHQL_PATH: GraphQLWebSocketEndpoint(realtime),
            REALTIME_PATH: AppSyncRealtimeEndpoint(realtime),
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            endpoint = self.websocket_endpoints.get(scope["path"])
            if endpoint is not None:
                scope["app"] = self
                await endpoint(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
