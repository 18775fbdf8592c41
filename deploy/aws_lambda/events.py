"""The API Gateway events one Syncline function receives, and how to tell them apart.

AWS Lambda developer guide, "Using Lambda with API Gateway": an HTTP API sends payload format
2.0 (``version: "2.0"``, ``rawPath``, ``requestContext.http``) or 1.0; a REST API sends 1.0
(``httpMethod``, ``path``, ``multiValueHeaders``); a WebSocket API sends events whose
``requestContext`` has ``connectionId`` and ``eventType`` (``CONNECT``, ``MESSAGE``,
``DISCONNECT``). Only the fields Syncline reads are typed here.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class EventFormat(StrEnum):
    HTTP_V2 = "http-2.0"
    """HTTP API, payload format 2.0."""
    HTTP_V1 = "http-1.0"
    """REST API (or an HTTP API configured for payload format 1.0)."""
    WEBSOCKET = "websocket"


class WebSocketEventType(StrEnum):
    CONNECT = "CONNECT"
    MESSAGE = "MESSAGE"
    DISCONNECT = "DISCONNECT"


class HttpContextV2(TypedDict):
    method: str
    path: str
    sourceIp: NotRequired[str]


class RequestContextV2(TypedDict):
    domainName: str
    stage: str
    http: HttpContextV2


class HttpEventV2(TypedDict):
    """Direction: API Gateway → Lambda (HTTP API, payload 2.0)."""

    version: str
    rawPath: str
    rawQueryString: str
    headers: NotRequired[dict[str, str]]
    cookies: NotRequired[list[str]]
    requestContext: RequestContextV2
    body: NotRequired[str | None]
    isBase64Encoded: bool


class WebSocketRequestContext(TypedDict):
    connectionId: str
    eventType: str
    routeKey: str
    domainName: str
    stage: str
    identity: NotRequired[dict[str, Any]]


class WebSocketEvent(TypedDict):
    """Direction: API Gateway → Lambda (WebSocket API; headers only on ``$connect``)."""

    requestContext: WebSocketRequestContext
    headers: NotRequired[dict[str, str] | None]
    multiValueHeaders: NotRequired[dict[str, list[str]] | None]
    queryStringParameters: NotRequired[dict[str, str] | None]
    body: NotRequired[str | None]
    isBase64Encoded: NotRequired[bool]


def event_format(event: dict[str, Any]) -> EventFormat | None:
    """Which kind of event this is; None for anything that is not from API Gateway."""
    context = event.get("requestContext")
    if not isinstance(context, dict):
        return None
    if "connectionId" in context and "eventType" in context:
        return EventFormat.WEBSOCKET
    if event.get("version") == "2.0" and isinstance(context.get("http"), dict):
        return EventFormat.HTTP_V2
    if "httpMethod" in event:
        return EventFormat.HTTP_V1
    return None
