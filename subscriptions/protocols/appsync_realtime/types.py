"""Messages and error types of AppSync's realtime protocol.

AppSync developer guide, "Building a real-time WebSocket client in AWS AppSync": the handshake
selects subprotocol ``graphql-ws``; ``connection_init`` → ``connection_ack {connectionTimeoutMs}``;
``ka`` keep-alives; ``start {id, payload: {data, extensions: {authorization}}}`` → ``start_ack`` and
``data``; ``stop`` → ``complete``; ``error`` and ``connection_error`` carry
``{errors: [{errorType, message, errorCode}]}``. Clients (Amplify) treat ``errorCode`` 400, 401 and
403 as final.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any, Literal, NotRequired, TypedDict

SUBPROTOCOL = "graphql-ws"
HEADER_PROTOCOL_PREFIX = "header-"
"""``header-<base64url JSON>``: connection credentials as a Sec-WebSocket-Protocol entry."""


class ErrorType(StrEnum):
    UNAUTHORIZED = "UnauthorizedException"
    BAD_REQUEST = "BadRequestException"
    UNSUPPORTED_OPERATION = "UnsupportedOperation"
    MAX_SUBSCRIPTIONS_REACHED = "MaxSubscriptionsReachedError"
    LIMIT_EXCEEDED = "LimitExceededError"
    CONNECTION_TIMEOUT = "ConnectionTimeoutError"
    """Syncline's: no ``connection_init`` in time, or no subscription for too long."""


class ErrorCode(IntEnum):
    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    REQUEST_TIMEOUT = 408


class AppSyncError(TypedDict):
    errorType: str
    message: str
    errorCode: NotRequired[int]


class ConnectionInitMessage(TypedDict):
    """Direction: client → server."""

    type: Literal["connection_init"]


class ConnectionAckMessage(TypedDict):
    """Direction: server → client."""

    type: Literal["connection_ack"]
    payload: dict[str, int]


class ConnectionErrorMessage(TypedDict):
    """Direction: server → client; the socket then closes."""

    type: Literal["connection_error"]
    payload: dict[str, list[AppSyncError]]


class KeepAliveMessage(TypedDict):
    """Direction: server → client."""

    type: Literal["ka"]


class StartPayload(TypedDict):
    data: str
    """The GraphQL request as a JSON string: ``{"query", "variables", "operationName"}``."""
    extensions: NotRequired[dict[str, Any]]
    """``{"authorization": {...}}``: the start's own credentials, checked on their own."""


class StartMessage(TypedDict):
    """Direction: client → server."""

    id: str
    type: Literal["start"]
    payload: StartPayload


class StartAckMessage(TypedDict):
    """Direction: server → client."""

    id: str
    type: Literal["start_ack"]


class DataMessage(TypedDict):
    """Direction: server → client."""

    id: str
    type: Literal["data"]
    payload: dict[str, Any]


class StopMessage(TypedDict):
    """Direction: client → server."""

    id: str
    type: Literal["stop"]


class CompleteMessage(TypedDict):
    """Direction: server → client, after ``stop`` or when the subscription is invalidated."""

    id: str
    type: Literal["complete"]


class ErrorMessage(TypedDict):
    """Direction: server → client. ``id`` names the subscription, when there is one."""

    id: NotRequired[str]
    type: Literal["error"]
    payload: dict[str, list[AppSyncError]]
