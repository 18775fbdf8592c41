"""AppSync's realtime protocol on ``WS /graphql/realtime``.

AppSync developer guide, "Building a real-time WebSocket client in AWS AppSync". The connection
is authorized at ``connection_init`` with the credentials of ``credentials.py``; each ``start`` is
authorized again on its own ``extensions.authorization``. For IAM the signatures cover what AppSync
clients sign: the connect, a POST to ``<GraphQL path>/connect`` with body ``{}``; a start, a POST
to the GraphQL path (the realtime path without ``/realtime``) with the ``data`` string as body.

Bad frames get an ``error`` message and the connection stays open. The limits are AppSync's: 100
subscriptions per connection (``MaxSubscriptionsReachedError``), 240 KB per message
(``LimitExceededError``). Two timeouts are Syncline's own (AppSync documents none):
no ``connection_init`` within ``init_timeout``, or an acknowledged connection without any
subscription for ``idle_timeout``, end with ``connection_error`` ``ConnectionTimeoutError``.
"""

from __future__ import annotations

import json
import time
from typing import Any

from auth.errors import AuthFailure
from auth.modes import Authorization
from subscriptions.engine import Message
from subscriptions.protocols.appsync_realtime.credentials import (
    BadCredentials,
    connection_credentials,
    lowercase,
)
from subscriptions.protocols.appsync_realtime.types import SUBPROTOCOL, ErrorCode, ErrorType
from subscriptions.protocols.base import StandardCloseCode, offered_subprotocols
from subscriptions.protocols.operations import OperationsHandler, _Subscriber

KEEP_ALIVE = '{"type":"ka"}'
REALTIME_SUFFIX = "/realtime"


def _error(
    error_type: ErrorType, message: str, code: ErrorCode = ErrorCode.BAD_REQUEST
) -> dict[str, Any]:
    return {"errorType": error_type.value, "message": message, "errorCode": int(code)}


def _refusal(failure: AuthFailure) -> dict[str, Any]:
    """An auth refusal as AppSync reports it: its errorType, message and HTTP status."""
    return {
        "errorType": str(failure.error_type),
        "message": failure.message,
        "errorCode": failure.status,
    }


class _RealtimeSubscriber(_Subscriber):
    """AppSync's 240 KB limit applies to outgoing messages too: a larger event becomes an
    ``error`` for the subscription instead of a ``data`` message."""

    __slots__ = ()
    handler: AppSyncRealtimeHandler

    def deliver(self, message: Message) -> None:
        size = len(message.data)
        if size > self.handler.settings.max_payload_bytes:
            self.handler.message_too_large(self.id, size)
        else:
            self.outbox.put_message(self.prefix, message)


class AppSyncRealtimeHandler(OperationsHandler):
    __slots__ = ("headers", "idle_since", "init_deadline", "next_keepalive")

    subprotocol = SUBPROTOCOL
    data_type = "data"
    serves_queries = False
    max_frame_bytes_setting = "max_payload_bytes"
    subscriber_class = _RealtimeSubscriber

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.headers: dict[str, str] = {}
        """The credentials the connection was authorized with (a start's default)."""
        self.init_deadline = 0.0
        self.next_keepalive = 0.0
        self.idle_since = 0.0

    @property
    def graphql_path(self) -> str:
        path = str(self.socket.scope.get("path", ""))
        return path[: -len(REALTIME_SUFFIX)] if path.endswith(REALTIME_SUFFIX) else path

    def admits(self) -> bool:
        return SUBPROTOCOL in offered_subprotocols(self.socket.scope)

    def started(self) -> None:
        self.init_deadline = time.monotonic() + self.settings.init_timeout

    def tick(self, now: float) -> None:
        if self.authorization is None:
            if now >= self.init_deadline:
                self.connection_error(
                    _error(
                        ErrorType.CONNECTION_TIMEOUT,
                        "No connection_init was received in time",
                        ErrorCode.REQUEST_TIMEOUT,
                    )
                )
            return
        if self.operations:
            self.idle_since = now
        elif now - self.idle_since >= self.settings.idle_timeout:
            self.connection_error(
                _error(
                    ErrorType.CONNECTION_TIMEOUT,
                    "The connection had no subscription for too long",
                    ErrorCode.REQUEST_TIMEOUT,
                )
            )
            return
        if now >= self.next_keepalive:
            self.next_keepalive = now + self.settings.keepalive_interval
            self.socket.send(KEEP_ALIVE)

    # -- wire helpers -----------------------------------------------------------------------

    def connection_error(self, error: dict[str, Any]) -> None:
        self.socket.send_json({"type": "connection_error", "payload": {"errors": [error]}})
        self.close_soon(StandardCloseCode.NORMAL_CLOSURE, error["message"])

    def error(self, error: dict[str, Any], id_: str | None = None) -> None:
        frame: dict[str, Any] = {"type": "error", "payload": {"errors": [error]}}
        if id_ is not None:
            frame["id"] = id_
        self.socket.send_json(frame)

    def send_error(self, id_: str, errors: list[dict[str, Any]]) -> None:
        self.socket.send_json({"id": id_, "type": "error", "payload": {"errors": errors}})

    def message_too_large(self, id_: str, size: int) -> None:
        self.error(
            _error(
                ErrorType.LIMIT_EXCEEDED,
                f"The subscription message of {size} bytes exceeds the "
                f"{self.settings.max_payload_bytes // 1024} KB limit",
            ),
            id_,
        )

    # -- bad frames -------------------------------------------------------------------------

    async def bad_frame(self, reason: str) -> None:
        self.error(_error(ErrorType.BAD_REQUEST, reason))

    async def unknown_type(self, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        self.error(
            _error(
                ErrorType.UNSUPPORTED_OPERATION, f"Operation {message['type']} is not supported"
            ),
            id_ if isinstance(id_, str) else None,
        )

    async def frame_too_large(self, size: int, limit: int) -> None:
        self.error(
            _error(
                ErrorType.LIMIT_EXCEEDED,
                f"The message of {size} bytes exceeds the {limit // 1024} KB limit",
            )
        )

    # -- messages ---------------------------------------------------------------------------

    async def handle_connection_init(self, message: dict[str, Any]) -> None:
        if self.authorization is not None:
            return
        scope = self.socket.scope
        try:
            headers = connection_credentials(
                offered_subprotocols(scope),
                scope.get("query_string", b"").decode("latin-1"),
                self.socket.headers,
            )
        except BadCredentials as error:
            self.connection_error(_error(ErrorType.BAD_REQUEST, str(error)))
            return
        call = self.http_call(
            headers,
            method="POST",
            path=f"{self.graphql_path}/connect",
            body=b"{}",
            host=headers.get("host") or self.socket.headers.get("host", ""),
            query="",
        )
        authorization = await self.authorize(call)
        if isinstance(authorization, AuthFailure):
            self.connection_error(_refusal(authorization))
            return
        self.authorization = authorization
        self.headers = headers
        now = time.monotonic()
        self.idle_since = now
        self.next_keepalive = now + self.settings.keepalive_interval
        self.socket.send_json(
            {
                "type": "connection_ack",
                "payload": {"connectionTimeoutMs": self.settings.connection_timeout_ms},
            }
        )
        self.socket.send(KEEP_ALIVE)

    async def handle_start(self, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        payload = message.get("payload")
        if not isinstance(id_, str) or not id_:
            self.error(_error(ErrorType.BAD_REQUEST, "start needs a string id"))
            return
        if self.authorization is None:
            self.error(_error(ErrorType.BAD_REQUEST, "Send connection_init before start"), id_)
            return
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), str):
            self.error(
                _error(ErrorType.BAD_REQUEST, "start needs payload.data, a JSON string"), id_
            )
            return
        try:
            request = json.loads(payload["data"])
        except ValueError:
            request = None
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            self.error(
                _error(ErrorType.BAD_REQUEST, "payload.data must be a JSON object with a query"),
                id_,
            )
            return
        variables = request.get("variables")
        operation_name = request.get("operationName")
        if not (variables is None or isinstance(variables, dict)) or not (
            operation_name is None or isinstance(operation_name, str)
        ):
            self.error(
                _error(
                    ErrorType.BAD_REQUEST, "variables must be an object, operationName a string"
                ),
                id_,
            )
            return
        if id_ in self.operations:
            self.error(
                _error(ErrorType.BAD_REQUEST, f"A subscription with id {id_} is already started"),
                id_,
            )
            return
        authorization, headers = await self.authorize_start(payload)
        if isinstance(authorization, AuthFailure):
            self.error(_refusal(authorization), id_)
            return
        if await self.start_operation(
            id_, request["query"], variables, operation_name, authorization, headers
        ):
            # Queued before any event can be (the subscription only joined its group now).
            self.socket.send_json({"type": "start_ack", "id": id_})

    async def authorize_start(
        self, payload: dict[str, Any]
    ) -> tuple[Authorization | AuthFailure, dict[str, str]]:
        """The start's own credentials (``extensions.authorization``), else the connection's."""
        extensions = payload.get("extensions")
        credentials = extensions.get("authorization") if isinstance(extensions, dict) else None
        if not isinstance(credentials, dict):
            assert self.authorization is not None
            return self.authorization, self.headers
        headers = lowercase(credentials)
        call = self.http_call(
            headers,
            method="POST",
            path=self.graphql_path,
            body=payload["data"].encode(),
            host=headers.get("host") or self.socket.headers.get("host", ""),
            query="",
        )
        return await self.authorize(call), headers

    def max_subscriptions_error(self) -> list[dict[str, Any]]:
        limit = self.settings.max_subscriptions
        return [
            _error(
                ErrorType.MAX_SUBSCRIPTIONS_REACHED, f"Max number of {limit} subscriptions reached"
            )
        ]

    async def handle_stop(self, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        if not isinstance(id_, str):
            self.error(_error(ErrorType.BAD_REQUEST, "stop needs a string id"))
            return
        self.stop_operation(id_)
        self.send_complete(id_)
