"""``POST|GET /graphql``: GraphQL over HTTP with AppSync's auth and error shapes.

Follows the GraphQL-over-HTTP specification: JSON bodies on POST, query parameters on GET
(queries only: a mutation over GET is 405), ``application/graphql-response+json`` with 4xx for
requests that never executed, ``application/json`` with 200 for legacy clients. A browser
asking for ``text/html`` gets GraphiQL. Errors use AppSync's shape (``schema.errors``).

The endpoint is a raw ASGI application, because on a one-field query Starlette's ``Request``,
``URL``, ``Headers`` and ``Response`` cost more than the GraphQL work (bench/README.md, "Issue 9:
where the time goes"): the headers are read once from the scope into a dict, the body is
decoded with orjson, the answer is encoded straight to bytes and sent as the two ASGI response
messages. Only the GraphiQL page, a rare GET, goes through Starlette's ``Request``/``Response``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import orjson
from graphql import ExecutionResult, GraphQLError, OperationType
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from auth.errors import AuthFailure
from auth.modes import Authorization, HttpCall
from resolvers.context import Request as CtxRequest
from resolvers.context import RequestState
from schema.errors import format_errors
from web.api import LoadedApi
from web.negotiation import MediaType, choose

log = logging.getLogger("syncline.http")

# Legacy first: a client that says nothing, or */*, gets application/json (spec, "Legacy
# watershed"); one that asks for application/graphql-response+json gets it.
_GRAPHQL_MEDIA = (MediaType.JSON, MediaType.GRAPHQL_RESPONSE_JSON)
_PAGE_MEDIA = (*_GRAPHQL_MEDIA, MediaType.HTML)
_LONG_DIGITS = re.compile(rb"[0-9]{19}")
_CONTENT_TYPES = {media: f"{media}; charset=utf-8".encode("latin-1") for media in _GRAPHQL_MEDIA}

GraphiQLPage = Callable[[Request], Response]


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class RequestHeaders(dict[str, str]):
    """The request's headers by name (lower-case, as ASGI delivers them), the first value of a
    repeated header winning as with Starlette's ``Headers``; ``getlist`` has every value (SigV4
    signs a repeated header's values joined, ``auth.iam``)."""

    __slots__ = ("raw",)

    raw: list[tuple[bytes, bytes]]

    @classmethod
    def from_scope(cls, scope: Scope) -> RequestHeaders:
        raw = scope["headers"]
        if not isinstance(raw, list):
            raw = list(raw)
        # Reversed, so that the first of repeated values is the one kept.
        headers = cls(
            {key.decode("latin-1"): value.decode("latin-1") for key, value in reversed(raw)}
        )
        headers.raw = raw
        return headers

    def getlist(self, name: str) -> list[str]:
        key = name.lower().encode("latin-1")
        return [value.decode("latin-1") for raw_key, value in self.raw if raw_key == key]


class Answer:
    """One response: its status, JSON body and extra headers (``Allow``, auth challenges)."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers

    def start(self, media: MediaType, length: int) -> Message:
        """The ``http.response.start`` message for a body of ``length`` bytes."""
        headers = [
            (b"content-type", _CONTENT_TYPES[media]),
            (b"content-length", b"%d" % length),
        ]
        if self.headers:
            headers += [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in self.headers.items()
            ]
        return {"type": "http.response.start", "status": self.status, "headers": headers}


def _json_default(value: Any) -> Any:
    # DynamoDB numbers reach error `data` as Decimal; JSON has one number type.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _dumps(body: Any) -> bytes:
    # orjson: ~10x faster than json.dumps on a 16 KB response (the 100-item list benchmark).
    # OPT_NON_STR_KEYS (keys that are not strings, in resolver-made error data or JSON scalar
    # values) halves its speed, so it is asked for only when a body has such a key.
    try:
        return orjson.dumps(body, default=_json_default)
    except orjson.JSONEncodeError:
        return orjson.dumps(body, default=_json_default, option=orjson.OPT_NON_STR_KEYS)


def _loads(body: bytes) -> Any:
    # orjson parses ~20x faster than json.loads, but reads an integer past 64 bits as a float
    # and refuses NaN and 1e400. A body orjson refuses, or one with variables and a run of 19
    # digits in it (a number that may not fit; only variables hold numbers), is read by
    # json.loads instead, so what a request means never changes.
    try:
        params = orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)
    if type(params) is dict and params.get("variables") and _LONG_DIGITS.search(body):
        return json.loads(body)
    return params


def _error_body(message: str, error_type: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "errorType": error_type}]}


def _result_body(result: ExecutionResult) -> dict[str, Any]:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = format_errors(result.errors)
    if result.extensions:
        # e.g. the API cache's apiCacheEntriesDeleted (docs/caching.md, "Eviction")
        body["extensions"] = result.extensions
    return body


def _http_call(scope: Scope, headers: RequestHeaders, body: bytes) -> HttpCall:
    client = scope.get("client")
    # Positional: keyword arguments cost a dataclass __init__ more, and one is built a request.
    return HttpCall(
        scope["method"],
        scope.get("scheme", "http"),
        headers.get("host", ""),
        scope["path"],
        scope.get("query_string", b"").decode(),
        headers,
        body,
        client[0] if client else None,
        scope.get("raw_path", b"").decode("latin-1") or None,
    )


def _params(scope: Scope, body: bytes) -> dict[str, Any]:
    """``query``, ``variables`` and ``operationName`` from the query string or the JSON body."""
    if scope["method"] == "GET":
        query_string = scope.get("query_string", b"").decode("latin-1")
        params: dict[str, Any] = dict(parse_qsl(query_string, keep_blank_values=True))
        for name in ("variables", "extensions"):
            if name in params:
                try:
                    params[name] = json.loads(params[name])
                except ValueError:
                    raise BadRequest(f"'{name}' is not valid JSON") from None
    else:
        try:
            params = _loads(body)
        except ValueError:
            raise BadRequest("Request body is not valid JSON") from None
        if not isinstance(params, dict):
            raise BadRequest("Request body must be a JSON object")
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise BadRequest("'query' must be a non-empty string")
    variables = params.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise BadRequest("'variables' must be an object")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadRequest("'operationName' must be a string")
    return {"query": query, "variables": variables, "operationName": operation_name or None}


class GraphQLEndpoint:
    """The ASGI application of ``/graphql`` for ``GET`` and ``POST``."""

    def __init__(self, api: LoadedApi, graphiql: GraphiQLPage) -> None:
        self.api = api
        self.graphiql = graphiql
        self.max_body = api.definition.limits.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = RequestHeaders.from_scope(scope)
        accept = headers.get("accept")
        if scope["method"] == "GET" and choose(accept, _PAGE_MEDIA) is MediaType.HTML:
            await self.graphiql(Request(scope, receive))(scope, receive, send)
            return
        media = choose(accept, _GRAPHQL_MEDIA)
        if media is None:
            message = "Accept must allow application/graphql-response+json or application/json"
            answer, media = Answer(406, _error_body(message, "NotAcceptable")), MediaType.JSON
        else:
            try:
                answer = await self._answer(scope, receive, headers, media)
            except ClientDisconnect:
                return  # nobody to answer
        content = _dumps(answer.body)
        await send(answer.start(media, len(content)))
        await send({"type": "http.response.body", "body": content})

    async def _answer(
        self, scope: Scope, receive: Receive, headers: RequestHeaders, media: MediaType
    ) -> Answer:
        try:
            body = await self._body(scope, receive, headers)
            authorization = await self.api.authorizer.authenticate(_http_call(scope, headers, body))
            params = _params(scope, body)
        except AuthFailure as failure:
            return Answer(failure.status, failure.body, failure.headers)
        except BadRequest as error:
            return Answer(error.status, _error_body(error.message, "BadRequestException"))
        try:
            return await self._run(scope, headers, params, media, authorization)
        except Exception:
            # Field failures never get here (graphql-core turns them into field errors); this
            # is the last line of defence, so one broken request never takes the server down.
            log.exception("request failed")
            return Answer(500, _error_body("An internal failure occurred", "InternalFailure"))

    async def _body(self, scope: Scope, receive: Receive, headers: RequestHeaders) -> bytes:
        """The POST body, read up to the configured limit (413 past it); empty for GET."""
        if scope["method"] == "GET":
            return b""
        content_type = headers.get("content-type", "")
        if (
            content_type != "application/json"
            and content_type.split(";")[0].strip().lower() != "application/json"
        ):
            raise BadRequest("Content-Type must be application/json", 415)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            raise BadRequest(f"Request body exceeds {self.max_body} bytes", 413)
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise BadRequest(f"Request body exceeds {self.max_body} bytes", 413)
            if not message.get("more_body", False):
                # Most bodies arrive in one message: no list to join.
                return b"".join((*parts, chunk)) if parts else chunk
            parts.append(chunk)

    async def _run(
        self,
        scope: Scope,
        headers: RequestHeaders,
        params: dict[str, Any],
        media: MediaType,
        authorization: Authorization,
    ) -> Answer:
        executor = self.api.executor
        prepared = executor.prepare(params["query"])
        failed = 200 if media is MediaType.JSON else 400  # the operation never executed
        if prepared.document is None:
            return Answer(failed, {"errors": format_errors(list(prepared.errors))})
        operation = executor.operation_type(prepared.document, params["operationName"])
        if operation is None:
            error = GraphQLError("Unknown operation named or ambiguous operation")
            return Answer(failed, {"errors": format_errors([error])})
        if scope["method"] == "GET" and operation is not OperationType.QUERY:
            return Answer(
                405,
                _error_body("Only queries can be sent with GET; use POST", "MethodNotAllowed"),
                {"Allow": "POST"},
            )
        if operation is OperationType.SUBSCRIPTION:
            message = "Subscriptions are served over WebSocket at /graphql/realtime"
            return Answer(failed, _error_body(message, "BadRequestException"))
        # request, identity, auth_mode, denied_fields, env: positional, as for HttpCall.
        state = RequestState(
            CtxRequest(headers, headers.get("host")),
            authorization.identity,
            authorization.mode,
            authorization.denied_fields,
            self.api.definition.environment,
        )
        outcome = await executor.execute(
            prepared.document, state, params["variables"], params["operationName"]
        )
        if outcome.request_error:
            return Answer(failed, {"errors": format_errors(outcome.result.errors or [])})
        return Answer(200, _result_body(outcome.result))
