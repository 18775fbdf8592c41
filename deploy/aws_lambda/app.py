"""The Lambda-backed API: one warm ``LambdaApi`` per execution environment.

A Lambda execution environment serves one event at a time and is frozen between them, so the
API is loaded, bound and started once (the cold start) and kept with its own event loop; each
event then runs to completion on that loop — deliveries to WebSocket clients included, because
nothing may still be running once the handler returns (AWS Lambda developer guide, "Lambda
execution environment lifecycle").

The HTTP side is a lean Starlette app: ``/graphql`` (``web.graphql_http``, the same endpoint as
``syncline serve``), the GraphiQL assets and ``/health``, behind CORS. The local conveniences of
``syncline serve`` — the ``/dynamodb`` endpoint, the Invoke API, ``services:``, the demo page —
are not served: behind API Gateway they would be public and unauthenticated.

The real-time side (subscription engine, WebSocket gateway, boto3) is built on first need: the
first WebSocket event, or the first mutation while a WebSocket API is configured. A query over
HTTP — the cold start ``bench/cold_start.py`` measures — never loads it (docs/deploy.md,
"Cold start").
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from deploy.aws_lambda.events import EventFormat, event_format
from deploy.aws_lambda.http import run_http
from web.api import LoadedApi, load_api
from web.graphiql import graphiql_static_app, render_graphiql
from web.graphql_http import GraphQLEndpoint

if TYPE_CHECKING:
    from graphql import DocumentNode, GraphQLError

    from deploy.aws_lambda.websocket import WebSocketGateway
    from resolvers.context import RequestState

log = logging.getLogger("syncline.lambda")

GRAPHIQL_ASSETS = "/graphql/assets"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SYNCLINE_{name}") or default


@dataclass(frozen=True)
class LambdaSettings:
    """The function's configuration, from its environment (``template.yaml`` sets it)."""

    api_dir: Path
    data_dir: Path
    cors_origins: tuple[str, ...] = ("*",)
    connections_table: str | None = None
    """The WebSocket API's connection table (``deploy.aws_lambda.tables``); None: no real-time."""
    subscriptions_table: str | None = None
    websocket_endpoint: str | None = None
    """``https://{api-id}.execute-api.{region}.amazonaws.com/{stage}``: where deliveries go
    when a connection's own ``$connect`` did not record it."""
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> LambdaSettings:
        # The zip puts the API folder beside the code: $LAMBDA_TASK_ROOT/api.
        task_root = Path(os.environ.get("LAMBDA_TASK_ROOT") or Path.cwd())
        origins = _env("CORS_ORIGINS", "*") or "*"
        return cls(
            api_dir=Path(_env("API_DIR") or task_root / "api"),
            # /tmp is the only writable place in a Lambda execution environment.
            data_dir=Path(_env("DATA_DIR") or "/tmp/syncline"),
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            connections_table=_env("CONNECTIONS_TABLE"),
            subscriptions_table=_env("SUBSCRIPTIONS_TABLE"),
            websocket_endpoint=_env("WEBSOCKET_ENDPOINT"),
        )


def http_app(api: LoadedApi, cors_origins: tuple[str, ...]) -> Starlette:
    """``/graphql``, GraphiQL and ``/health`` — what API Gateway routes to the function."""

    def graphiql(request: Request) -> Response:
        # No prefilled API key here, unlike `syncline serve`: this page is public.
        root = request.scope.get("root_path", "")
        return render_graphiql(
            endpoint=str(request.url.path),
            assets_path=f"{root}{GRAPHIQL_ASSETS}",
            default_headers={},
            title=f"{api.definition.name} · Syncline",
        )

    endpoint = GraphQLEndpoint(api, graphiql)

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "api": api.definition.name})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with api.runtime.exit_stack:
            yield

    return Starlette(
        routes=[
            Mount(GRAPHIQL_ASSETS, app=graphiql_static_app()),
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        middleware=[
            # AppSync answers CORS preflights for any origin; SYNCLINE_CORS_ORIGINS narrows it.
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["*"],
                expose_headers=["x-amzn-ErrorType", "x-amzn-RequestId"],
                max_age=600,
            )
        ],
        lifespan=lifespan,
    )


class _PendingMutations:
    """The executor's mutation listener until the real-time side exists: keeps each executed
    mutation for the engine, which is built once the event's response is ready."""

    def __init__(self) -> None:
        self.calls: list[
            tuple[DocumentNode, str | None, dict[str, Any] | None, list[GraphQLError], RequestState]
        ] = []

    def mutation_executed(
        self,
        document: DocumentNode,
        operation_name: str | None,
        data: dict[str, Any] | None,
        errors: list[GraphQLError],
        state: RequestState,
    ) -> None:
        self.calls.append((document, operation_name, data, errors, state))


class LambdaApi:
    """One loaded API serving API Gateway events on its own event loop."""

    def __init__(self, api: LoadedApi, settings: LambdaSettings) -> None:
        self.api = api
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.app = http_app(api, settings.cors_origins)
        self.websocket: WebSocketGateway | None = None
        """Built by ``_gateway`` on first need (a WebSocket event, a mutation to publish)."""
        self._pending: _PendingMutations | None = None
        if self.has_websocket_api:
            # Subscribers can only be on the WebSocket API: without one, nothing is published.
            self._pending = _PendingMutations()
            api.executor.mutation_listeners.append(self._pending)
        self._stack = AsyncExitStack()
        self._started = False

    @property
    def has_websocket_api(self) -> bool:
        return bool(self.settings.connections_table and self.settings.subscriptions_table)

    @classmethod
    def from_environment(cls) -> LambdaApi:
        settings = LambdaSettings.from_environment()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(load_api(settings.api_dir, settings.data_dir), settings)

    def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        """Serve one event to completion (the loop is idle between events)."""
        return self.loop.run_until_complete(self.handle_async(event))

    async def handle_async(self, event: dict[str, Any]) -> dict[str, Any]:
        if not self._started:
            await self._stack.enter_async_context(self.app.router.lifespan_context(self.app))
            self._started = True
        kind = event_format(event)
        if kind is None:
            log.error("not an API Gateway event (keys: %s)", sorted(event)[:10])
            return {"statusCode": 400, "body": "Syncline serves API Gateway events only"}
        if kind is EventFormat.WEBSOCKET:
            if not self.has_websocket_api:
                log.error("WebSocket event, but SYNCLINE_CONNECTIONS_TABLE is not set")
                return {"statusCode": 500, "body": "real-time is not configured"}
            gateway = await self._gateway()
            response: dict[str, Any] = await gateway.handle(event)
            return response
        response = await run_http(self.app, event, kind)
        if self._pending is not None and self._pending.calls:
            try:
                await self._gateway()
            except Exception:
                # As for any mutation listener: publishing never fails a mutation that succeeded.
                log.exception("the real-time side could not start; the mutation is not published")
                self._pending.calls.clear()
        if self.websocket is not None:
            await self.websocket.flush()
        return response

    async def _gateway(self) -> WebSocketGateway:
        """The WebSocket gateway and its engine, built and started once; the engine then
        publishes the mutations kept until now, and every later one itself."""
        if self.websocket is not None:
            return self.websocket
        # Deferred imports: the engine, the protocols and boto3 are for real-time only.
        from deploy.aws_lambda.websocket import WebSocketGateway
        from subscriptions.service import build_realtime

        api = self.api
        realtime = build_realtime(
            definition=api.definition,
            schema=api.schema.graphql,
            executor=api.executor,
            wiring=api.wiring,
            resolvers=api.resolvers,
            authorizer=api.authorizer,
        )
        try:
            gateway = WebSocketGateway(realtime, self.settings)
            await realtime.engine.start()
        except BaseException:
            api.executor.mutation_listeners.remove(realtime.engine)  # the next event tries again
            raise
        self._stack.push_async_callback(realtime.engine.stop)
        self.websocket = gateway
        if self._pending is not None:
            api.executor.mutation_listeners.remove(self._pending)
            for call in self._pending.calls:
                realtime.engine.mutation_executed(*call)
            self._pending = None
        return self.websocket

    def close(self) -> None:
        """Stop everything (tests; Lambda itself never calls this)."""
        if self._started:
            self.loop.run_until_complete(self._stack.aclose())
            self._started = False
        self.loop.close()
