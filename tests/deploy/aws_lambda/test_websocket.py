"""The WebSocket API end to end on moto's DynamoDB and API Gateway Management API: $connect,
connection_init, start/subscribe, a mutation (over the HTTP API) filtered and delivered through
post_to_connection, stop, $disconnect, and a gone connection (410) cleaned up."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from moto import mock_aws
from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

from deploy.aws_lambda.app import LambdaApi, LambdaSettings
from deploy.tables import connections_table, subscriptions_table
from tests.deploy.aws_lambda.conftest import EXAMPLE
from tests.deploy.events import EXAMPLE_KEY, load, with_body
from web.api import load_api

ENDPOINT = "https://w1x2y3z4.execute-api.us-east-1.amazonaws.com/prod"
SUBSCRIBE = "subscription S($c: ID) { onOrderUpdated(customerId: $c) { id customerId status } }"
PLACE = (
    "mutation P($input: PlaceOrderInput!) { placeOrder(input: $input) { id customerId status } }"
)


def ws_event(
    kind: str, connection_id: str, body: Any = None, protocols: str = ""
) -> dict[str, Any]:
    route = {"CONNECT": "$connect", "DISCONNECT": "$disconnect", "MESSAGE": "$default"}[kind]
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": kind,
            "connectionId": connection_id,
            "domainName": "w1x2y3z4.execute-api.us-east-1.amazonaws.com",
            "stage": "prod",
            "apiId": "w1x2y3z4",
            "identity": {"sourceIp": "203.0.113.7"},
        },
        "isBase64Encoded": False,
    }
    if kind == "CONNECT":
        event["headers"] = {
            "Host": "w1x2y3z4.execute-api.us-east-1.amazonaws.com",
            "Sec-WebSocket-Protocol": protocols,
            "x-api-key": EXAMPLE_KEY,
        }
    if body is not None:
        event["body"] = json.dumps(body)
    return event


def sent(connection_id: str) -> list[dict[str, Any]]:
    """What moto's API Gateway Management API received for the connection, message by message."""
    backend = apigatewaymanagementapi_backends["123456789012"]["us-east-1"]
    # moto keys connections by the id as it appears in the URL path (percent-encoded).
    key = quote(connection_id, safe="")
    data = backend.connections[key].data.decode() if key in backend.connections else ""
    backend.connections.pop(key, None)
    decoder = json.JSONDecoder()
    messages, index = [], 0
    while index < len(data):
        message, index = decoder.raw_decode(data, index)
        messages.append(message)
    return messages


@pytest.fixture
def gateway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LambdaApi]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("dynamodb")
        for spec in (connections_table("Connections"), subscriptions_table("Subscriptions")):
            client.create_table(**spec.create_table_input())
        settings = LambdaSettings(
            EXAMPLE, tmp_path, connections_table="Connections", subscriptions_table="Subscriptions"
        )
        api = LambdaApi(load_api(EXAMPLE, tmp_path), settings)
        yield api
        api.close()


def place(api: LambdaApi, customer: str) -> dict[str, Any]:
    order = {
        "customerId": customer,
        "cardToken": "tok",
        "items": [{"sku": "a", "quantity": 1, "price": 2}],
    }
    response = api.handle(
        with_body(load("apigw_http_v2_post_query"), {"query": PLACE, "variables": {"input": order}})
    )
    assert response["statusCode"] == 200, response["body"]
    result: dict[str, Any] = json.loads(response["body"])["data"]["placeOrder"]
    return result


def test_appsync_realtime_connect_start_deliver_stop_disconnect(gateway: LambdaApi) -> None:
    connect = gateway.handle(ws_event("CONNECT", "c1=", protocols="graphql-ws"))
    assert connect == {"statusCode": 200, "headers": {"Sec-WebSocket-Protocol": "graphql-ws"}}
    gateway.handle(ws_event("MESSAGE", "c1=", {"type": "connection_init"}))
    assert sent("c1=") == [{"type": "connection_ack", "payload": {"connectionTimeoutMs": 600000}}]
    data = json.dumps({"query": SUBSCRIBE, "variables": {"c": "alice"}})
    start = {
        "id": "s1",
        "type": "start",
        "payload": {
            "data": data,
            "extensions": {"authorization": {"x-api-key": EXAMPLE_KEY, "host": "h"}},
        },
    }
    gateway.handle(ws_event("MESSAGE", "c1=", start))
    assert sent("c1=") == [{"type": "start_ack", "id": "s1"}]
    order = place(gateway, "alice")
    place(gateway, "bob")  # filtered out by the customerId argument
    assert sent("c1=") == [
        {"id": "s1", "type": "data", "payload": {"data": {"onOrderUpdated": order}}}
    ]
    gateway.handle(ws_event("MESSAGE", "c1=", {"id": "s1", "type": "stop"}))
    assert sent("c1=") == [{"id": "s1", "type": "complete"}]
    place(gateway, "alice")
    assert sent("c1=") == []
    gateway.handle(ws_event("DISCONNECT", "c1="))
    assert boto3.resource("dynamodb").Table("Connections").scan()["Items"] == []


def test_graphql_transport_ws_and_a_fresh_instance_delivers(
    gateway: LambdaApi, tmp_path: Path
) -> None:
    gateway.handle(ws_event("CONNECT", "g1=", protocols="graphql-transport-ws"))
    gateway.handle(
        ws_event(
            "MESSAGE", "g1=", {"type": "connection_init", "payload": {"x-api-key": EXAMPLE_KEY}}
        )
    )
    assert sent("g1=") == [{"type": "connection_ack"}]
    gateway.handle(
        ws_event(
            "MESSAGE", "g1=", {"type": "subscribe", "id": "1", "payload": {"query": SUBSCRIBE}}
        )
    )
    gateway.handle(ws_event("MESSAGE", "g1=", {"type": "ping"}))
    assert sent("g1=") == [{"type": "pong"}]
    # Another instance (a cold start) runs the mutation: it finds the subscriber in the table.
    other = LambdaApi(load_api(EXAMPLE, tmp_path / "other"), gateway.settings)
    try:
        order = place(other, "carol")
    finally:
        other.close()
    assert sent("g1=") == [
        {"id": "1", "type": "next", "payload": {"data": {"onOrderUpdated": order}}}
    ]


def test_refusals(gateway: LambdaApi) -> None:
    assert gateway.handle(ws_event("CONNECT", "x1=", protocols="chat"))["statusCode"] == 400
    gateway.handle(ws_event("CONNECT", "x2=", protocols="graphql-ws"))
    gateway.handle(
        ws_event("MESSAGE", "x2=", {"id": "s", "type": "start", "payload": {"data": "{}"}})
    )
    assert sent("x2=")[0]["payload"]["errors"][0]["message"] == "Send connection_init before start"
    event = ws_event("CONNECT", "x3=", protocols="graphql-ws")
    event["headers"]["x-api-key"] = "da2-wrong"
    gateway.handle(event)
    gateway.handle(ws_event("MESSAGE", "x3=", {"type": "connection_init"}))
    # connection_error is posted, then the connection is deleted (moto drops what it held).
    assert "Item" not in boto3.resource("dynamodb").Table("Connections").get_item(
        Key={"connectionId": "x3="}
    )


class _GoneGateway(BaseHTTPRequestHandler):
    """API Gateway's answer for a connection that is gone: 410 GoneException."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(410)
        self.send_header("x-amzn-ErrorType", "GoneException")
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"message": null}')

    def log_message(self, *_: Any) -> None:
        pass


def test_gone_connection_is_removed(gateway: LambdaApi) -> None:
    server = HTTPServer(("127.0.0.1", 0), _GoneGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        event = ws_event("CONNECT", "gone=", protocols="graphql-ws")
        gateway.handle(event)
        table = boto3.resource("dynamodb").Table("Connections")
        item = table.get_item(Key={"connectionId": "gone="})["Item"]
        item["endpoint"] = f"http://127.0.0.1:{server.server_port}"
        table.put_item(Item=copy.deepcopy(item))
        gateway.handle(ws_event("MESSAGE", "gone=", {"type": "connection_init"}))
        assert table.scan()["Items"] == []
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_query_builds_no_real_time_side_and_a_failing_one_fails_no_mutation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # No region anywhere: boto3 cannot make the tables' client, so the real-time side, built
    # after the first mutation, fails to start; the mutation itself still succeeds.
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    settings = LambdaSettings(
        EXAMPLE, tmp_path, connections_table="Connections", subscriptions_table="Subscriptions"
    )
    api = LambdaApi(load_api(EXAMPLE, tmp_path), settings)
    try:
        query = with_body(load("apigw_http_v2_post_query"), {"query": "{ __typename }"})
        assert api.handle(query)["statusCode"] == 200
        assert api.websocket is None
        for customer in ("dave", "erin"):  # each mutation tries again, and fails no request
            assert place(api, customer)["status"] == "PAID"
            assert api.websocket is None
        assert "the real-time side could not start" in caplog.text
        # Only the listener that keeps mutations for the engine: no engine left half-built.
        assert len(api.api.executor.mutation_listeners) == 1
    finally:
        api.close()
