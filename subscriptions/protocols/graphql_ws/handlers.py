"""Legacy ``graphql-ws`` on ``WS /graphql`` (subscriptions-transport-ws).

As the reference server does: credentials in ``connection_init``'s payload (the same forms as
graphql-transport-ws); refused credentials get ``connection_error`` and the socket closes with
1011; ``ka`` right after ``connection_ack`` and then every keep-alive interval; bad frames get an
``error`` message and the connection stays open; ``stop`` is answered by ``complete``.
"""

from __future__ import annotations

import time
from typing import Any

from auth.modes import Authorization
from subscriptions.protocols.base import StandardCloseCode
from subscriptions.protocols.graphql_ws.types import SUBPROTOCOL
from subscriptions.protocols.operations import OperationsHandler, connection_headers

KEEP_ALIVE = '{"type":"ka"}'


class GraphQLWSHandler(OperationsHandler):
    __slots__ = ("init_deadline", "init_payload", "next_keepalive")

    subprotocol = SUBPROTOCOL
    data_type = "data"
    serves_queries = True

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.init_payload: object = None
        self.init_deadline = 0.0
        self.next_keepalive = 0.0

    def request_headers(self) -> dict[str, str]:
        return connection_headers(self.socket.headers, self.init_payload)

    def started(self) -> None:
        self.init_deadline = time.monotonic() + self.settings.init_timeout

    def tick(self, now: float) -> None:
        if self.authorization is None:
            if now >= self.init_deadline:
                self.socket.send_json(
                    {
                        "type": "connection_error",
                        "payload": {"message": "Connection initialisation timeout"},
                    }
                )
                self.close_soon(
                    StandardCloseCode.POLICY_VIOLATION, "Connection initialisation timeout"
                )
        elif now >= self.next_keepalive:
            self.next_keepalive = now + self.settings.keepalive_interval
            self.socket.send(KEEP_ALIVE)

    def error(self, message: str, id_: str | None = None) -> None:
        frame: dict[str, Any] = {"type": "error", "payload": {"message": message}}
        if id_ is not None:
            frame["id"] = id_
        self.socket.send_json(frame)

    async def bad_frame(self, reason: str) -> None:
        self.error(reason)

    async def unknown_type(self, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        self.error("Invalid message type!", id_ if isinstance(id_, str) else None)

    async def frame_too_large(self, size: int, limit: int) -> None:
        self.error(f"Message of {size} bytes exceeds {limit}")

    def send_error(self, id_: str, errors: list[dict[str, Any]]) -> None:
        self.socket.send_json({"id": id_, "type": "error", "payload": errors})

    async def handle_connection_init(self, message: dict[str, Any]) -> None:
        payload = message.get("payload")
        headers = connection_headers(self.socket.headers, payload)
        authorization = await self.authorize(self.http_call(headers))
        if not isinstance(authorization, Authorization):
            self.socket.send_json(
                {"type": "connection_error", "payload": {"message": "Unauthorized"}}
            )
            await self.socket.close(StandardCloseCode.INTERNAL_ERROR, "Unauthorized")
            return
        self.authorization = authorization
        # Kept as the small init payload; the full headers are rebuilt per subscribe, so an
        # idle connection holds no copy of its request headers.
        self.init_payload = payload
        self.socket.send('{"type":"connection_ack"}')
        self.socket.send(KEEP_ALIVE)
        self.next_keepalive = time.monotonic() + self.settings.keepalive_interval

    async def handle_start(self, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        payload = message.get("payload")
        if not isinstance(id_, str) or not id_:
            self.error("start needs a string id")
            return
        if self.authorization is None:
            self.error("The connection is not initialised: send connection_init first", id_)
            return
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            self.error("start needs a payload with a string query", id_)
            return
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        if not (variables is None or isinstance(variables, dict)) or not (
            operation_name is None or isinstance(operation_name, str)
        ):
            self.error("variables must be an object and operationName a string", id_)
            return
        if id_ in self.operations:
            self.error(f"Subscription id {id_} is already in use", id_)
            return
        await self.start_operation(
            id_,
            payload["query"],
            variables,
            operation_name,
            self.authorization,
            self.request_headers(),
        )

    async def handle_stop(self, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        if not isinstance(id_, str):
            self.error("stop needs a string id")
            return
        if self.stop_operation(id_):
            self.send_complete(id_)

    async def handle_connection_terminate(self, message: dict[str, Any]) -> None:
        await self.socket.close(StandardCloseCode.NORMAL_CLOSURE)
