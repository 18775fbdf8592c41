"""API Gateway HTTP events ↔ ASGI: the Lambda-backed API runs the same Starlette endpoint as
``syncline serve`` (``web.graphql_http``), so auth, limits and error shapes cannot drift.

An event becomes one ASGI ``http`` scope whose ``path`` is the path *the client requested* —
stage prefix included (``/prod/graphql`` on a REST API stage) — with the prefix as
``root_path``, so routing sees ``/graphql`` while SigV4 is checked against the original host
(the ``Host`` header, else ``requestContext.domainName``) and the original path, as the client
signed them. Bodies arrive base64-encoded when API Gateway decided they were binary; responses
are base64-encoded unless their media type is text.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, unquote, urlencode

from starlette.types import ASGIApp, Message, Scope

from deploy.aws_lambda.events import EventFormat

_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/graphql-response+json",
    "application/javascript",
    "application/xml",
    "image/svg+xml",
)


def _body(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if not body:
        return b""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return str(body).encode()


def _headers_v1(event: dict[str, Any]) -> list[tuple[str, str]]:
    multi = event.get("multiValueHeaders") or {}
    if multi:
        return [(name.lower(), value) for name, values in multi.items() for value in values or ()]
    return [(name.lower(), value) for name, value in (event.get("headers") or {}).items()]


def _headers_v2(event: dict[str, Any]) -> list[tuple[str, str]]:
    headers = [(name.lower(), value) for name, value in (event.get("headers") or {}).items()]
    cookies = event.get("cookies")
    if cookies:
        headers = [h for h in headers if h[0] != "cookie"]
        headers.append(("cookie", "; ".join(cookies)))
    return headers


def _query_v1(event: dict[str, Any]) -> str:
    multi = event.get("multiValueQueryStringParameters")
    if multi:
        return urlencode([(k, v) for k, values in multi.items() for v in values], quote_via=quote)
    single = event.get("queryStringParameters")
    return urlencode(single, quote_via=quote) if single else ""


def _stage_prefix(path: str, stage: str | None) -> str:
    """The ``root_path`` API Gateway added in front of the route (``/prod``), or ``""``."""
    if stage and stage != "$default":
        prefix = f"/{stage}"
        if path == prefix or path.startswith(prefix + "/"):
            return prefix
    return ""


def http_scope(event: dict[str, Any], kind: EventFormat) -> Scope:
    """The ASGI scope of an HTTP API (2.0) or REST API (1.0) event."""
    context = event.get("requestContext") or {}
    if kind is EventFormat.HTTP_V2:
        http = context["http"]
        method = http["method"]
        raw_path = event.get("rawPath") or http.get("path") or "/"
        path = unquote(raw_path)
        query = event.get("rawQueryString") or ""
        headers = _headers_v2(event)
        source_ip = http.get("sourceIp")
    else:
        method = event["httpMethod"]
        # requestContext.path is what the client asked for (stage included); event.path is
        # the resource path after the stage (and after a custom domain's base path mapping).
        path = context.get("path") or event.get("path") or "/"
        raw_path = quote(path, safe="/~!$&'()*+,;=:@%")
        query = _query_v1(event)
        headers = _headers_v1(event)
        source_ip = (context.get("identity") or {}).get("sourceIp")
    host = next((v for k, v in headers if k == "host"), None)
    if host is None:
        host = context.get("domainName") or "localhost"
        headers.append(("host", host))
    if kind is EventFormat.HTTP_V1 and event.get("path") and path.endswith(event["path"]):
        root_path = path[: len(path) - len(event["path"])].rstrip("/")
    else:
        root_path = _stage_prefix(path, context.get("stage"))
    scheme = next((v for k, v in headers if k == "x-forwarded-proto"), "https")
    port = int(next((v for k, v in headers if k == "x-forwarded-port"), "443") or 443)
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": scheme,
        "path": path,
        "raw_path": raw_path.encode("latin-1", "replace"),
        "root_path": root_path,
        "query_string": query.encode("latin-1", "replace"),
        "headers": [(k.encode("latin-1"), v.encode("latin-1", "replace")) for k, v in headers],
        "server": (host.split(":")[0], port),
        "client": (source_ip, 0) if source_ip else None,
        "state": {},
    }


def _is_text(headers: Iterable[tuple[str, str]]) -> bool:
    content_type = next((v for k, v in headers if k == "content-type"), "")
    encoding = next((v for k, v in headers if k == "content-encoding"), "")
    return not encoding and content_type.lower().startswith(_TEXT_TYPES)


async def run_http(app: ASGIApp, event: dict[str, Any], kind: EventFormat) -> dict[str, Any]:
    """Run ``app`` on one HTTP event and return the response in the event's format."""
    body = _body(event)
    received = False
    done = asyncio.Event()
    status = 500
    headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal received
        if received:
            # API Gateway has the whole request already: the client "leaves" only once the
            # response is complete (a streaming response listens for this).
            await done.wait()
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            headers.extend(
                (k.decode("latin-1").lower(), v.decode("latin-1"))
                for k, v in message.get("headers", ())
            )
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(http_scope(event, kind), receive, send)
    finally:
        done.set()
    return lambda_response(status, headers, b"".join(chunks), kind)


def lambda_response(
    status: int, headers: list[tuple[str, str]], body: bytes, kind: EventFormat
) -> dict[str, Any]:
    text = _is_text(headers)
    encoded = body.decode() if text else base64.b64encode(body).decode()
    response: dict[str, Any] = {"statusCode": status, "body": encoded, "isBase64Encoded": not text}
    if kind is EventFormat.HTTP_V2:
        # Payload 2.0 has no multi-value headers: repeats are comma-joined (RFC 9110, 5.3),
        # except Set-Cookie, which has its own list.
        joined: dict[str, str] = {}
        for name, value in headers:
            if name != "set-cookie":
                joined[name] = f"{joined[name]},{value}" if name in joined else value
        response["headers"] = joined
        cookies = [v for k, v in headers if k == "set-cookie"]
        if cookies:
            response["cookies"] = cookies
    else:
        multi: dict[str, list[str]] = {}
        for name, value in headers:
            multi.setdefault(name, []).append(value)
        response["headers"] = {name: values[-1] for name, values in multi.items()}
        response["multiValueHeaders"] = multi
    return response
