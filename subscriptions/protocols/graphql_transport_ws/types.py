"""Messages and close codes of ``graphql-transport-ws`` (graphql-ws PROTOCOL.md)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any, Literal, NotRequired, TypedDict

SUBPROTOCOL = "graphql-transport-ws"


class CloseCode(IntEnum):
    BAD_REQUEST = 4400
    """Invalid message received."""
    UNAUTHORIZED = 4401
    """``subscribe`` before the connection was acknowledged."""
    FORBIDDEN = 4403
    """``connection_init`` whose credentials were refused."""
    CONNECTION_INIT_TIMEOUT = 4408
    SUBSCRIBER_ALREADY_EXISTS = 4409
    TOO_MANY_INITIALISATION_REQUESTS = 4429
    INTERNAL_ERROR = 4500


class ConnectionInitMessage(TypedDict):
    """Direction: client → server."""

    type: Literal["connection_init"]
    payload: NotRequired[dict[str, Any] | None]


class ConnectionAckMessage(TypedDict):
    """Direction: server → client."""

    type: Literal["connection_ack"]
    payload: NotRequired[dict[str, Any]]


class PingMessage(TypedDict):
    """Direction: bidirectional."""

    type: Literal["ping"]
    payload: NotRequired[dict[str, Any]]


class PongMessage(TypedDict):
    """Direction: bidirectional."""

    type: Literal["pong"]
    payload: NotRequired[dict[str, Any]]


class SubscribePayload(TypedDict):
    query: str
    operationName: NotRequired[str | None]
    variables: NotRequired[dict[str, Any] | None]
    extensions: NotRequired[dict[str, Any] | None]


class SubscribeMessage(TypedDict):
    """Direction: client → server."""

    id: str
    type: Literal["subscribe"]
    payload: SubscribePayload


class NextMessage(TypedDict):
    """Direction: server → client. ``payload`` is an execution result."""

    id: str
    type: Literal["next"]
    payload: dict[str, Any]


class ErrorMessage(TypedDict):
    """Direction: server → client. The operation failed before executing; it is over."""

    id: str
    type: Literal["error"]
    payload: list[dict[str, Any]]


class CompleteMessage(TypedDict):
    """Direction: bidirectional."""

    id: str
    type: Literal["complete"]
