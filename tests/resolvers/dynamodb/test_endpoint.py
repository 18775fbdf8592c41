"""The DynamoDB wire endpoint at the protocol level: targets, errors, statuses, headers.

What the endpoint answers (items, pages, tables) is compared with DynamoDB Local in
``differential/``; here the JSON 1.0 protocol itself, through Starlette's TestClient.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from resolvers.dynamodb.endpoint import DynamoDBEndpoint, endpoint_routes
from resolvers.dynamodb.store import TableStore
from tests.apis import client_for, write_api
from tests.resolvers.dynamodb.support import TABLES

AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, Signature=0"
)


@pytest.fixture
def wire(tmp_path: Path) -> Iterator[TestClient]:
    store = TableStore(TABLES, tmp_path)
    app = Starlette(routes=endpoint_routes(DynamoDBEndpoint(store)))
    with TestClient(app) as client:
        yield client


def post(
    client: TestClient,
    target: str | None,
    body: Any,
    *,
    auth: bool = True,
    path: str = "/dynamodb",
) -> Any:
    headers = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        headers["X-Amz-Target"] = target
    if auth:
        headers["Authorization"] = AUTH
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(path, content=content, headers=headers)


def test_an_answer_carries_dynamodb_headers(wire: TestClient) -> None:
    response = post(wire, "DynamoDB_20120810.ListTables", {})
    assert response.status_code == 200
    assert response.json() == {"TableNames": ["Events", "Orders"]}
    assert response.headers["content-type"] == "application/x-amz-json-1.0"
    assert response.headers["x-amz-crc32"] == str(zlib.crc32(response.content))
    assert len(response.headers["x-amzn-requestid"]) == 36


def test_the_path_with_a_trailing_slash_answers_too(wire: TestClient) -> None:
    response = post(wire, "DynamoDB_20120810.ListTables", {}, path="/dynamodb/")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("target", "body", "auth", "status", "type_"),
    [
        pytest.param(
            "DynamoDB_20120810.ListTables",
            {},
            False,
            400,
            "com.amazon.coral.service#MissingAuthenticationTokenException",
            id="no-credentials",
        ),
        pytest.param(
            "DynamoDB_20120810.Frobnicate",
            {},
            True,
            400,
            "com.amazon.coral.service#UnknownOperationException",
            id="unknown-operation",
        ),
        pytest.param(
            "DynamoDB_20111205.GetItem",
            {},
            True,
            400,
            "com.amazon.coral.service#UnknownOperationException",
            id="other-api-version",
        ),
        pytest.param(
            None,
            {},
            True,
            400,
            "com.amazon.coral.service#UnknownOperationException",
            id="no-target",
        ),
        pytest.param(
            "DynamoDB_20120810.GetItem",
            b"{not json",
            True,
            400,
            "com.amazon.coral.service#SerializationException",
            id="not-json",
        ),
        pytest.param(
            "DynamoDB_20120810.GetItem",
            [1, 2],
            True,
            400,
            "com.amazon.coral.service#SerializationException",
            id="not-an-object",
        ),
        pytest.param(
            "DynamoDB_20120810.GetItem",
            {"TableName": 5, "Key": {}},
            True,
            400,
            "com.amazon.coral.service#SerializationException",
            id="wrong-member-type",
        ),
        pytest.param(
            "DynamoDB_20120810.GetItem",
            {"Key": {"id": {"S": "a"}}},
            True,
            400,
            "com.amazon.coral.validate#ValidationException",
            id="missing-member",
        ),
        pytest.param(
            "DynamoDB_20120810.GetItem",
            {"TableName": "Nope", "Key": {"id": {"S": "a"}}},
            True,
            400,
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            id="missing-table",
        ),
        pytest.param(
            "DynamoDB_20120810.CreateTable",
            {
                "TableName": "Orders",
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
            True,
            400,
            "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
            id="declared-table-exists",
        ),
        pytest.param(
            "DynamoDB_20120810.Query",
            {"TableName": "Orders", "KeyConditions": {}},
            True,
            400,
            "com.amazon.coral.validate#ValidationException",
            id="legacy-parameter",
        ),
    ],
)
def test_errors_have_dynamodb_shapes(
    wire: TestClient, target: str | None, body: Any, auth: bool, status: int, type_: str
) -> None:
    response = post(wire, target, body, auth=auth)
    assert response.status_code == status
    answer = response.json()
    assert answer["__type"] == type_
    assert answer["message"]
    assert set(answer) == {"__type", "message"}


def test_a_get_is_not_an_operation(wire: TestClient) -> None:
    response = wire.get("/dynamodb")
    assert response.status_code == 400
    assert response.json()["__type"].endswith("#UnknownOperationException")


def test_a_failed_condition_carries_the_item_only_when_asked(wire: TestClient) -> None:
    item = {"id": {"S": "o1"}, "n": {"N": "1.50"}}
    assert (
        post(wire, "DynamoDB_20120810.PutItem", {"TableName": "Orders", "Item": item}).json() == {}
    )
    failing = {
        "TableName": "Orders",
        "Item": {"id": {"S": "o1"}},
        "ConditionExpression": "attribute_not_exists(id)",
    }
    plain = post(wire, "DynamoDB_20120810.PutItem", failing)
    assert plain.status_code == 400
    assert plain.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "message": "The conditional request failed",
    }
    asked = post(
        wire,
        "DynamoDB_20120810.PutItem",
        {**failing, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
    )
    assert asked.json()["Item"] == {"id": {"S": "o1"}, "n": {"N": "1.5"}}


def test_a_cancelled_transaction_lists_its_reasons(wire: TestClient) -> None:
    response = post(
        wire,
        "DynamoDB_20120810.TransactWriteItems",
        {
            "TransactItems": [
                {"Put": {"TableName": "Orders", "Item": {"id": {"S": "a"}}}},
                {
                    "ConditionCheck": {
                        "TableName": "Orders",
                        "Key": {"id": {"S": "b"}},
                        "ConditionExpression": "attribute_exists(id)",
                    }
                },
            ]
        },
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["__type"].endswith("#TransactionCanceledException")
    assert answer["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed."},
    ]


def test_an_unexpected_failure_is_a_500_without_details(
    wire: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(TableStore, "get_item", broken)
    response = post(
        wire, "DynamoDB_20120810.GetItem", {"TableName": "Orders", "Key": {"id": {"S": "a"}}}
    )
    assert response.status_code == 500
    assert response.json()["__type"].endswith("#InternalServerError")
    assert "secret" not in response.text


def test_the_api_app_serves_the_endpoint_at_dynamodb(tmp_path: Path) -> None:
    api = write_api(
        tmp_path,
        "type Query { a: String }",
        "",
        top="""
        tables:
          Notes:
            partitionKey: id
        """,
    )
    with client_for(api) as client:
        listed = post(client, "DynamoDB_20120810.ListTables", {})
        assert listed.json() == {"TableNames": ["Notes"]}
        described = post(client, "DynamoDB_20120810.DescribeTable", {"TableName": "Notes"})
        table = described.json()["Table"]
        assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        assert table["AttributeDefinitions"] == []  # the key type is locked by the first write
        post(
            client, "DynamoDB_20120810.PutItem", {"TableName": "Notes", "Item": {"id": {"N": "1"}}}
        )
        described = post(client, "DynamoDB_20120810.DescribeTable", {"TableName": "Notes"})
        assert described.json()["Table"]["AttributeDefinitions"] == [
            {"AttributeName": "id", "AttributeType": "N"}
        ]
