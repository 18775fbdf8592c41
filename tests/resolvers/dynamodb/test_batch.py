"""BatchGetItem, BatchPutItem and BatchDeleteItem through the data source: AppSync's shapes."""

from __future__ import annotations

from typing import Any

import pytest

from schema.errors import ResolverError
from tests.resolvers.dynamodb.support import CTX, Sources, n, order, run, s


async def seed(sources: Sources) -> None:
    await sources.orders.invoke(order("o1", "c1", "2024-01", total=n(5)), CTX)
    await sources.orders.invoke(order("o2", "c1", "2024-02", total=n(7)), CTX)
    await sources.events.invoke(
        {"operation": "PutItem", "key": {"topic": s("t"), "seq": n(1)}, "attributeValues": {}}, CTX
    )


def test_batch_get_returns_items_in_key_order_with_nulls() -> None:
    async def body(sources: Sources) -> Any:
        await seed(sources)
        return await sources.orders.invoke(
            {
                "operation": "BatchGetItem",
                "tables": {
                    "Orders": {
                        "keys": [{"id": s("o2")}, {"id": s("missing")}, {"id": s("o1")}],
                        "consistentRead": True,
                        "projection": {"expression": "id, #t", "expressionNames": {"#t": "total"}},
                    },
                    "Events": {"keys": [{"topic": s("t"), "seq": n(1)}]},
                },
            },
            CTX,
        )

    assert run(body) == {
        "data": {
            "Orders": [{"id": "o2", "total": 7}, None, {"id": "o1", "total": 5}],
            "Events": [{"topic": "t", "seq": 1}],
        },
        "unprocessedKeys": {"Orders": [], "Events": []},
    }


def test_batch_put_then_batch_delete() -> None:
    async def body(sources: Sources) -> tuple[Any, Any, Any]:
        put = await sources.events.invoke(
            {
                "operation": "BatchPutItem",
                "tables": {
                    "Orders": [{"id": s("o9"), "tags": {"SS": ["a", "b"]}}],
                    "Events": [{"topic": s("t"), "seq": n(i)} for i in range(3)],
                },
            },
            CTX,
        )
        deleted = await sources.events.invoke(
            {
                "operation": "BatchDeleteItem",
                "tables": {"Events": [{"topic": s("t"), "seq": n(0)}]},
            },
            CTX,
        )
        left = await sources.events.invoke(
            {
                "operation": "Query",
                "query": {"expression": "topic = :t", "expressionValues": {":t": s("t")}},
            },
            CTX,
        )
        return put, deleted, [i["seq"] for i in left["items"]]

    put, deleted, left = run(body)
    assert put == {
        "data": {
            "Orders": [{"id": "o9", "tags": ["a", "b"]}],
            "Events": [{"topic": "t", "seq": i} for i in range(3)],
        },
        "unprocessedItems": {"Orders": [], "Events": []},
    }
    assert deleted == {
        "data": {"Events": [{"topic": "t", "seq": 0}]},
        "unprocessedKeys": {"Events": []},
    }
    assert left == [1, 2]


@pytest.mark.parametrize(
    ("request_", "error_type", "message"),
    [
        pytest.param(
            {"operation": "BatchGetItem"}, "MappingTemplate", "'tables' is required", id="no-tables"
        ),
        pytest.param(
            {"operation": "BatchGetItem", "tables": {"Orders": [{"id": s("a")}]}},
            "MappingTemplate",
            "'tables.Orders' must be an object",
            id="get-entry-not-an-object",
        ),
        pytest.param(
            {"operation": "BatchGetItem", "tables": {"Orders": {"keys": {"id": s("a")}}}},
            "MappingTemplate",
            "'tables.Orders.keys' must be a list",
            id="keys-not-a-list",
        ),
        pytest.param(
            {
                "operation": "BatchGetItem",
                "tables": {"Orders": {"keys": [{"id": s(str(i))} for i in range(101)]}},
            },
            "DynamoDB:ValidationException",
            "Too many items requested for the BatchGetItem call",
            id="get-over-100",
        ),
        pytest.param(
            {
                "operation": "BatchPutItem",
                "tables": {"Orders": [{"id": s(str(i))} for i in range(26)]},
            },
            "DynamoDB:ValidationException",
            "less than or equal to 25",
            id="put-over-25",
        ),
        pytest.param(
            {
                "operation": "BatchDeleteItem",
                "tables": {"Orders": [{"id": s("a")}, {"id": s("a")}]},
            },
            "DynamoDB:ValidationException",
            "Provided list of item keys contains duplicates",
            id="delete-duplicates",
        ),
        pytest.param(
            {"operation": "BatchPutItem", "tables": {"Orders": [{"id": {"SS": []}}]}},
            "DynamoDB:ValidationException",
            "may not be empty",
            id="empty-set",
        ),
        pytest.param(
            {
                "operation": "BatchGetItem",
                "tables": {"Orders": {"keys": [{"id": s("a")}], "consistentRead": "yes"}},
            },
            "MappingTemplate",
            "'consistentRead' must be true or false",
            id="consistent-read-not-a-boolean",
        ),
    ],
)
def test_batch_errors_change_nothing(
    request_: dict[str, Any], error_type: str, message: str
) -> None:
    async def body(sources: Sources) -> None:
        await seed(sources)
        with pytest.raises(ResolverError) as raised:
            await sources.orders.invoke(request_, CTX)
        assert raised.value.error_type == error_type
        assert message in raised.value.message
        assert (
            await sources.orders.invoke({"operation": "GetItem", "key": {"id": s("0")}}, CTX)
            is None
        )

    run(body)
