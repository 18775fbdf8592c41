"""Tables and a data-source harness shared by the DynamoDB tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from resolvers.dynamodb import DynamoDBDataSource, TableStore
from resolvers.dynamodb.expressions import (
    ExpressionKind,
    Placeholders,
    parse_condition,
    parse_key_condition,
    parse_update,
)
from schema.model import KeySchema, Location, SecondaryIndex, Table

T = TypeVar("T")

LOCATION = Location(Path("syncline.yml"), 1)
CTX: Any = None
"""The data source ignores ``ctx``; tests pass this stand-in."""

ORDERS = Table(
    name="Orders",
    key=KeySchema("id"),
    global_secondary_indexes=(
        SecondaryIndex("byCustomer", KeySchema("customerId", "createdAt")),
        SecondaryIndex("byStatus", KeySchema("orderStatus"), projection="KEYS_ONLY"),
    ),
    local_secondary_indexes=(),
    ttl_attribute=None,
    location=LOCATION,
)

EVENTS = Table(
    name="Events",
    key=KeySchema("topic", "seq"),
    global_secondary_indexes=(),
    local_secondary_indexes=(
        SecondaryIndex("byKind", KeySchema("topic", "kind"), projection="KEYS_ONLY"),
    ),
    ttl_attribute=None,
    location=LOCATION,
)

TABLES = {"Orders": ORDERS, "Events": EVENTS}


class Sources:
    """One store and a data source per table."""

    def __init__(self, data_dir: Path | None) -> None:
        self.store = TableStore(TABLES, data_dir)
        self.orders = DynamoDBDataSource("orders", ORDERS, self.store)
        self.events = DynamoDBDataSource("events", EVENTS, self.store)


def run(test: Callable[[Sources], Awaitable[T]], data_dir: Path | None = None) -> T:
    """Run an async test body against a fresh store, closing it afterwards."""

    async def main() -> T:
        sources = Sources(data_dir)
        try:
            return await test(sources)
        finally:
            await sources.store.close()

    return asyncio.run(main())


def s(value: str) -> dict[str, Any]:
    return {"S": value}


def n(value: int | float | str) -> dict[str, Any]:
    return {"N": str(value)}


def order(order_id: str, customer: str, created: str, **extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "operation": "PutItem",
        "key": {"id": s(order_id)},
        "attributeValues": {"customerId": s(customer), "createdAt": s(created), **extra},
    }


# --- parsed expressions for the store's API (placeholders :name = values[name]) ------------


def condition(text: str, **values: Any) -> Any:
    placeholders = Placeholders()
    placeholders.add(None, {f":{k}": v for k, v in values.items()}, "condition")
    return parse_condition(text, placeholders, ExpressionKind.CONDITION)


def update(text: str, **values: Any) -> Any:
    placeholders = Placeholders()
    placeholders.add(None, {f":{k}": v for k, v in values.items()}, "update")
    return parse_update(text, placeholders)


def key_condition(view: Any, text: str, **values: Any) -> Any:
    placeholders = Placeholders()
    placeholders.add(None, {f":{k}": v for k, v in values.items()}, "query")
    return parse_key_condition(text, placeholders, view.key.partition_key, view.key.sort_key)
