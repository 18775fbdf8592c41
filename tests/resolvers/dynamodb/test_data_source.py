"""Every operation through the AMAZON_DYNAMODB data source, on the embedded store."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from resolvers.dynamodb import (
    DynamoDBDataSource,
    Operation,
    create_dynamodb_data_source,
    table_store,
)
from resolvers.dynamodb.store import STORE_FILE, TableStore
from resolvers.dynamodb.values import key_bytes
from resolvers.registry import Runtime
from schema.errors import DefinitionError, ResolverError
from schema.model import DataSource, DataSourceKind, KeySchema, SecondaryIndex
from tests.apis import write_api
from tests.resolvers.dynamodb.support import (
    CTX,
    LOCATION,
    ORDERS,
    TABLES,
    Sources,
    n,
    order,
    run,
    s,
)
from web.api import load_api
from web.app import create_app_for

VALIDATION = "DynamoDB:ValidationException"


async def error_of(sources: Sources, request: Any, source: str = "orders") -> ResolverError:
    with pytest.raises(ResolverError) as raised:
        await getattr(sources, source).invoke(request, CTX)
    return raised.value


# --- GetItem / PutItem / UpdateItem / DeleteItem ---------------------------------------------


def test_put_then_get_returns_plain_values() -> None:
    async def body(sources: Sources) -> None:
        put = await sources.orders.invoke(
            order(
                "o1", "c1", "2024-01-01", total=n("12.50"), items={"L": [{"M": {"sku": s("a")}}]}
            ),
            CTX,
        )
        assert put == {
            "id": "o1",
            "customerId": "c1",
            "createdAt": "2024-01-01",
            "total": 12.5,
            "items": [{"sku": "a"}],
        }
        got = await sources.orders.invoke({"operation": "GetItem", "key": {"id": s("o1")}}, CTX)
        assert got == put
        missing = await sources.orders.invoke({"operation": "GetItem", "key": {"id": s("zz")}}, CTX)
        assert missing is None

    run(body)


def test_get_with_projection() -> None:
    async def body(sources: Sources) -> None:
        await sources.orders.invoke(order("o1", "c1", "2024", total=n(3)), CTX)
        got = await sources.orders.invoke(
            {
                "operation": "GetItem",
                "key": {"id": s("o1")},
                "consistentRead": True,
                "projection": {"expression": "#t, id", "expressionNames": {"#t": "total"}},
            },
            CTX,
        )
        assert got == {"id": "o1", "total": 3}

    run(body)


def test_update_creates_then_changes_and_returns_the_new_item() -> None:
    async def body(sources: Sources) -> None:
        update = {
            "operation": "UpdateItem",
            "key": {"id": s("o1")},
            "update": {
                "expression": "SET #s = :s ADD visits :one",
                "expressionNames": {"#s": "status"},
                "expressionValues": {":s": s("PAID"), ":one": n(1)},
            },
        }
        assert await sources.orders.invoke(update, CTX) == {
            "id": "o1",
            "status": "PAID",
            "visits": 1,
        }
        assert await sources.orders.invoke(update, CTX) == {
            "id": "o1",
            "status": "PAID",
            "visits": 2,
        }

    run(body)


def test_update_may_not_change_the_key() -> None:
    async def body(sources: Sources) -> None:
        error = await error_of(
            sources,
            {
                "operation": "UpdateItem",
                "key": {"id": s("o1")},
                "update": {"expression": "SET id = :v", "expressionValues": {":v": s("o2")}},
            },
        )
        assert error.error_type == VALIDATION
        assert "Cannot update attribute id. This attribute is part of the key" in error.message

    run(body)


def test_delete_returns_the_old_item() -> None:
    async def body(sources: Sources) -> None:
        await sources.orders.invoke(order("o1", "c1", "2024"), CTX)
        delete = {"operation": "DeleteItem", "key": {"id": s("o1")}}
        assert (await sources.orders.invoke(delete, CTX))["id"] == "o1"
        assert await sources.orders.invoke(delete, CTX) is None
        assert (
            await sources.orders.invoke({"operation": "GetItem", "key": {"id": s("o1")}}, CTX)
            is None
        )

    run(body)


# --- conditions ------------------------------------------------------------------------------


def test_conditional_put_fails_with_the_current_item_as_data() -> None:
    async def body(sources: Sources) -> None:
        create = {
            **order("o1", "c1", "2024"),
            "condition": {"expression": "attribute_not_exists(id)"},
        }
        await sources.orders.invoke(create, CTX)
        error = await error_of(sources, {**create, "attributeValues": {"customerId": s("c2")}})
        assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
        assert error.message == "The conditional request failed"
        assert error.data == {"id": "o1", "customerId": "c1", "createdAt": "2024"}
        got = await sources.orders.invoke({"operation": "GetItem", "key": {"id": s("o1")}}, CTX)
        assert got["customerId"] == "c1"

    run(body)


@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        pytest.param(
            "UpdateItem",
            {"update": {"expression": "SET a = :v", "expressionValues": {":v": n(1)}}},
            id="update",
        ),
        pytest.param("DeleteItem", {}, id="delete"),
    ],
)
def test_conditional_update_and_delete(operation: str, extra: dict[str, Any]) -> None:
    async def body(sources: Sources) -> None:
        await sources.orders.invoke(order("o1", "c1", "2024", version=n(2)), CTX)
        request = {
            "operation": operation,
            "key": {"id": s("o1")},
            **extra,
            "condition": {
                "expression": "version = :expected",
                "expressionValues": {":expected": n(1)},
            },
        }
        error = await error_of(sources, request)
        assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
        assert error.data["version"] == 2
        request["condition"]["expressionValues"] = {":expected": n("2.0")}
        assert (await sources.orders.invoke(request, CTX))["id"] == "o1"

    run(body)


def test_condition_on_a_missing_item_sees_no_attributes() -> None:
    async def body(sources: Sources) -> None:
        error = await error_of(
            sources,
            {
                "operation": "UpdateItem",
                "key": {"id": s("nope")},
                "update": {"expression": "SET a = :v", "expressionValues": {":v": n(1)}},
                "condition": {"expression": "attribute_exists(id)"},
            },
        )
        assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
        assert error.data is None

    run(body)


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        pytest.param(
            {"operation": "GetItem", "key": {"id": s("1"), "extra": s("x")}},
            "The provided key element does not match the schema",
            id="extra-key-attribute",
        ),
        pytest.param(
            {"operation": "GetItem", "key": {"other": s("1")}},
            "does not match the schema",
            id="wrong-key-attribute",
        ),
        pytest.param(
            {"operation": "GetItem", "key": {"id": {"BOOL": True}}},
            "does not match the schema",
            id="key-of-wrong-type",
        ),
        pytest.param(
            {"operation": "PutItem", "key": {"id": s("")}},
            "cannot contain an empty string value. Key: id",
            id="empty-string-key",
        ),
        pytest.param(
            {
                "operation": "PutItem",
                "key": {"id": s("1")},
                "attributeValues": {"tags": {"SS": []}},
            },
            "may not be empty",
            id="empty-set",
        ),
        pytest.param(
            {
                "operation": "PutItem",
                "key": {"id": s("1")},
                "attributeValues": {"tags": {"SS": ["a", "a"]}},
            },
            "contains duplicates",
            id="duplicate-set-members",
        ),
        pytest.param(
            {"operation": "PutItem", "key": {"id": s("1")}, "attributeValues": {"n": {"N": "abc"}}},
            "cannot be converted to a numeric value",
            id="bad-number",
        ),
        pytest.param(
            {
                "operation": "PutItem",
                "key": {"id": s("1")},
                "attributeValues": {"v": {"S": "a", "N": "1"}},
            },
            "more than one datatypes",
            id="two-types",
        ),
        pytest.param(
            {
                "operation": "PutItem",
                "key": {"id": s("1")},
                "attributeValues": {"big": s("x" * 410_000)},
            },
            "Item size has exceeded the maximum allowed size",
            id="item-too-large",
        ),
        pytest.param(
            {
                "operation": "PutItem",
                "key": {"id": s("1")},
                "condition": {
                    "expression": "a = :v",
                    "expressionValues": {":v": s("1"), ":w": s("2")},
                },
            },
            "unused in expressions: keys: {:w}",
            id="unused-value",
        ),
        pytest.param(
            {
                "operation": "Query",
                "index": "nope",
                "query": {"expression": "a = :v", "expressionValues": {":v": s("1")}},
            },
            "The table does not have the specified index: nope",
            id="unknown-index",
        ),
        pytest.param(
            {
                "operation": "Query",
                "index": "byCustomer",
                "consistentRead": True,
                "query": {"expression": "customerId = :v", "expressionValues": {":v": s("1")}},
            },
            "Consistent reads are not supported on global secondary indexes",
            id="consistent-gsi",
        ),
        pytest.param(
            {"operation": "Scan", "limit": 0}, "greater than or equal to 1", id="limit-zero"
        ),
        pytest.param(
            {"operation": "Scan", "segment": 1}, "must be specified together", id="segment-alone"
        ),
        pytest.param(
            {"operation": "Scan", "segment": 2, "totalSegments": 2},
            "between 0 and TotalSegments - 1",
            id="segment-out-of-range",
        ),
        pytest.param(
            {"operation": "Scan", "index": "byStatus", "select": "ALL_ATTRIBUTES"},
            "projection type is not ALL",
            id="all-attributes-keys-only-gsi",
        ),
        pytest.param(
            {
                "operation": "UpdateItem",
                "key": {"id": s("1")},
                "update": {"expression": "SET #s = :s", "expressionValues": {":s": s("x")}},
            },
            "attribute name: #s",
            id="undefined-name",
        ),
    ],
)
def test_validation_errors(request_: dict[str, Any], message: str) -> None:
    async def body(sources: Sources) -> None:
        error = await error_of(sources, request_)
        assert error.error_type == VALIDATION
        assert message in error.message

    run(body)


def test_key_types_lock_on_first_write() -> None:
    async def body(sources: Sources) -> None:
        await sources.orders.invoke(order("o1", "c1", "2024"), CTX)
        error = await error_of(sources, {"operation": "PutItem", "key": {"id": n(1)}})
        assert error.message == "The provided key element does not match the schema"
        error = await error_of(
            sources,
            {
                **order("o2", "c1", "2024"),
                "attributeValues": {"customerId": n(5), "createdAt": s("x")},
            },
        )
        assert (
            "Type mismatch for Index Key customerId Expected: S Actual: N IndexName: byCustomer"
            in error.message
        )

    run(body)


@pytest.mark.parametrize(
    ("request_", "error_type", "message"),
    [
        pytest.param(
            {"operation": "Upsert"},
            "MappingTemplate",
            "unknown DynamoDB operation 'Upsert'",
            id="unknown-operation",
        ),
        pytest.param(
            {"key": {}}, "MappingTemplate", "unknown DynamoDB operation None", id="no-operation"
        ),
        pytest.param("GetItem", "MappingTemplate", "must be an object", id="not-an-object"),
        pytest.param({"operation": "GetItem"}, "MappingTemplate", "'key' is required", id="no-key"),
        pytest.param(
            {"operation": "UpdateItem", "key": {"id": s("1")}},
            "MappingTemplate",
            "'update' is required",
            id="no-update",
        ),
        pytest.param(
            {
                "operation": "PutItem",
                "key": {"id": s("1")},
                "condition": {"expression": "attribute_exists(id)", "equalsIgnore": "v"},
            },
            "MappingTemplate",
            "'condition.equalsIgnore' must be a list",
            id="equals-ignore-not-a-list",
        ),
        pytest.param(
            {"operation": Operation.SYNC.value},
            "MappingTemplate",
            "operation Sync is not supported: it needs a versioned data source",
            id="unsupported-Sync",
        ),
    ],
)
def test_request_errors(request_: Any, error_type: str, message: str) -> None:
    async def body(sources: Sources) -> None:
        error = await error_of(sources, request_)
        assert error.error_type == error_type
        assert message in error.message

    run(body)


# --- Query and Scan --------------------------------------------------------------------------


async def fill_events(sources: Sources, count: int) -> None:
    for seq in range(count):
        await sources.events.invoke(
            {
                "operation": "PutItem",
                "key": {"topic": s("s1"), "seq": n(seq)},
                "attributeValues": {
                    "kind": s("odd" if seq % 2 else "even"),
                    "body": s(f"event {seq}"),
                },
            },
            CTX,
        )
    await sources.events.invoke(
        {
            "operation": "PutItem",
            "key": {"topic": s("s2"), "seq": n(0)},
            "attributeValues": {"kind": s("odd")},
        },
        CTX,
    )


def events_query(expression: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "operation": "Query",
        "query": {"expression": expression, "expressionValues": values},
        **extra,
    }


def test_query_sorts_numbers_numerically_both_ways() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 12)
        forward = await sources.events.invoke(events_query("topic = :s", {":s": s("s1")}), CTX)
        assert [i["seq"] for i in forward["items"]] == list(range(12))
        assert forward["nextToken"] is None
        assert forward["scannedCount"] == 12
        backward = await sources.events.invoke(
            events_query(
                "topic = :s AND seq BETWEEN :a AND :b",
                {":s": s("s1"), ":a": n(2), ":b": n(10)},
                scanIndexForward=False,
            ),
            CTX,
        )
        assert [i["seq"] for i in backward["items"]] == list(range(10, 1, -1))

    run(body)


@pytest.mark.parametrize(
    ("sort", "values", "expected"),
    [
        pytest.param("seq = :a", {":a": n(3)}, [3], id="equal"),
        pytest.param("seq < :a", {":a": n(3)}, [0, 1, 2], id="less"),
        pytest.param("seq <= :a", {":a": n(3)}, [0, 1, 2, 3], id="less-or-equal"),
        pytest.param("seq > :a", {":a": n("8.5")}, [9, 10, 11], id="greater"),
        pytest.param("seq >= :a", {":a": n(9)}, [9, 10, 11], id="greater-or-equal"),
    ],
)
def test_query_sort_key_conditions(sort: str, values: dict[str, Any], expected: list[int]) -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 12)
        page = await sources.events.invoke(
            events_query(f"topic = :s AND {sort}", {":s": s("s1"), **values}), CTX
        )
        assert [i["seq"] for i in page["items"]] == expected

    run(body)


def test_query_begins_with_and_string_order_by_utf8_bytes() -> None:
    async def body(sources: Sources) -> None:
        for created in [
            "2024-02-01",
            "2024-01-15",
            "2023-12-31",
            "2024-01-02",
            "2024-\uffff",
            "2024-é",
        ]:
            await sources.orders.invoke(order(f"o{created}", "c1", created), CTX)
        page = await sources.orders.invoke(
            {
                "operation": "Query",
                "index": "byCustomer",
                "query": {
                    "expression": "customerId = :c AND begins_with(createdAt, :p)",
                    "expressionValues": {":c": s("c1"), ":p": s("2024-")},
                },
            },
            CTX,
        )
        assert [i["createdAt"] for i in page["items"]] == [
            "2024-01-02",
            "2024-01-15",
            "2024-02-01",
            "2024-é",
            "2024-\uffff",
        ]

    run(body)


def test_gsi_query_newest_first_with_pagination() -> None:
    async def body(sources: Sources) -> None:
        for day in range(1, 8):
            await sources.orders.invoke(order(f"o{day}", "c1", f"2024-01-0{day}"), CTX)
        await sources.orders.invoke(order("x", "c2", "2024-01-09"), CTX)
        await sources.orders.invoke({"operation": "PutItem", "key": {"id": s("sparse")}}, CTX)
        request = {
            "operation": "Query",
            "index": "byCustomer",
            "query": {"expression": "customerId = :c", "expressionValues": {":c": s("c1")}},
            "scanIndexForward": False,
            "limit": 3,
        }
        seen: list[str] = []
        pages = 0
        token = None
        while True:
            page = await sources.orders.invoke({**request, "nextToken": token}, CTX)
            pages += 1
            seen.extend(i["createdAt"][-2:] for i in page["items"])
            token = page["nextToken"]
            if token is None:
                break
        assert seen == ["07", "06", "05", "04", "03", "02", "01"]
        assert pages == 3

    run(body)


def test_filter_applies_after_limit() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 10)
        page = await sources.events.invoke(
            events_query(
                "topic = :s",
                {":s": s("s1"), ":k": s("odd")},
                limit=4,
                filter={"expression": "kind = :k"},
            ),
            CTX,
        )
        assert [i["seq"] for i in page["items"]] == [1, 3]
        assert page["scannedCount"] == 4
        assert page["nextToken"] is not None

    run(body)


def test_limit_reached_exactly_still_returns_a_token_like_dynamodb() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 4)
        first = await sources.events.invoke(
            events_query("topic = :s", {":s": s("s1")}, limit=4), CTX
        )
        assert first["nextToken"] is not None
        last = await sources.events.invoke(
            events_query("topic = :s", {":s": s("s1")}, limit=4, nextToken=first["nextToken"]), CTX
        )
        assert last == {"items": [], "nextToken": None, "scannedCount": 0}

    run(body)


def test_local_index_keys_only_and_all_attributes() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 6)
        query = events_query(
            "topic = :s AND kind = :k", {":s": s("s1"), ":k": s("odd")}, index="byKind"
        )
        projected = await sources.events.invoke(query, CTX)
        assert projected["items"] == [
            {"topic": "s1", "kind": "odd", "seq": seq} for seq in (1, 3, 5)
        ]
        full = await sources.events.invoke({**query, "select": "ALL_ATTRIBUTES"}, CTX)
        assert [i["body"] for i in full["items"]] == ["event 1", "event 3", "event 5"]

    run(body)


def test_select_count_returns_how_many_without_items() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 6)
        query = events_query(
            "topic = :s",
            {":s": s("s1"), ":k": s("odd")},
            filter={"expression": "kind = :k"},
            select="COUNT",
            limit=4,
        )
        page = await sources.events.invoke(query, CTX)
        assert page["items"] == []
        assert (page["count"], page["scannedCount"]) == (2, 4)
        assert page["nextToken"] is not None
        scan = await sources.events.invoke({"operation": "Scan", "select": "COUNT"}, CTX)
        assert (scan["count"], scan["items"]) == (7, [])
        error = await error_of(
            sources,
            {
                **events_query("topic = :s", {":s": s("s1")}),
                "select": "COUNT",
                "projection": {"expression": "seq"},
            },
            "events",
        )
        assert "when choosing to get COUNT" in error.message

    run(body)


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        pytest.param(
            {"operation": "GetItem", "key": {"id": s("a")}, "consistentRead": 1},
            "'consistentRead' must be true or false",
            id="get-not-a-boolean",
        ),
        pytest.param(
            {"operation": "Scan", "consistentRead": "true"},
            "'consistentRead' must be true or false",
            id="scan-not-a-boolean",
        ),
        pytest.param(
            {"operation": "Query", "index": "byCustomer", "consistentRead": True,
             "query": {"expression": "customerId = :c", "expressionValues": {":c": s("c")}}},
            "Consistent reads are not supported on global secondary indexes",
            id="gsi",
        ),
    ],
)  # fmt: skip
def test_consistent_read(request_: dict[str, Any], message: str) -> None:
    async def body(sources: Sources) -> None:
        assert message in (await error_of(sources, request_)).message
        consistent = {"operation": "GetItem", "key": {"id": s("a")}, "consistentRead": True}
        assert await sources.orders.invoke(consistent, CTX) is None

    run(body)


def test_query_projection() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 2)
        page = await sources.events.invoke(
            events_query(
                "topic = :s",
                {":s": s("s1")},
                projection={"expression": "#b", "expressionNames": {"#b": "body"}},
            ),
            CTX,
        )
        assert page["items"] == [{"body": "event 0"}, {"body": "event 1"}]

    run(body)


def test_scan_pages_filters_and_segments() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 10)
        everything: list[tuple[str, int]] = []
        token = None
        while True:
            page = await sources.events.invoke(
                {"operation": "Scan", "limit": 3, "nextToken": token}, CTX
            )
            everything.extend((i["topic"], i["seq"]) for i in page["items"])
            token = page["nextToken"]
            if token is None:
                break
        assert sorted(everything) == [("s1", i) for i in range(10)] + [("s2", 0)]
        assert len(set(everything)) == 11
        odd = await sources.events.invoke(
            {
                "operation": "Scan",
                "filter": {"expression": "kind = :k", "expressionValues": {":k": s("odd")}},
            },
            CTX,
        )
        assert len(odd["items"]) == 6
        assert odd["scannedCount"] == 11
        segments = [
            await sources.events.invoke(
                {"operation": "Scan", "segment": i, "totalSegments": 3}, CTX
            )
            for i in range(3)
        ]
        assert sum(len(p["items"]) for p in segments) == 11

    run(body)


def test_scan_of_an_index() -> None:
    async def body(sources: Sources) -> None:
        for i, state in enumerate(["PAID", "PENDING", "PAID"]):
            await sources.orders.invoke(
                order(f"o{i}", "c1", "2024", orderStatus=s(state), total=n(i)), CTX
            )
        page = await sources.orders.invoke({"operation": "Scan", "index": "byStatus"}, CTX)
        assert sorted((i["orderStatus"], i["id"]) for i in page["items"]) == [
            ("PAID", "o0"),
            ("PAID", "o2"),
            ("PENDING", "o1"),
        ]
        assert all("total" not in i for i in page["items"])

    run(body)


# --- pagination tokens -----------------------------------------------------------------------


def tamper(token: str) -> str:
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    payload = json.loads(raw[:-32])
    payload["key"]["seq"] = {"N": "0"}
    forged = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode() + bytes(raw[-32:])
    return base64.urlsafe_b64encode(forged).rstrip(b"=").decode()


def test_forged_and_foreign_tokens_are_rejected() -> None:
    async def body(sources: Sources) -> None:
        await fill_events(sources, 5)
        page = await sources.events.invoke(
            events_query("topic = :s", {":s": s("s1")}, limit=2), CTX
        )
        token = page["nextToken"]
        for bad in (tamper(token), token[:-2], "not a token!", "A" * 80):
            error = await error_of(
                sources, events_query("topic = :s", {":s": s("s1")}, nextToken=bad), "events"
            )
            assert error.error_type == VALIDATION
            assert error.message.startswith("Invalid nextToken")
        other = Sources(None)
        try:
            foreign = await other.events.invoke(
                events_query("topic = :s", {":s": s("s1")}, nextToken=token), CTX
            )
        except ResolverError as error:
            foreign = error
        finally:
            await other.store.close()
        assert isinstance(foreign, ResolverError)
        assert "not issued by this table store" in foreign.message
        wrong_scope = await error_of(sources, {"operation": "Scan", "nextToken": token})
        assert "issued for 'Events/'" in wrong_scope.message
        wrong_partition = await error_of(
            sources, events_query("topic = :s", {":s": s("s2")}, nextToken=token), "events"
        )
        assert "starting key" in wrong_partition.message

    run(body)


# --- persistence and the event loop ----------------------------------------------------------


def test_items_and_tokens_survive_reopening(tmp_path: Path) -> None:
    async def write(sources: Sources) -> str:
        await fill_events(sources, 5)
        page = await sources.events.invoke(
            events_query("topic = :s", {":s": s("s1")}, limit=2), CTX
        )
        return str(page["nextToken"])

    token = run(write, tmp_path)
    assert (tmp_path / STORE_FILE).exists()

    async def read(sources: Sources) -> list[int]:
        page = await sources.events.invoke(
            events_query("topic = :s", {":s": s("s1")}, nextToken=token), CTX
        )
        return [i["seq"] for i in page["items"]]

    assert run(read, tmp_path) == [2, 3, 4]


def test_changing_a_key_of_a_table_with_items_is_a_definition_error(tmp_path: Path) -> None:
    async def write(sources: Sources) -> None:
        await sources.orders.invoke(order("o1", "c1", "2024"), CTX)

    run(write, tmp_path)

    async def reopen() -> None:
        store = TableStore({"Orders": replace(ORDERS, key=KeySchema("orderId"))}, tmp_path)
        try:
            await store.open()
        finally:
            await store.close()

    with pytest.raises(DefinitionError, match="its key changed"):
        asyncio.run(reopen())


def test_adding_an_index_backfills_it(tmp_path: Path) -> None:
    async def write(sources: Sources) -> None:
        await sources.orders.invoke(order("o1", "c1", "2024", region=s("eu")), CTX)

    run(write, tmp_path)
    table = replace(
        ORDERS, global_secondary_indexes=(SecondaryIndex("byRegion", KeySchema("region")),)
    )

    async def query() -> Any:
        store = TableStore({"Orders": table}, tmp_path)
        try:
            source = DynamoDBDataSource("orders", table, store)
            return await source.invoke(
                {
                    "operation": "Query",
                    "index": "byRegion",
                    "query": {
                        "expression": "#r = :r",
                        "expressionNames": {"#r": "region"},
                        "expressionValues": {":r": s("eu")},
                    },
                },
                CTX,
            )
        finally:
            await store.close()

    assert [i["id"] for i in asyncio.run(query())["items"]] == ["o1"]


def test_sqlite_work_runs_off_the_event_loop() -> None:
    """While a large Scan runs, other coroutines keep running on the loop."""

    async def body(sources: Sources) -> None:
        store = sources.store

        def bulk_load(connection: Any) -> None:
            rows = []
            for i in range(60_000):
                item = {"topic": s(f"t{i}"), "seq": n(0), "filler": s("x" * 40)}
                pk = key_bytes(item["topic"])
                text = json.dumps(item)
                rows.append(
                    ("Events", pk, key_bytes(item["seq"]), zlib.crc32(pk), len(text), text, None)
                )
            connection.executemany(
                "INSERT INTO items (tbl, pk, sk, seg, size, item, expires) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            threads.append(threading.current_thread().name)

        threads: list[str] = []

        await store._run(bulk_load)
        ticks: list[float] = []
        done = False

        async def ticker() -> None:
            # Sleeping (not spinning) like a real server's other requests would.
            while not done:
                await asyncio.sleep(0.002)
                ticks.append(time.perf_counter())

        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        pages: list[tuple[float, float]] = []
        scanned = 0
        token = None
        while True:
            page_started = time.perf_counter()
            request = {
                "operation": "Scan",
                "filter": {"expression": "filler = :none", "expressionValues": {":none": s("")}},
                "nextToken": token,
            }
            page = await sources.events.invoke(request, CTX)
            pages.append((page_started, time.perf_counter()))
            scanned += page["scannedCount"]
            token = page["nextToken"]
            if token is None:
                break
        elapsed = time.perf_counter() - started
        done = True
        await ticking
        assert scanned == 60_000
        assert threads[0].startswith("syncline-tables")
        # Were a page read on the loop, no tick could land while it was being read; instead the
        # loop kept turning over while SQLite and the filter worked. Counting ticks inside the
        # pages (not comparing gaps with page times) holds on a loaded machine too, where the
        # OS may pause the whole process for longer than a tick.
        assert len(pages) > 1
        during = [sum(start < tick < end for tick in ticks) for start, end in pages]
        assert sum(during) >= 2 * len(pages), (during, elapsed)

    run(body)


# --- binding ---------------------------------------------------------------------------------


def runtime_for(tables: dict[str, Any]) -> Runtime:
    class Api:
        pass

    api = Api()
    api.tables = tables  # type: ignore[attr-defined]
    return Runtime(api, None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param({}, "config.tableName is required", id="no-table-name"),
    ],
)
def test_factory_rejects_bad_config(config: dict[str, Any], message: str) -> None:
    source = DataSource("orders", DataSourceKind.AMAZON_DYNAMODB, config, None, LOCATION)
    with pytest.raises(DefinitionError, match=message):
        create_dynamodb_data_source(source, runtime_for(TABLES))


def test_factory_shares_one_store_and_closes_it() -> None:
    runtime = runtime_for(TABLES)
    first = create_dynamodb_data_source(
        DataSource(
            "orders", DataSourceKind.AMAZON_DYNAMODB, {"tableName": "Orders"}, None, LOCATION
        ),
        runtime,
    )
    second = create_dynamodb_data_source(
        DataSource(
            "events", DataSourceKind.AMAZON_DYNAMODB, {"tableName": "Events"}, None, LOCATION
        ),
        runtime,
    )
    assert isinstance(first, DynamoDBDataSource)
    assert isinstance(second, DynamoDBDataSource)
    assert first.store is second.store

    async def use_then_stop() -> Any:
        result = await first.invoke({"operation": "GetItem", "key": {"id": s("x")}}, CTX)
        await runtime.exit_stack.aclose()
        return result

    assert asyncio.run(use_then_stop()) is None


def test_the_server_opens_the_store_at_start_and_expires_items(tmp_path: Path) -> None:
    root = write_api(
        tmp_path / "api",
        "type Query { ping: String }",
        "",
        top="tables:\n  Sessions: {partitionKey: id, ttlAttribute: expiresAt}\n",
    )
    api = load_api(root, tmp_path / "data")
    store = table_store(api.runtime)
    assert (tmp_path / "data" / STORE_FILE).is_file()  # opened while the API loaded
    assert not store.sweeping
    with TestClient(create_app_for(api)):
        assert store.sweeping
    assert not store.sweeping
