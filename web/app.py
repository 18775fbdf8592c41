"""The Starlette application serving one API."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from auth.routes import auth_routes
from cache.api_cache import CacheSettings
from cache.routes import cache_routes
from resolvers.dynamodb import start_table_store
from resolvers.dynamodb.endpoint import dynamodb_endpoint, endpoint_routes
from resolvers.lambda_.endpoint import invoke_routes
from resolvers.lambda_.functions import functions_for
from resolvers.services import SERVICES_PREFIX, services_for
from schema.model import AuthMode
from subscriptions.protocols.base import RealtimeContext, RealtimeSettings
from subscriptions.service import RealtimeStarlette, build_realtime, realtime_routes
from web.api import LoadedApi, load_api
from web.demo import demo_routes
from web.graphiql import graphiql_static_app, render_graphiql
from web.graphql_http import GraphiQLPage, GraphQLEndpoint

GRAPHIQL_ASSETS = "/graphql/assets"
GRAPHQL_PATH = "/graphql"


class SynclineApp(RealtimeStarlette):
    """The served application: ``GET|POST /graphql`` go straight to the GraphQL endpoint,
    ahead of Starlette's middleware stack and router, as the WebSockets do.

    Those layers only route the request and catch what the endpoint already catches, yet on a
    one-field query they cost about as much as the GraphQL work (bench/README.md, "Issue 9:
    where the time goes"). The route stays in the router for what is not dispatched here: other
    methods (405) and a path under a ``root_path``.
    """

    def __init__(self, realtime: RealtimeContext, graphql: GraphQLEndpoint, **kwargs: Any) -> None:
        super().__init__(realtime, **kwargs)
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == GRAPHQL_PATH
            and scope["method"] in ("GET", "POST")
            and not scope.get("root_path")
        ):
            scope["app"] = self
            await self.graphql(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _graphiql_page(api: LoadedApi) -> GraphiQLPage:
    headers = {}
    modes = {provider.mode for provider in api.definition.auth_providers}
    if AuthMode.API_KEY in modes and api.definition.api_keys:
        # A local playground convenience: the first configured key, as the example documents.
        headers["x-api-key"] = api.definition.api_keys[0].value

    def page(request: Request) -> Response:
        return render_graphiql(
            endpoint=str(request.url.path),
            assets_path=GRAPHIQL_ASSETS,
            default_headers=headers,
            title=f"{api.definition.name} · Syncline",
        )

    return page


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep what exists once the API is loaded and started out of the cyclic GC while serving.

    The loaded API, its schema and every imported module are tens of thousands of objects that
    live as long as the process; each full collection walked all of them (~13 ms with the bench
    API) while every request waited. Frozen (``gc.freeze``), they are never scanned again, and
    a full collection walks only what serving has allocated since. Unfrozen when the app stops,
    so a process that runs several apps (the tests) can collect them.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _first_api_key(api: LoadedApi) -> str | None:
    modes = {provider.mode for provider in api.definition.auth_providers}
    if AuthMode.API_KEY in modes and api.definition.api_keys:
        return api.definition.api_keys[0].value
    return None


def create_app_for(
    api: LoadedApi,
    *,
    redis_url: str | None = None,
    realtime_settings: RealtimeSettings | None = None,
) -> Starlette:
    """The application for a loaded API; ``redis_url`` selects the Redis subscription broker."""
    endpoint = GraphQLEndpoint(api, _graphiql_page(api))
    realtime = build_realtime(
        definition=api.definition,
        schema=api.schema.graphql,
        executor=api.executor,
        wiring=api.wiring,
        resolvers=api.resolvers,
        authorizer=api.authorizer,
        redis_url=redis_url,
        settings=realtime_settings,
    )

    async def health(_: Request) -> Response:
        # A broker that is reconnecting degrades subscriptions only: queries and mutations are
        # served, so the status stays 200 (docs/subscriptions.md, "Brokers"). A cache backend
        # that fails degrades caching only: requests are served uncached (docs/caching.md).
        engine = realtime.engine
        cache = api.cache
        healthy = engine.healthy and (cache is None or cache.healthy)
        return JSONResponse(
            {
                "status": "ok" if healthy else "degraded",
                "api": api.definition.name,
                "subscriptions": engine.health(),
                **({"cache": cache.health()} if cache is not None else {}),
            }
        )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with api.runtime.exit_stack:
            await start_table_store(api.runtime)  # opens the tables, starts TTL expiry
            await realtime.engine.start()
            try:
                with frozen_heap():
                    yield
            finally:
                await realtime.engine.stop()
                await realtime.ticker.stop()

    return SynclineApp(
        realtime,
        endpoint,
        routes=[
            Mount(GRAPHIQL_ASSETS, app=graphiql_static_app()),
            Route(GRAPHQL_PATH, endpoint, methods=["GET", "POST"]),
            Route("/health", health, methods=["GET"]),
            *realtime_routes(realtime),  # WS /graphql and /graphql/realtime
            # The live web client for the orders example (docs/subscriptions.md, "Demo").
            *demo_routes(api.schema.graphql, _first_api_key(api), api.definition.name),
            *auth_routes(api.authorizer),  # the local token issuer's JWKS (docs/auth.md)
            # GET /metrics and FlushApiCache (docs/caching.md).
            *cache_routes(
                api.cache,
                api.definition.name,
                api.authorizer.authorizers,
                [key.value for key in api.definition.api_keys],
            ),
            # The local functions' Lambda Invoke API (docs/lambda.md).
            *invoke_routes(functions_for(api.runtime)),
            # The embedded tables' DynamoDB-compatible endpoint (docs/dynamodb-endpoint.md).
            *endpoint_routes(dynamodb_endpoint(api.runtime)),
            # The API folder's own HTTP services (docs/http-data-source.md).
            *(
                Mount(f"{SERVICES_PREFIX}/{name}", app=service)
                for name, service in services_for(api.runtime).items()
            ),
        ],
        lifespan=lifespan,
    )


def create_app(
    api_dir: Path | str = Path("examples/orders"),
    data_dir: Path | None = None,
    redis_url: str | None = None,
    cache: CacheSettings | None = None,
) -> Starlette:
    """Load, validate and bind the API in ``api_dir`` and return its ASGI application.

    ``redis_url`` also puts the API cache in Redis unless ``cache`` says otherwise."""
    settings = cache if cache is not None else CacheSettings(redis_url=redis_url)
    return create_app_for(load_api(Path(api_dir), data_dir, settings), redis_url=redis_url)
