"""``graphql-transport-ws`` on ``WS /graphql`` (graphql-ws PROTOCOL.md).

Credentials travel in the ``connection_init`` payload — ``{"x-api-key": ...}``,
``{"Authorization": ...}`` or the same under ``"headers"`` — and are checked like HTTP headers by
the API's authorizer; the upgrade request's own headers count too. Queries and mutations are
served as well (one ``next``, then ``complete``); a mutation run here publishes like one over HTTP.
Every protocol violation closes the socket with the code PROTOCOL.md names.
"""

from __future__ import annotations

import time
from typing import Any

from auth.modes import Authorization
from subscriptions.protocols.base import StandardCloseCode
from subscriptions.protocols.graphql_transport_ws.types import SUBPROTOCOL, CloseCode
from subscriptions.protocols.operations import OperationsHandler, connection_headers


class GraphQLTransportWSHandler(OperationsHandler):
    __slots__ = ("init_deadline", "init_payload", "init_received")

    subprotocol = SUBPROTOCOL
    data_type = "next"
    serves_queries = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.init_payload: object = None
        self.init_received = False
        self.init_deadline = 0.0

    def request_headers(self) -> dict[str, str]:
        return connection_headers(self.socket.headers, self.init_payload)

    def started(self) -> None:
        self.init_deadline = time.monotonic() + self.settings.init_timeout

    def tick(self, now: float) -> None:
        if not self.init_received and now >= self.init_deadline:
            self.close_soon(CloseCode.CONNECTION_INIT_TIMEOUT, "Connection initialisation timeout")

    # -- bad frames -------------------------------------------------------------------------

    async def bad_frame(self, reason: str) -> None:
        await self.socket.close(CloseCode.BAD_REQUEST, f"Invalid message received: {reason}")

    async def unknown_type(self, message: dict[str, Any]) -> None:
        await self.bad_frame(f"unknown type {message['type']!r}")

    async def frame_too_large(self, size: int, limit: int) -> None:
        await self.socket.close(
            StandardCloseCode.MESSAGE_TOO_BIG, f"Message of {size} bytes exceeds {limit}"
        )

    def send_error(self, id_: str, errors: list[dict[str, Any]]) -> None:
        self.socket.send_json({"id": id_, "type": "error", "payload": errors})

    # -- messages ---------------------------------------------------------------------------

    async def handle_connection_init(self, message: dict[str, Any]) -> None:
        if self.init_received:
            await self.socket.close(
                CloseCode.TOO_MANY_INITIALISATION_REQUESTS, "Too many initialisation requests"
            )
            return
        self.init_received = True
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            await self.bad_frame("connection_init payload must be an object")
            return
        headers = connection_headers(self.socket.headers, payload)
        authorization = await self.authorize(self.http_call(headers))
        if not isinstance(authorization, Authorization):
            await self.socket.close(CloseCode.FORBIDDEN, "Forbidden")
            return
        self.authorization = authorization
        # Kept as the small init payload; the full headers are rebuilt per subscribe, so an
        # idle connection holds no copy of its request headers.
        self.init_payload = payload
        self.socket.send('{"type":"connection_ack"}')

    async def handle_ping(self, message: dict[str, Any]) -> None:
        self.socket.send('{"type":"pong"}')

    async def handle_pong(self, message: dict[str, Any]) -> None:
        return None

    async def handle_subscribe(self, message: dict[str, Any]) -> None:
        if self.authorization is None:
            await self.socket.close(CloseCode.UNAUTHORIZED, "Unauthorized")
            return
        id_ = message.get("id")
        payload = message.get("payload")
        if not isinstance(id_, str) or not id_ or not isinstance(payload, dict):
            await self.bad_frame("subscribe needs a string id and an object payload")
            return
        query = payload.get("query")
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        if (
            not isinstance(query, str)
            or not (variables is None or isinstance(variables, dict))
            or not (operation_name is None or isinstance(operation_name, str))
        ):
            await self.bad_frame("subscribe payload needs a string query")
            return
        if id_ in self.operations:
            await self.socket.close(
                CloseCode.SUBSCRIBER_ALREADY_EXISTS, f"Subscriber for {id_} already exists"
            )
            return
        await self.start_operation(
            id_, query, variables, operation_name, self.authorization, self.request_headers()
        )

    async def handle_complete(self, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        if not isinstance(id_, str):
            await self.bad_frame("complete needs a string id")
            return
        self.stop_operation(id_)
