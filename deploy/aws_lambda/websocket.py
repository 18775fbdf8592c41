"""API Gateway WebSocket API: AppSync's realtime protocol and graphql-transport-ws on Lambda.

A WebSocket API turns each connection into Lambda events — ``$connect`` (the upgrade request's
headers), ``$default`` (one per client message) and ``$disconnect`` — and the function answers
through ``ApiGatewayManagementApi.post_to_connection``. No instance outlives an event, so a
connection's state (protocol, credentials, authorization) and its subscriptions live in the two
DynamoDB tables of ``deploy.tables``.

Subscriptions go through the server's own ``SubscriptionEngine``: a ``start``/``subscribe`` is
validated, authorized and resolved by ``engine.subscribe`` exactly as on ``WS /graphql``; a
mutation's event is filtered, projected and serialized by ``engine.dispatch``. The engine's
broker is replaced by ``TableBroker``: before an event is dispatched, the instance's engine is
brought in line with the subscriptions table (subscriptions it does not hold yet join it, gone
ones leave), and every message the engine delivers is posted to its connection. A post answered
410 (``GoneException``) removes the connection and its subscriptions.

Deviations (API Gateway cannot do otherwise): the subscription resolver runs when a subscription
starts and again the first time a fresh instance delivers to it; no ``ka`` keep-alives are sent
(``connectionTimeoutMs`` is API Gateway's 10-minute idle timeout); a close code cannot be chosen
— where the server would close with a protocol's code, the connection is deleted; and on this
API ``graphql-ws`` always means AppSync's realtime protocol (the legacy Apollo protocol of the
same name is served by ``syncline serve`` only).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from auth.errors import AuthFailure
from auth.modes import Authorization, HttpCall
from deploy.aws_lambda.events import WebSocketEventType
from deploy.tables import CONNECTION_LIFETIME
from resolvers.context import Request as CtxRequest
from schema.model import AuthMode, FieldCoordinate
from subscriptions.brokers import BrokerKind, BrokerState
from subscriptions.engine import SubscribeRequest, Subscription
from subscriptions.errors import SubscriptionError
from subscriptions.events import Event, EventKind
from subscriptions.protocols.appsync_realtime.credentials import (
    BadCredentials,
    connection_credentials,
    lowercase,
)
from subscriptions.protocols.appsync_realtime.types import SUBPROTOCOL as APPSYNC_SUBPROTOCOL
from subscriptions.protocols.appsync_realtime.types import ErrorType
from subscriptions.protocols.base import RealtimeContext
from subscriptions.protocols.graphql_transport_ws.types import SUBPROTOCOL as GTWS_SUBPROTOCOL
from subscriptions.protocols.operations import connection_headers

if TYPE_CHECKING:
    from deploy.aws_lambda.app import LambdaSettings

log = logging.getLogger("syncline.lambda.websocket")

GRAPHQL_PATH = "/graphql"
"""What AppSync realtime clients sign: ``<host>/graphql/connect`` and ``<host>/graphql``."""
IDLE_TIMEOUT_MS = 600_000


class WireProtocol(StrEnum):
    APPSYNC_REALTIME = "appsync-realtime"
    GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"

    @property
    def data_type(self) -> str:
        return "next" if self is WireProtocol.GRAPHQL_TRANSPORT_WS else "data"


def _authorization_to_json(authorization: Authorization) -> str:
    return json.dumps(
        {
            "mode": authorization.mode.value,
            "identity": authorization.identity,
            "denied": sorted(str(c) for c in authorization.denied_fields),
        }
    )


def _authorization_from_json(text: str) -> Authorization:
    raw = json.loads(text)
    return Authorization(
        AuthMode(raw["mode"]),
        raw["identity"],
        frozenset(FieldCoordinate.parse(c) for c in raw["denied"]),
    )


@dataclass
class Connection:
    """One item of the connections table."""

    connection_id: str
    protocol: WireProtocol
    endpoint: str
    headers: dict[str, str]
    source_ip: str | None = None
    authorization: Authorization | None = None

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "connectionId": self.connection_id,
            "protocol": self.protocol.value,
            "endpoint": self.endpoint,
            "headers": json.dumps(self.headers),
            "expiresAt": int(time.time()) + CONNECTION_LIFETIME,
        }
        if self.source_ip:
            item["sourceIp"] = self.source_ip
        if self.authorization is not None:
            item["authorization"] = _authorization_to_json(self.authorization)
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Connection:
        authorization = item.get("authorization")
        return cls(
            str(item["connectionId"]),
            WireProtocol(item["protocol"]),
            str(item["endpoint"]),
            json.loads(item["headers"]),
            item.get("sourceIp"),
            _authorization_from_json(authorization) if authorization else None,
        )


class Tables:
    """The connections and subscriptions tables (boto3, run off the event loop)."""

    def __init__(self, settings: LambdaSettings) -> None:
        import boto3

        resource = boto3.resource("dynamodb")
        self.connections = resource.Table(str(settings.connections_table))
        self.subscriptions = resource.Table(str(settings.subscriptions_table))

    async def put_connection(self, connection: Connection) -> None:
        await asyncio.to_thread(self.connections.put_item, Item=connection.to_item())

    async def connection(self, connection_id: str) -> Connection | None:
        answer = await asyncio.to_thread(
            self.connections.get_item, Key={"connectionId": connection_id}, ConsistentRead=True
        )
        item = answer.get("Item")
        return Connection.from_item(item) if item else None

    async def subscriptions_of(self, connection_id: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("connectionId").eq(connection_id)}
        while True:
            page = await asyncio.to_thread(self.subscriptions.query, **kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    async def subscriptions_for(self, field_name: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        from deploy.tables import BY_FIELD_INDEX

        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "IndexName": BY_FIELD_INDEX,
            "KeyConditionExpression": Key("field").eq(field_name),
        }
        while True:
            page = await asyncio.to_thread(self.subscriptions.query, **kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    async def put_subscription(self, item: dict[str, Any]) -> None:
        item["expiresAt"] = int(time.time()) + CONNECTION_LIFETIME
        await asyncio.to_thread(self.subscriptions.put_item, Item=item)

    async def delete_subscription(self, connection_id: str, subscription_id: str) -> None:
        await asyncio.to_thread(
            self.subscriptions.delete_item,
            Key={"connectionId": connection_id, "subscriptionId": subscription_id},
        )

    async def delete_connection(self, connection_id: str) -> None:
        for item in await self.subscriptions_of(connection_id):
            await self.delete_subscription(connection_id, str(item["subscriptionId"]))
        await asyncio.to_thread(self.connections.delete_item, Key={"connectionId": connection_id})


class _Outgoing:
    """Messages to post once the event is handled, per connection, in order."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []
        """(endpoint, connection id, text)."""
        self.to_close: set[tuple[str, str]] = set()

    def send(self, connection: Connection, message: Mapping[str, Any] | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message, separators=(",", ":"))
        self.messages.append((connection.endpoint, connection.connection_id, text))


class _TableSubscriber:
    """The engine's view of a stored subscription: what it delivers is posted to the socket."""

    __slots__ = ("broker", "connection_id", "endpoint", "prefix", "subscription_id")

    def __init__(
        self, broker: TableBroker, item: Mapping[str, Any], protocol: WireProtocol
    ) -> None:
        self.broker = broker
        self.connection_id = str(item["connectionId"])
        self.subscription_id = str(item["subscriptionId"])
        self.endpoint = str(item["endpoint"])
        # The same frame as subscriptions.protocols.operations: prefix + the engine's message.
        self.prefix = (
            f'{{"id":{json.dumps(self.subscription_id)},"type":"{protocol.data_type}","payload":'
        )

    def deliver(self, message: str) -> None:
        self.broker.outgoing.messages.append(
            (self.endpoint, self.connection_id, f"{self.prefix}{message}}}")
        )

    def invalidated(self) -> None:
        self.broker.invalidated.append(self)


@dataclass
class TableBroker:
    """The engine's broker on Lambda: events are dispatched to the subscribers in the table."""

    gateway: WebSocketGateway
    kind: BrokerKind = BrokerKind.MEMORY
    pending: list[Event] = field(default_factory=list)
    outgoing: _Outgoing = field(default_factory=_Outgoing)
    invalidated: list[_TableSubscriber] = field(default_factory=list)
    held: dict[tuple[str, str], Subscription] = field(default_factory=dict)

    @property
    def state(self) -> BrokerState:
        return BrokerState.CONNECTED

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    def publish(self, event: Event) -> None:
        self.pending.append(event)

    def health(self) -> dict[str, Any]:
        return {"kind": "dynamodb", "held": len(self.held)}


class WebSocketGateway:
    """Serves WebSocket API events for one API."""

    def __init__(self, realtime: RealtimeContext, settings: LambdaSettings) -> None:
        self.realtime = realtime
        self.engine = realtime.engine
        self.settings = settings
        self.tables = Tables(settings)
        self.broker = TableBroker(self)
        # Replaces the in-process broker: events are delivered through the table instead.
        self.engine.broker = self.broker
        self._clients: dict[str, Any] = {}

    # -- the event --------------------------------------------------------------------------

    async def handle(self, event: dict[str, Any]) -> dict[str, Any]:
        context = event["requestContext"]
        connection_id = context["connectionId"]
        kind = WebSocketEventType(context["eventType"])
        try:
            if kind is WebSocketEventType.CONNECT:
                return await self.connect(event, connection_id)
            if kind is WebSocketEventType.DISCONNECT:
                await self.tables.delete_connection(connection_id)
                self._forget_connection(connection_id)
                return {"statusCode": 200}
            await self.message(event, connection_id)
            return {"statusCode": 200}
        finally:
            await self.flush()

    async def connect(self, event: dict[str, Any], connection_id: str) -> dict[str, Any]:
        context = event["requestContext"]
        headers = lowercase(event.get("headers") or {})
        offered = [
            p.strip() for p in headers.get("sec-websocket-protocol", "").split(",") if p.strip()
        ]
        if GTWS_SUBPROTOCOL in offered:
            protocol, chosen = WireProtocol.GRAPHQL_TRANSPORT_WS, GTWS_SUBPROTOCOL
        elif APPSYNC_SUBPROTOCOL in offered:
            protocol, chosen = WireProtocol.APPSYNC_REALTIME, APPSYNC_SUBPROTOCOL
        else:
            return {"statusCode": 400, "body": "Sec-WebSocket-Protocol must offer graphql-ws"}
        query = "&".join(f"{k}={v}" for k, v in (event.get("queryStringParameters") or {}).items())
        if protocol is WireProtocol.APPSYNC_REALTIME:
            try:
                headers = connection_credentials(offered, query, headers)
            except BadCredentials as error:
                return {"statusCode": 400, "body": str(error)}
        endpoint = self.settings.websocket_endpoint or (
            f"https://{context['domainName']}/{context['stage']}"
        )
        identity = context.get("identity") or {}
        connection = Connection(
            connection_id, protocol, endpoint, headers, identity.get("sourceIp")
        )
        await self.tables.put_connection(connection)
        return {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": chosen}}

    async def message(self, event: dict[str, Any], connection_id: str) -> None:
        connection = await self.tables.connection(connection_id)
        if connection is None:
            log.warning("message for unknown connection %s: closing it", connection_id)
            self.broker.outgoing.to_close.add((self._endpoint_of(event), connection_id))
            return
        try:
            message = json.loads(event.get("body") or "")
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            self._bad_frame(connection, "Message must be a JSON object with a string 'type'")
            return
        handler = getattr(self, f"_{connection.protocol.name.lower()}_{message['type']}", None)
        if handler is None:
            self._unknown(connection, message)
            return
        await handler(connection, message)

    def _endpoint_of(self, event: dict[str, Any]) -> str:
        context = event["requestContext"]
        return self.settings.websocket_endpoint or (
            f"https://{context['domainName']}/{context['stage']}"
        )

    # -- shared steps -------------------------------------------------------------------------

    async def _authorize(
        self, connection: Connection, headers: Mapping[str, str], path: str, body: bytes
    ) -> Authorization | AuthFailure:
        call = HttpCall(
            method="POST",
            scheme="https",
            host=headers.get("host", ""),
            path=path,
            query="",
            headers=headers,
            body=body,
            source_ip=connection.source_ip,
        )
        try:
            return await self.realtime.authorizer.authenticate(call)
        except AuthFailure as failure:
            return failure

    async def _subscribe(
        self,
        connection: Connection,
        id_: str,
        request: Mapping[str, Any],
        authorization: Authorization,
        headers: Mapping[str, str],
    ) -> SubscriptionError | None:
        existing = await self.tables.subscriptions_of(connection.connection_id)
        if len(existing) >= self.realtime.settings.max_subscriptions:
            limit = self.realtime.settings.max_subscriptions
            return SubscriptionError(
                f"Max number of {limit} subscriptions reached", "MaxSubscriptionsReachedError", 400
            )
        item = {
            "connectionId": connection.connection_id,
            "subscriptionId": id_,
            "endpoint": connection.endpoint,
            "protocol": connection.protocol.value,
            "query": request["query"],
            "variables": json.dumps(request.get("variables")),
            "operationName": request.get("operationName") or "",
            "authorization": _authorization_to_json(authorization),
            "headers": json.dumps(dict(headers)),
        }
        try:
            subscription = await self._join(item)
        except SubscriptionError as error:
            return error
        item["field"] = subscription.group.field
        await self.tables.put_subscription(item)
        return None

    async def _join(self, item: Mapping[str, Any]) -> Subscription:
        """Subscribe a stored subscription in this instance's engine (validated, authorized and
        resolved by ``engine.subscribe``)."""
        key = (str(item["connectionId"]), str(item["subscriptionId"]))
        held = self.broker.held.get(key)
        if held is not None:
            return held
        headers = json.loads(item["headers"])
        request = SubscribeRequest(
            str(item["query"]),
            json.loads(item["variables"]),
            str(item["operationName"]) or None,
            _authorization_from_json(str(item["authorization"])),
            CtxRequest(headers, headers.get("host")),
        )
        subscriber = _TableSubscriber(self.broker, item, WireProtocol(item["protocol"]))
        subscription = await self.engine.subscribe(request, subscriber)
        self.broker.held[key] = subscription
        return subscription

    def _leave(self, connection_id: str, subscription_id: str) -> None:
        held = self.broker.held.pop((connection_id, subscription_id), None)
        if held is not None:
            held.cancel()

    def _forget_connection(self, connection_id: str) -> None:
        for key in [k for k in self.broker.held if k[0] == connection_id]:
            self._leave(*key)

    async def _stop(self, connection: Connection, id_: str) -> None:
        await self.tables.delete_subscription(connection.connection_id, id_)
        self._leave(connection.connection_id, id_)

    def _bad_frame(self, connection: Connection, reason: str) -> None:
        if connection.protocol is WireProtocol.APPSYNC_REALTIME:
            self._appsync_error(connection, ErrorType.BAD_REQUEST, reason)
        else:  # graphql-transport-ws closes with 4400 on a bad frame
            self._close(connection)

    def _unknown(self, connection: Connection, message: dict[str, Any]) -> None:
        if connection.protocol is WireProtocol.APPSYNC_REALTIME:
            id_ = message.get("id")
            self._appsync_error(
                connection,
                ErrorType.UNSUPPORTED_OPERATION,
                f"Operation {message['type']} is not supported",
                id_ if isinstance(id_, str) else None,
            )
        else:
            self._close(connection)

    def _close(self, connection: Connection) -> None:
        self.broker.outgoing.to_close.add((connection.endpoint, connection.connection_id))

    # -- AppSync realtime (subscriptions.protocols.appsync_realtime) ----------------------------

    def _appsync_error(
        self,
        connection: Connection,
        error_type: ErrorType | str,
        message: str,
        id_: str | None = None,
        code: int = 400,
    ) -> None:
        frame: dict[str, Any] = {
            "type": "error",
            "payload": {
                "errors": [{"errorType": str(error_type), "message": message, "errorCode": code}]
            },
        }
        if id_ is not None:
            frame["id"] = id_
        self.broker.outgoing.send(connection, frame)

    async def _appsync_realtime_connection_init(
        self, connection: Connection, message: dict[str, Any]
    ) -> None:
        authorization = await self._authorize(
            connection, connection.headers, f"{GRAPHQL_PATH}/connect", b"{}"
        )
        if isinstance(authorization, AuthFailure):
            error = {
                "errorType": str(authorization.error_type),
                "message": authorization.message,
                "errorCode": authorization.status,
            }
            self.broker.outgoing.send(
                connection, {"type": "connection_error", "payload": {"errors": [error]}}
            )
            self._close(connection)
            return
        connection.authorization = authorization
        await self.tables.put_connection(connection)
        self.broker.outgoing.send(
            connection,
            {"type": "connection_ack", "payload": {"connectionTimeoutMs": IDLE_TIMEOUT_MS}},
        )

    async def _appsync_realtime_start(
        self, connection: Connection, message: dict[str, Any]
    ) -> None:
        id_ = message.get("id")
        payload = message.get("payload")
        if not isinstance(id_, str) or not id_:
            self._appsync_error(connection, ErrorType.BAD_REQUEST, "start needs a string id")
            return
        if connection.authorization is None:
            self._appsync_error(
                connection, ErrorType.BAD_REQUEST, "Send connection_init before start", id_
            )
            return
        request = None
        if isinstance(payload, dict) and isinstance(payload.get("data"), str):
            try:
                request = json.loads(payload["data"])
            except ValueError:
                request = None
        if not isinstance(request, dict) or not isinstance(request.get("query"), str):
            self._appsync_error(
                connection, ErrorType.BAD_REQUEST, "start needs payload.data, a JSON string", id_
            )
            return
        assert isinstance(payload, dict)
        extensions = payload.get("extensions")
        credentials = extensions.get("authorization") if isinstance(extensions, dict) else None
        authorization: Authorization | AuthFailure = connection.authorization
        headers = connection.headers
        if isinstance(credentials, dict):
            headers = lowercase(credentials)
            authorization = await self._authorize(
                connection, headers, GRAPHQL_PATH, payload["data"].encode()
            )
        if isinstance(authorization, AuthFailure):
            self._appsync_error(
                connection, authorization.error_type, authorization.message, id_,
                authorization.status,
            )  # fmt: skip
            return
        error = await self._subscribe(connection, id_, request, authorization, headers)
        if error is not None:
            self.broker.outgoing.send(
                connection, {"id": id_, "type": "error", "payload": {"errors": error.as_errors()}}
            )
            return
        self.broker.outgoing.send(connection, {"type": "start_ack", "id": id_})

    async def _appsync_realtime_stop(self, connection: Connection, message: dict[str, Any]) -> None:
        id_ = message.get("id")
        if not isinstance(id_, str):
            self._appsync_error(connection, ErrorType.BAD_REQUEST, "stop needs a string id")
            return
        await self._stop(connection, id_)
        self.broker.outgoing.send(connection, {"id": id_, "type": "complete"})

    # -- graphql-transport-ws (subscriptions.protocols.graphql_transport_ws) -------------------

    async def _graphql_transport_ws_connection_init(
        self, connection: Connection, message: dict[str, Any]
    ) -> None:
        if connection.authorization is not None:
            self._close(connection)  # 4429: too many initialisation requests
            return
        headers = connection_headers(connection.headers, message.get("payload"))
        authorization = await self._authorize(connection, headers, GRAPHQL_PATH, b"")
        if isinstance(authorization, AuthFailure):
            self._close(connection)  # 4403 Forbidden
            return
        connection.authorization = authorization
        connection.headers = headers
        await self.tables.put_connection(connection)
        self.broker.outgoing.send(connection, '{"type":"connection_ack"}')

    async def _graphql_transport_ws_ping(
        self, connection: Connection, message: dict[str, Any]
    ) -> None:
        self.broker.outgoing.send(connection, '{"type":"pong"}')

    async def _graphql_transport_ws_pong(
        self, connection: Connection, message: dict[str, Any]
    ) -> None:
        return None

    async def _graphql_transport_ws_subscribe(
        self, connection: Connection, message: dict[str, Any]
    ) -> None:
        id_ = message.get("id")
        payload = message.get("payload")
        if connection.authorization is None:
            self._close(connection)  # 4401 Unauthorized
            return
        if not isinstance(id_, str) or not isinstance(payload, dict):
            self._close(connection)
            return
        if not isinstance(payload.get("query"), str):
            self._close(connection)
            return
        error = await self._subscribe(
            connection, id_, payload, connection.authorization, connection.headers
        )
        if error is not None:
            self.broker.outgoing.send(
                connection, {"id": id_, "type": "error", "payload": error.as_errors()}
            )

    async def _graphql_transport_ws_complete(
        self, connection: Connection, message: dict[str, Any]
    ) -> None:
        id_ = message.get("id")
        if isinstance(id_, str):
            await self._stop(connection, id_)

    # -- delivery -----------------------------------------------------------------------------

    async def flush(self) -> None:
        """Dispatch published events to the table's subscribers, then post every message."""
        broker = self.broker
        while broker.pending:
            event = broker.pending.pop(0)
            fields = (
                self.engine.wiring.targets(event.field)
                if event.kind is EventKind.DATA
                else [event.field]
            )
            for field_name in fields:
                await self._sync(field_name)
            self.engine.dispatch(event)
            for subscriber in broker.invalidated:
                await self.tables.delete_subscription(
                    subscriber.connection_id, subscriber.subscription_id
                )
                broker.held.pop((subscriber.connection_id, subscriber.subscription_id), None)
                broker.outgoing.messages.append(
                    (
                        subscriber.endpoint,
                        subscriber.connection_id,
                        json.dumps({"id": subscriber.subscription_id, "type": "complete"}),
                    )
                )
            broker.invalidated.clear()
        outgoing, broker.outgoing = broker.outgoing, _Outgoing()
        gone: set[str] = set()
        for endpoint, connection_id, text in outgoing.messages:
            if connection_id in gone:
                continue
            if not await self._post(endpoint, connection_id, text):
                gone.add(connection_id)
        for endpoint, connection_id in outgoing.to_close:
            if connection_id not in gone:
                await self._delete(endpoint, connection_id)
        for connection_id in gone:
            log.info("connection %s is gone (410): removing it", connection_id)
            await self.tables.delete_connection(connection_id)
            self._forget_connection(connection_id)

    async def _sync(self, field_name: str) -> None:
        """Make this instance's engine hold exactly the table's subscriptions to the field."""
        items = await self.tables.subscriptions_for(field_name)
        stored = {(str(i["connectionId"]), str(i["subscriptionId"])): i for i in items}
        for key in [k for k, s in self.broker.held.items() if s.group.field == field_name]:
            if key not in stored:
                self._leave(*key)
        for key, item in stored.items():
            if key not in self.broker.held:
                try:
                    await self._join(item)
                except SubscriptionError as error:
                    log.warning("subscription %s could not be restored: %s", key, error.message)

    def _client(self, endpoint: str) -> Any:
        client = self._clients.get(endpoint)
        if client is None:
            import boto3

            client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)
            self._clients[endpoint] = client
        return client

    async def _post(self, endpoint: str, connection_id: str, text: str) -> bool:
        """Post one message; False if API Gateway says the connection is gone (410)."""
        from botocore.exceptions import ClientError

        client = self._client(endpoint)
        try:
            await asyncio.to_thread(
                client.post_to_connection, ConnectionId=connection_id, Data=text.encode()
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "GoneException" or (
                error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 410
            ):
                return False
            log.warning("post to %s failed: %s", connection_id, error)
        return True

    async def _delete(self, endpoint: str, connection_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            await asyncio.to_thread(
                self._client(endpoint).delete_connection, ConnectionId=connection_id
            )
        except ClientError as error:
            log.info("closing %s: %s", connection_id, error)
        await self.tables.delete_connection(connection_id)
        self._forget_connection(connection_id)
