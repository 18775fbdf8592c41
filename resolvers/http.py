"""The HTTP data source: AppSync's HTTP request object sent with httpx.

AppSync developer guide, "AWS AppSync JavaScript resolver function reference for HTTP": the
request is ``{method, resourcePath, params: {query, headers, body}}`` sent to the data
source's ``endpoint``; ``ctx.result`` is ``{statusCode, headers, body}`` with the body as text.
A transport failure (refused connection, timeout) is a field error, not a server error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from resolvers.context import ResolverContext
from resolvers.registry import DataSourceClient, Runtime, register
from schema.errors import ResolverError
from schema.model import DataSource, DataSourceKind

_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})


class HttpDataSource:
    def __init__(self, endpoint: str, client: httpx.AsyncClient) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.client = client

    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        if not isinstance(request, Mapping):
            raise ResolverError("an HTTP request must be an object", "MappingTemplate")
        method = str(request.get("method", "GET")).upper()
        if method not in _METHODS:
            raise ResolverError(f"unsupported HTTP method {method!r}", "MappingTemplate")
        resource_path = str(request.get("resourcePath", ""))
        if not resource_path.startswith("/"):
            raise ResolverError("resourcePath must start with '/'", "MappingTemplate")
        params = request.get("params") or {}
        body = params.get("body")
        try:
            response = await self.client.request(
                method,
                self.endpoint + resource_path,
                params=params.get("query") or None,
                headers=params.get("headers") or None,
                content=body if isinstance(body, str | bytes) or body is None else None,
                json=None if isinstance(body, str | bytes) or body is None else body,
            )
        except httpx.HTTPError as error:
            raise ResolverError(
                f"HTTP request to {self.endpoint}{resource_path} failed: {error}", "HTTP:Error"
            ) from error
        return {
            "statusCode": response.status_code,
            "headers": dict(response.headers),
            "body": response.text,
        }


@register(DataSourceKind.HTTP)
def http_data_source(config: DataSource, runtime: Runtime) -> DataSourceClient:
    client: httpx.AsyncClient | None = runtime.shared.get("httpx")
    if client is None:
        client = httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        runtime.shared["httpx"] = client
        runtime.exit_stack.push_async_callback(client.aclose)
    return HttpDataSource(str(config.config["endpoint"]), client)
