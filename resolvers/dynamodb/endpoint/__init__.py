"""The embedded tables as a DynamoDB-compatible endpoint: DynamoDB's JSON 1.0 wire protocol.

``POST /dynamodb`` on the main port (and ``POST /`` on ``--dynamodb-port``) with
``X-Amz-Target: DynamoDB_20120810.<Operation>`` and ``Content-Type: application/x-amz-json-1.0``,
as the DynamoDB API reference defines them, so boto3, the AWS CLI and local Lambda handlers
(``AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000/dynamodb``) read and write the same tables
the resolvers do (docs/dynamodb-endpoint.md).

- ``wire``: operation names, the error shape, request member checks;
- ``items``: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, BatchGetItem,
  BatchWriteItem, TransactGetItems, TransactWriteItems;
- ``tables``: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTimeToLive,
  DescribeTimeToLive.

Answers carry ``x-amzn-RequestId`` and ``x-amz-crc32`` (botocore verifies the checksum). Errors
are DynamoDB's ``{"__type": "<namespace>#<Exception>", "message": ...}`` with HTTP 400 for the
client's errors and 500 for Syncline's, so SDKs raise the exception classes they raise against
AWS; the store's errors map by their ``DynamoDB:<Exception>`` type.

Deviation: any SigV4 signature is accepted, as DynamoDB Local accepts any; a request with no
credentials at all is refused, as by both. The endpoint reaches every table without the GraphQL
API's auth, so it is as exposed as the server's port: bind to 127.0.0.1, as by default, or keep
``/dynamodb`` behind something that authenticates.
"""

from __future__ import annotations

import json
import logging
import uuid
import zlib
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from resolvers.dynamodb import table_store
from resolvers.dynamodb.endpoint.items import ItemOperations
from resolvers.dynamodb.endpoint.tables import TableOperations
from resolvers.dynamodb.endpoint.wire import (
    CONTENT_TYPE,
    MAX_REQUEST_BYTES,
    TARGET_PREFIX,
    Body,
    Target,
    WireError,
)
from resolvers.dynamodb.errors import ConditionalCheckFailed, TransactionCanceled
from resolvers.dynamodb.store import TableStore
from resolvers.registry import Runtime
from schema.errors import ResolverError

__all__ = [
    "CONTENT_TYPE",
    "DynamoDBEndpoint",
    "Target",
    "WireError",
    "dynamodb_endpoint",
    "endpoint_routes",
    "on_own_port",
]

log = logging.getLogger(__name__)

Handler = Callable[[Body], Awaitable[dict[str, Any]]]
_ENDPOINT_KEY = "dynamodb.endpoint"


class DynamoDBEndpoint:
    """An ASGI app answering DynamoDB API calls from one ``TableStore``."""

    def __init__(self, store: TableStore) -> None:
        self.store = store
        tables = TableOperations(store)
        items = ItemOperations(store, tables)
        self._handlers: dict[Target, Handler] = {
            target: getattr(
                tables if target.name in _TABLE_TARGETS else items,
                f"handle_{target.name.lower()}",
            )
            for target in Target
        }
        self._opened = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan: the application that mounts this owns the store
            return
        response = await self.handle(Request(scope, receive))
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        try:
            body, target = await self._read(request)
            if not self._opened:  # created tables are known once the store is open
                await self.store.open()
                self._opened = True
            result = await self._handlers[target](body)
        except Exception as error:
            return _error_response(_wire_error(error, request), request_id)
        return _json_response(200, result, request_id)

    async def _read(self, request: Request) -> tuple[Body, Target]:
        if request.method != "POST":
            raise WireError("UnknownOperationException", "An unknown operation was requested.")
        if "authorization" not in request.headers and (
            "X-Amz-Credential" not in request.query_params
        ):
            raise WireError(
                "MissingAuthenticationTokenException", "Request is missing Authentication Token"
            )
        prefix, _, name = request.headers.get("x-amz-target", "").partition(".")
        if prefix != TARGET_PREFIX or name not in _TARGETS:
            raise WireError("UnknownOperationException", "An unknown operation was requested.")
        payload = await request.body()
        if len(payload) > MAX_REQUEST_BYTES:
            raise WireError("ValidationException", "Request size exceeded 16777216 bytes", 413)
        try:
            body = json.loads(payload or b"{}")
        except ValueError:
            raise WireError(
                "SerializationException", "The request body is not valid JSON"
            ) from None
        if not isinstance(body, dict):
            raise WireError("SerializationException", "The request body must be a JSON object")
        return body, _TARGETS[name]


_TARGETS = {target.value: target for target in Target}
_TABLE_TARGETS = frozenset(
    {"CREATE_TABLE", "DESCRIBE_TABLE", "LIST_TABLES", "DELETE_TABLE"}
    | {"UPDATE_TIME_TO_LIVE", "DESCRIBE_TIME_TO_LIVE"}
)


def _wire_error(error: Exception, request: Request) -> WireError:
    """Any failure as DynamoDB's error answer (the one place exceptions become wire errors)."""
    if isinstance(error, WireError):
        return error
    if isinstance(error, ConditionalCheckFailed):
        extra = {"Item": error.item} if error.item is not None else {}
        return WireError("ConditionalCheckFailedException", error.message, 400, extra)
    if isinstance(error, TransactionCanceled):
        reasons = [
            {
                "Code": reason.code.value,
                **({"Message": reason.message} if reason.message else {}),
                **({"Item": reason.item} if reason.item is not None else {}),
            }
            for reason in error.reasons
        ]
        return WireError(
            "TransactionCanceledException", error.message, 400, {"CancellationReasons": reasons}
        )
    if isinstance(error, ResolverError) and (error.error_type or "").startswith("DynamoDB:"):
        return WireError((error.error_type or "").removeprefix("DynamoDB:"), error.message)
    if isinstance(error, ResolverError):  # a request the store could not take as it is
        return WireError("ValidationException", error.message)
    log.exception("DynamoDB endpoint: %s failed", request.headers.get("x-amz-target"))
    return WireError("InternalServerError", "Internal server error; see the Syncline log", 500)


def _json_response(status: int, payload: Any, request_id: str) -> Response:
    content = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    headers = {"x-amzn-RequestId": request_id, "x-amz-crc32": str(zlib.crc32(content))}
    return Response(content, status, headers=headers, media_type=CONTENT_TYPE)


def _error_response(error: WireError, request_id: str) -> Response:
    return _json_response(error.status, error.payload(), request_id)


def endpoint_routes(endpoint: DynamoDBEndpoint, path: str = "/dynamodb") -> list[Route]:
    """Routes serving ``endpoint`` at exactly ``path`` (botocore POSTs to the path it is given,
    with no trailing slash; a ``Mount`` would answer that with a redirect)."""
    paths = [path, f"{path}/"] if path != "/" else ["/"]
    return [Route(p, endpoint) for p in paths]


def dynamodb_endpoint(runtime: Runtime) -> DynamoDBEndpoint:
    """The API's one endpoint, on the store its data sources use (made on first call)."""
    endpoint = runtime.shared.get(_ENDPOINT_KEY)
    if endpoint is None:
        endpoint = runtime.shared[_ENDPOINT_KEY] = DynamoDBEndpoint(table_store(runtime))
    assert isinstance(endpoint, DynamoDBEndpoint)
    return endpoint


def on_own_port(app: ASGIApp, endpoint: DynamoDBEndpoint, port: int) -> ASGIApp:
    """``app``, except that requests arriving on ``port`` go to ``endpoint`` at ``/``.

    ``syncline serve --dynamodb-port``: one server listens on both ports, so the lifespan,
    signals and the store are shared; tools that expect a bare host get ``http://host:port``.
    """
    own = Starlette(routes=endpoint_routes(endpoint, "/"))

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        server = scope.get("server")
        if scope["type"] != "lifespan" and server is not None and server[1] == port:
            await own(scope, receive, send)
        else:
            await app(scope, receive, send)

    return dispatch
