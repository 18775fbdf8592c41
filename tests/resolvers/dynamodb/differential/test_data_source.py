"""The AMAZON_DYNAMODB data source on both stores: the embedded one, and boto3 on DynamoDB Local.

The same AppSync request objects go to ``DynamoDBDataSource`` (embedded store) and to
``AwsDynamoDBDataSource`` (``store: aws``) pointed at DynamoDB Local; ``ctx.result`` and errors
(``errorType``, ``data``, the transaction ``result``) must match. ``nextToken``s are sealed with
each side's own secret, so pages are followed on each side with its own tokens and compared.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from resolvers.dynamodb import DynamoDBDataSource
from resolvers.dynamodb.aws import AwsConnection, AwsDynamoDBDataSource, AwsSettings
from resolvers.dynamodb.store import TableStore
from resolvers.dynamodb.tokens import PageTokens
from schema.errors import ResolverError
from schema.model import KeySchema, SecondaryIndex, Table
from tests.resolvers.dynamodb.differential.conftest import client
from tests.resolvers.dynamodb.support import LOCATION, n, s

CTX: Any = None
_names = itertools.count()


@dataclass(frozen=True)
class Result:
    value: Any = None
    error_type: str | None = None
    data: Any = None
    result: Any = None


class Sides:
    """An embedded data source and a boto3 one on DynamoDB Local, over equal tables."""

    def __init__(self, local_url: str, data_dir: Path) -> None:
        number = next(_names)
        self.orders_name, self.events_name = f"Orders{number:04d}", f"Events{number:04d}"
        orders = Table(
            self.orders_name,
            KeySchema("id"),
            (
                SecondaryIndex("byCustomer", KeySchema("customerId", "createdAt")),
                SecondaryIndex("byStatus", KeySchema("orderStatus"), "KEYS_ONLY"),
            ),
            (),
            None,
            LOCATION,
        )
        events = Table(
            self.events_name,
            KeySchema("topic", "seq"),
            (),
            (SecondaryIndex("byKind", KeySchema("topic", "kind"), "KEYS_ONLY"),),
            None,
            LOCATION,
        )
        self.store = TableStore({t.name: t for t in (orders, events)}, data_dir)
        self.embedded = {
            "orders": DynamoDBDataSource("orders", orders, self.store),
            "events": DynamoDBDataSource("events", events, self.store),
        }
        local = client(local_url)
        _create(local, orders, {"id": "S", "customerId": "S", "createdAt": "S", "orderStatus": "S"})
        _create(local, events, {"topic": "S", "seq": "N", "kind": "S"})
        self.local = local
        settings = AwsSettings(endpoint=local_url, region="us-east-1", max_attempts=1)
        self.connection = AwsConnection(settings)
        tokens = PageTokens(b"differential-data-source-secret!")
        self.aws = {
            "orders": AwsDynamoDBDataSource("orders", orders.name, self.connection, tokens),
            "events": AwsDynamoDBDataSource("events", events.name, self.connection, tokens),
        }

    def close(self) -> None:
        asyncio.run(self.store.close())
        self.connection.close()
        for name in (self.orders_name, self.events_name):
            self.local.delete_table(TableName=name)

    def named(self, request: Any) -> Any:
        """``request`` with the placeholder table names ``Orders``/``Events`` made real."""
        if isinstance(request, dict):
            return {self._table(k): self.named(v) for k, v in request.items()}
        if isinstance(request, list):
            return [self.named(v) for v in request]
        return self._table(request) if isinstance(request, str) else request

    def _table(self, value: str) -> str:
        return {"Orders": self.orders_name, "Events": self.events_name}.get(value, value)

    def plain(self, result: Any) -> Any:
        """A result with the real table names back to ``Orders``/``Events``."""
        back = {self.orders_name: "Orders", self.events_name: "Events"}
        if isinstance(result, dict):
            return {back.get(k, k): self.plain(v) for k, v in result.items()}
        if isinstance(result, list):
            return [self.plain(v) for v in result]
        return result

    def both(self, source: str, request: dict[str, Any]) -> tuple[Result, Result]:
        request = self.named(request)

        async def outcome(data_source: Any) -> Result:
            try:
                return Result(self.plain(await data_source.invoke(request, CTX)))
            except ResolverError as error:
                return Result(None, error.error_type, error.data, self.plain(error.result))

        async def run() -> tuple[Result, Result]:
            return await outcome(self.embedded[source]), await outcome(self.aws[source])

        return asyncio.run(run())

    def same(self, source: str, request: dict[str, Any]) -> Result:
        embedded, aws = self.both(source, request)
        assert embedded == aws, f"{request}:\n  embedded: {embedded}\n  aws:      {aws}"
        return embedded

    def pages(self, source: str, request: dict[str, Any]) -> list[Any]:
        """Follow ``nextToken`` on each side with its own tokens; pages must match."""
        pages = []
        tokens: list[str | None] = [None, None]
        while True:
            results = []
            sources: tuple[Any, Any] = (self.embedded[source], self.aws[source])
            for i, data_source in enumerate(sources):
                paged = self.named({**request, "nextToken": tokens[i]})
                results.append(asyncio.run(data_source.invoke(paged, CTX)))
            ours, theirs = results
            assert {**ours, "nextToken": bool(ours["nextToken"])} == {
                **theirs,
                "nextToken": bool(theirs["nextToken"]),
            }, (ours, theirs)
            pages.append(ours)
            tokens = [ours["nextToken"], theirs["nextToken"]]
            if tokens[0] is None:
                return pages


def _create(local: Any, table: Table, types: dict[str, str]) -> None:
    def schema(key: KeySchema) -> list[dict[str, str]]:
        elements = [{"AttributeName": key.partition_key, "KeyType": "HASH"}]
        if key.sort_key:
            elements.append({"AttributeName": key.sort_key, "KeyType": "RANGE"})
        return elements

    def index(i: SecondaryIndex) -> dict[str, Any]:
        return {
            "IndexName": i.name,
            "KeySchema": schema(i.key),
            "Projection": {"ProjectionType": i.projection},
        }

    arguments: dict[str, Any] = {
        "TableName": table.name,
        "KeySchema": schema(table.key),
        "AttributeDefinitions": [
            {"AttributeName": a, "AttributeType": t} for a, t in types.items()
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.global_secondary_indexes:
        arguments["GlobalSecondaryIndexes"] = [index(i) for i in table.global_secondary_indexes]
    if table.local_secondary_indexes:
        arguments["LocalSecondaryIndexes"] = [index(i) for i in table.local_secondary_indexes]
    local.create_table(**arguments)


@pytest.fixture
def sides(local_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sides]:
    # The boto3 backend reads credentials from the standard chain; the environment is its first
    # link. DynamoDB Local accepts any.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "differential")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "differential")
    both = Sides(local_url, tmp_path)
    yield both
    both.close()


def order(order_id: str, customer: str = "c1", **extra: Any) -> dict[str, Any]:
    return {
        "operation": "PutItem",
        "key": {"id": s(order_id)},
        "attributeValues": {"customerId": s(customer), "createdAt": s(f"2024-{order_id}"), **extra},
    }


def _seed(sides: Sides) -> None:
    for i in range(7):
        sides.same("orders", order(f"o{i}", f"c{i % 2}", total=n(i * 10), orderStatus=s("NEW")))
    for seq in range(6):
        sides.same(
            "events",
            {
                "operation": "PutItem",
                # Unique LSI sort keys: DynamoDB leaves the order of equal index keys open.
                "key": {"topic": s("t"), "seq": n(seq)},
                "attributeValues": {"kind": s(f"k{seq}"), "body": {"M": {"x": n(seq)}}},
            },
        )


SINGLE = [
    pytest.param({"operation": "GetItem", "key": {"id": s("o1")}}, id="get"),
    pytest.param({"operation": "GetItem", "key": {"id": s("none")}}, id="get-missing"),
    pytest.param(
        {
            "operation": "GetItem",
            "key": {"id": s("o1")},
            "projection": {"expression": "#t, id", "expressionNames": {"#t": "total"}},
            "consistentRead": True,
        },
        id="get-projection",
    ),
    pytest.param(
        {
            **order("o1"),
            "condition": {"expression": "attribute_not_exists(id)"},
        },
        id="put-condition-fails",
    ),
    pytest.param(
        {
            **order("o1"),
            "condition": {
                "expression": "attribute_not_exists(id)",
                "equalsIgnore": ["total", "orderStatus"],
            },
        },
        id="put-equals-ignore",
    ),
    pytest.param(
        {
            "operation": "UpdateItem",
            "key": {"id": s("o2")},
            "update": {
                "expression": "SET #t = #t + :d, tags = list_append(if_not_exists(tags, :e), :l)",
                "expressionNames": {"#t": "total"},
                "expressionValues": {":d": n("0.5"), ":e": {"L": []}, ":l": {"L": [s("x")]}},
            },
            "condition": {"expression": "#t < :max", "expressionValues": {":max": n(100)}},
        },
        id="update",
    ),
    pytest.param(
        {
            "operation": "UpdateItem",
            "key": {"id": s("o2")},
            "update": {
                "expression": "SET #s = :s",
                "expressionNames": {"#s": "status"},
                "expressionValues": {":s": s("X")},
            },
            "condition": {"expression": "attribute_not_exists(id)"},
        },
        id="update-condition-fails",
    ),
    pytest.param({"operation": "DeleteItem", "key": {"id": s("o3")}}, id="delete"),
    pytest.param({"operation": "DeleteItem", "key": {"id": s("none")}}, id="delete-missing"),
    pytest.param(
        {
            "operation": "DeleteItem",
            "key": {"id": s("none")},
            "condition": {"expression": "attribute_exists(id)"},
        },
        id="delete-missing-with-condition",
    ),
    pytest.param({"operation": "GetItem", "key": {"id": n(1)}}, id="error-key-type"),
    pytest.param(
        {"operation": "GetItem", "key": {"id": s("a")}, "projection": {"expression": "status"}},
        id="error-reserved-word",
    ),
    pytest.param(
        {
            "operation": "UpdateItem",
            "key": {"id": s("o1")},
            "update": {"expression": "SET id = :v", "expressionValues": {":v": s("x")}},
        },
        id="error-update-key",
    ),
    pytest.param({"operation": "PutItem", "key": {"id": s("")}}, id="error-empty-key"),
    pytest.param(
        {
            "operation": "BatchGetItem",
            "tables": {"Orders": {"keys": [{"id": s("o1")}, {"id": s("none")}, {"id": s("o4")}]}},
        },
        id="batch-get",
    ),
    pytest.param(
        {
            "operation": "BatchPutItem",
            "tables": {"Orders": [{"id": s("b1")}, {"id": s("b2"), "v": n(1)}]},
        },
        id="batch-put",
    ),
    pytest.param(
        {
            "operation": "BatchDeleteItem",
            "tables": {"Orders": [{"id": s("o1")}, {"id": s("none")}]},
        },
        id="batch-delete",
    ),
    pytest.param(
        {"operation": "BatchPutItem", "tables": {"Orders": [{"id": s("b1")}, {"id": s("b1")}]}},
        id="batch-error-duplicates",
    ),
    pytest.param(
        {
            "operation": "TransactGetItems",
            "transactItems": [
                {"table": "Orders", "key": {"id": s("o1")}},
                {
                    "table": "Events",
                    "key": {"topic": s("t"), "seq": n(2)},
                    "projection": {"expression": "kind"},
                },
                {"table": "Orders", "key": {"id": s("none")}},
            ],
        },
        id="transact-get",
    ),
    pytest.param(
        {
            "operation": "TransactWriteItems",
            "transactItems": [
                {
                    "table": "Orders",
                    "operation": "PutItem",
                    "key": {"id": s("n1")},
                    "attributeValues": {"v": n(1)},
                },
                {
                    "table": "Orders",
                    "operation": "UpdateItem",
                    "key": {"id": s("o1")},
                    "update": {
                        "expression": "ADD #t :one",
                        "expressionNames": {"#t": "total"},
                        "expressionValues": {":one": n(1)},
                    },
                },
                {
                    "table": "Events",
                    "operation": "DeleteItem",
                    "key": {"topic": s("t"), "seq": n(0)},
                },
            ],
        },
        id="transact-write",
    ),
    pytest.param(
        {
            "operation": "TransactWriteItems",
            "transactItems": [
                {"table": "Orders", "operation": "PutItem", "key": {"id": s("n1")}},
                {
                    "table": "Orders",
                    "operation": "ConditionCheck",
                    "key": {"id": s("o1")},
                    "condition": {"expression": "attribute_not_exists(id)"},
                },
                {
                    "table": "Orders",
                    "operation": "DeleteItem",
                    "key": {"id": s("o2")},
                    "condition": {
                        "expression": "attribute_not_exists(id)",
                        "returnValuesOnConditionCheckFailure": False,
                    },
                },
            ],
        },
        id="transact-cancelled",
    ),
]


@pytest.mark.parametrize("request_object", SINGLE)
def test_operation(sides: Sides, request_object: dict[str, Any]) -> None:
    _seed(sides)
    sides.same("orders", request_object)
    # The effect on the data is the same too.
    for table, source in (("Orders", "orders"), ("Events", "events")):
        embedded, aws = sides.both(
            source,
            {"operation": "Scan", "limit": 100},
        )
        assert embedded.error_type is None, embedded
        assert aws.error_type is None, aws
        key = (lambda i: i["id"]) if table == "Orders" else (lambda i: i["seq"])
        assert sorted(embedded.value["items"], key=key) == sorted(aws.value["items"], key=key)


PAGES = [
    pytest.param(
        "orders",
        {
            "operation": "Query",
            "query": {"expression": "id = :i", "expressionValues": {":i": s("o1")}},
        },
        id="query-table",
    ),
    pytest.param(
        "orders",
        {
            "operation": "Query",
            "index": "byCustomer",
            "query": {"expression": "customerId = :c", "expressionValues": {":c": s("c0")}},
            "limit": 2,
            "scanIndexForward": False,
        },
        id="query-gsi-pages",
    ),
    pytest.param(
        "orders",
        {
            "operation": "Query",
            "index": "byCustomer",
            "query": {
                "expression": "customerId = :c AND createdAt > :d",
                "expressionValues": {":c": s("c1"), ":d": s("2024-o2")},
            },
            "filter": {
                "expression": "#t >= :t",
                "expressionNames": {"#t": "total"},
                "expressionValues": {":t": n(30)},
            },
            "limit": 1,
        },
        id="query-filter-after-limit",
    ),
    pytest.param(
        "events",
        {
            "operation": "Query",
            "query": {
                "expression": "topic = :t AND seq BETWEEN :a AND :b",
                "expressionValues": {":t": s("t"), ":a": n(1), ":b": n(4)},
            },
            "limit": 2,
        },
        id="query-between-pages",
    ),
    pytest.param(
        "events",
        {
            "operation": "Query",
            "index": "byKind",
            "query": {
                "expression": "topic = :t AND kind >= :k",
                "expressionValues": {":t": s("t"), ":k": s("k2")},
            },
            "select": "ALL_ATTRIBUTES",
        },
        id="query-lsi-all-attributes",
    ),
    pytest.param(
        "events",
        {
            "operation": "Query",
            "query": {"expression": "topic = :t", "expressionValues": {":t": s("t")}},
            "select": "COUNT",
            "limit": 4,
        },
        id="query-count",
    ),
    pytest.param(
        "events",
        {
            "operation": "Query",
            "query": {"expression": "topic = :t", "expressionValues": {":t": s("t")}},
            "projection": {"expression": "body.x, seq"},
        },
        id="query-projection",
    ),
    pytest.param(
        "events",
        {
            "operation": "Scan",
            "limit": 2,
            "filter": {"expression": "kind > :k", "expressionValues": {":k": s("k1")}},
        },
        id="scan-one-partition-pages",
    ),
]


@pytest.mark.parametrize(("source", "request_object"), PAGES)
def test_pages(sides: Sides, source: str, request_object: dict[str, Any]) -> None:
    _seed(sides)
    sides.pages(source, request_object)


@pytest.mark.parametrize(
    "request_object",
    [
        pytest.param(
            {
                "operation": "Query",
                "query": {"expression": "nope = :x", "expressionValues": {":x": s("x")}},
            },
            id="query-not-a-key",
        ),
        pytest.param(
            {
                "operation": "Query",
                "index": "nope",
                "query": {"expression": "id = :x", "expressionValues": {":x": s("x")}},
            },
            id="unknown-index",
        ),
        pytest.param(
            {
                "operation": "Query",
                "index": "byCustomer",
                "consistentRead": True,
                "query": {"expression": "customerId = :x", "expressionValues": {":x": s("x")}},
            },
            id="consistent-gsi",
        ),
        pytest.param({"operation": "Scan", "segment": 3, "totalSegments": 2}, id="bad-segment"),
        pytest.param(
            {"operation": "Scan", "filter": {"expression": "a = :a"}}, id="undefined-value"
        ),
        pytest.param(
            {
                "operation": "Scan",
                "filter": {
                    "expression": "a = :a",
                    "expressionValues": {":a": s("x"), ":b": s("y")},
                },
            },
            id="unused-value",
        ),
    ],
)
def test_page_errors(sides: Sides, request_object: dict[str, Any]) -> None:
    result = sides.same("orders", request_object)
    assert result.error_type == "DynamoDB:ValidationException"
