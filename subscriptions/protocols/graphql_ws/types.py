"""Messages of the legacy ``graphql-ws`` protocol (subscriptions-transport-ws PROTOCOL.md).

Errors there are messages, not close codes; the connection stays open after a bad frame.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

SUBPROTOCOL = "graphql-ws"


class ConnectionInitMessage(TypedDict):
    """Direction: client → server."""

    type: Literal["connection_init"]
    payload: NotRequired[dict[str, Any] | None]


class ConnectionAckMessage(TypedDict):
    """Direction: server → client."""

    type: Literal["connection_ack"]


class ConnectionErrorMessage(TypedDict):
    """Direction: server → client. The credentials were refused; the socket closes."""

    type: Literal["connection_error"]
    payload: dict[str, Any]


class KeepAliveMessage(TypedDict):
    """Direction: server → client, after ``connection_ack`` and then periodically."""

    type: Literal["ka"]


class StartMessage(TypedDict):
    """Direction: client → server."""

    id: str
    type: Literal["start"]
    payload: dict[str, Any]


class StopMessage(TypedDict):
    """Direction: client → server."""

    id: str
    type: Literal["stop"]


class ConnectionTerminateMessage(TypedDict):
    """Direction: client → server."""

    type: Literal["connection_terminate"]


class DataMessage(TypedDict):
    """Direction: server → client."""

    id: str
    type: Literal["data"]
    payload: dict[str, Any]


class ErrorMessage(TypedDict):
    """Direction: server → client. ``id`` is absent for a frame that could not be read."""

    id: NotRequired[str]
    type: Literal["error"]
    payload: Any


class CompleteMessage(TypedDict):
    """Direction: server → client."""

    id: str
    type: Literal["complete"]
