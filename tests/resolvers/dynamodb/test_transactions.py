"""TransactGetItems and TransactWriteItems through the data source: AppSync's shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from resolvers.code import CodeModule
from resolvers.context import Request as HttpRequest
from resolvers.context import RequestState, ResolverContext
from resolvers.unit import call_data_source
from schema.errors import ResolverError
from tests.resolvers.dynamodb.support import CTX, Sources, n, order, run, s


def write(table: str, operation: str, key: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"table": table, "operation": operation, "key": key, **fields}


def test_transact_write_then_get() -> None:
    async def body(sources: Sources) -> tuple[Any, Any]:
        await sources.orders.invoke(order("o1", "c1", "2024", stock=n(2)), CTX)
        written = await sources.orders.invoke(
            {
                "operation": "TransactWriteItems",
                "transactItems": [
                    write(
                        "Orders",
                        "UpdateItem",
                        {"id": s("o1")},
                        update={
                            "expression": "SET stock = stock - :one",
                            "expressionValues": {":one": n(1)},
                        },
                        condition={
                            "expression": "stock > :zero",
                            "expressionValues": {":zero": n(0)},
                        },
                    ),
                    write(
                        "Events",
                        "PutItem",
                        {"topic": s("stock"), "seq": n(1)},
                        attributeValues={"order": s("o1")},
                    ),
                    write(
                        "Orders",
                        "ConditionCheck",
                        {"id": s("o2")},
                        condition={"expression": "attribute_not_exists(id)"},
                    ),
                ],
            },
            CTX,
        )
        got = await sources.orders.invoke(
            {
                "operation": "TransactGetItems",
                "transactItems": [
                    {
                        "table": "Orders",
                        "key": {"id": s("o1")},
                        "projection": {"expression": "stock"},
                    },
                    {"table": "Events", "key": {"topic": s("stock"), "seq": n(1)}},
                    {"table": "Orders", "key": {"id": s("o2")}},
                ],
            },
            CTX,
        )
        return written, got

    written, got = run(body)
    assert written == {
        "keys": [{"id": "o1"}, {"topic": "stock", "seq": 1}, {"id": "o2"}],
        "cancellationReasons": None,
    }
    assert got == {
        "items": [{"stock": 1}, {"topic": "stock", "seq": 1, "order": "o1"}, None],
        "cancellationReasons": None,
    }


def cancelling_request() -> dict[str, Any]:
    return {
        "operation": "TransactWriteItems",
        "transactItems": [
            write("Events", "PutItem", {"topic": s("t"), "seq": n(1)}),
            write(
                "Orders",
                "DeleteItem",
                {"id": s("o1")},
                condition={
                    "expression": "#s = :paid",
                    "expressionNames": {"#s": "status"},
                    "expressionValues": {":paid": s("PAID")},
                },
            ),
            write(
                "Orders",
                "ConditionCheck",
                {"id": s("o1x")},
                condition={
                    "expression": "attribute_exists(id)",
                    "returnValuesOnConditionCheckFailure": False,
                },
            ),
        ],
    }


EXPECTED_REASONS = [
    {"type": "None", "message": None},
    {
        "type": "ConditionalCheckFailed",
        "message": "The conditional request failed",
        "item": {"id": "o1", "customerId": "c1", "createdAt": "2024", "status": "PENDING"},
    },
    # DynamoDB Local ends a ConditionCheck's message with a period (differential suite).
    {"type": "ConditionalCheckFailed", "message": "The conditional request failed."},
]


def test_a_cancelled_transaction_reports_reasons_and_writes_nothing() -> None:
    async def body(sources: Sources) -> tuple[ResolverError, Any]:
        await sources.orders.invoke(order("o1", "c1", "2024", status=s("PENDING")), CTX)
        with pytest.raises(ResolverError) as raised:
            await sources.orders.invoke(cancelling_request(), CTX)
        event = await sources.events.invoke(
            {"operation": "GetItem", "key": {"topic": s("t"), "seq": n(1)}}, CTX
        )
        return raised.value, event

    error, event = run(body)
    assert error.error_type == "DynamoDB:TransactionCanceledException"
    assert error.result == {"keys": None, "cancellationReasons": EXPECTED_REASONS}
    assert event is None


def test_the_response_handler_sees_the_reasons_in_ctx_result() -> None:
    """AppSync sets ctx.error and keeps cancellationReasons in ctx.result (resolvers.unit)."""
    seen: dict[str, Any] = {}

    def response(ctx: ResolverContext) -> Any:
        seen["error"] = ctx.error.type if ctx.error else None
        seen["result"] = ctx.result
        return None

    code = CodeModule(Path("t.py"), lambda ctx: cancelling_request(), response)

    async def body(sources: Sources) -> None:
        await sources.orders.invoke(order("o1", "c1", "2024", status=s("PENDING")), CTX)
        state = RequestState(HttpRequest({}))
        ctx = ResolverContext({}, None, None, state)  # type: ignore[arg-type]
        await call_data_source(code, sources.orders, ctx)

    run(body)
    assert seen == {
        "error": "DynamoDB:TransactionCanceledException",
        "result": {"keys": None, "cancellationReasons": EXPECTED_REASONS},
    }


@pytest.mark.parametrize(
    ("items", "error_type", "message"),
    [
        pytest.param(None, "MappingTemplate", "'transactItems' is required", id="none"),
        pytest.param(
            [write("Orders", "Upsert", {"id": s("a")})],
            "MappingTemplate",
            "operation must be one of PutItem, UpdateItem, DeleteItem, ConditionCheck",
            id="unknown-operation",
        ),
        pytest.param(
            [write("Orders", "ConditionCheck", {"id": s("a")})],
            "MappingTemplate",
            "a ConditionCheck needs a 'condition'",
            id="check-without-condition",
        ),
        pytest.param(
            [{"operation": "PutItem", "key": {"id": s("a")}}],
            "MappingTemplate",
            "'table' must name a table",
            id="no-table",
        ),
        pytest.param(
            [
                write(
                    "Orders",
                    "PutItem",
                    {"id": s("a")},
                    condition={
                        "expression": "attribute_not_exists(id)",
                        "expressionValues": {":x": n(1)},
                    },
                )
            ],
            "DynamoDB:ValidationException",
            "unused in expressions: keys: {:x}",
            id="unused-placeholder",
        ),
        pytest.param(
            [
                write("Orders", "PutItem", {"id": s("a")}),
                write("Orders", "DeleteItem", {"id": s("a")}),
            ],
            "DynamoDB:ValidationException",
            "Transaction request cannot include multiple operations on one item",
            id="one-item-twice",
        ),
        pytest.param(
            [write("Nope", "DeleteItem", {"id": s("a")})],
            "DynamoDB:ResourceNotFoundException",
            "Table: Nope not found",
            id="unknown-table",
        ),
    ],
)
def test_transact_write_request_errors(items: Any, error_type: str, message: str) -> None:
    async def body(sources: Sources) -> None:
        with pytest.raises(ResolverError) as raised:
            await sources.orders.invoke(
                {"operation": "TransactWriteItems", "transactItems": items}, CTX
            )
        assert raised.value.error_type == error_type
        assert message in raised.value.message

    run(body)
