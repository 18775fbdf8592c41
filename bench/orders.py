"""The example API's cases: ``examples/orders`` on its embedded store, and the data seeded into it.

The data is generated, not random, so every server process (Syncline on a fresh data dir,
Apollo from ``data.json``) holds the same orders and answers with the same JSON. Syncline's
store is seeded through its own DynamoDB endpoint (``/dynamodb``) with boto3, as a team would
load a table; the bench then checks the answers against this data, not only against each other.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

API_DIR = Path(__file__).resolve().parents[1] / "examples" / "orders"
API_KEY = "da2-syncline-local-example-key"
TABLE = "Orders"
CUSTOMERS = 50
ORDERS_PER_CUSTOMER = 25
STATUSES = ("PENDING", "PAID", "FULFILLED", "PAYMENT_FAILED", "CANCELLED")

GET_ORDER_ID = "order-007-12"
LIST_CUSTOMER_ID = "customer-007"
LIST_LIMIT = 20
_ORDER_FIELDS = "id customerId status total createdAt items { sku quantity price }"
GET_ORDER = f"query GetOrder($id: ID!) {{ getOrder(id: $id) {{ {_ORDER_FIELDS} }} }}"
LIST_ORDERS = (
    "query ListOrders($customerId: ID!, $limit: Int) { listOrders(customerId: $customerId, "
    f"limit: $limit) {{ items {{ {_ORDER_FIELDS} }} }} }}"
)
"""``nextToken`` is not selected: Syncline's is an opaque encoded key no peer can reproduce."""


def _order(customer: int, number: int) -> dict[str, Any]:
    """Order ``number`` of ``customer``: 1-3 items, prices in whole cents, createdAt ascending."""
    lines = [
        (
            f"SKU-{(customer * 7 + number * 3 + k) % 97:03d}",
            1 + (customer + number + k) % 4,
            199 + (customer * 31 + number * 17 + k * 13) % 4800,
        )
        for k in range(1 + (customer + number) % 3)
    ]
    items = [{"sku": sku, "quantity": qty, "price": cents / 100} for sku, qty, cents in lines]
    cents = sum(qty * price for _, qty, price in lines)
    return {
        "id": f"order-{customer:03d}-{number:02d}",
        "customerId": f"customer-{customer:03d}",
        "status": STATUSES[(customer + number) % len(STATUSES)],
        "total": cents / 100,
        "createdAt": f"2026-11-{number + 1:02d}T{customer % 24:02d}:{number:02d}:00.000Z",
        "items": items,
    }


ORDERS: tuple[dict[str, Any], ...] = tuple(
    _order(customer, number)
    for customer in range(CUSTOMERS)
    for number in range(ORDERS_PER_CUSTOMER)
)
"""1,250 orders: 25 for each of 50 customers."""


def expected_get_order() -> dict[str, Any]:
    return next(order for order in ORDERS if order["id"] == GET_ORDER_ID)


def expected_list_orders() -> list[dict[str, Any]]:
    """The customer's newest ``LIST_LIMIT`` orders (the resolver queries the GSI descending)."""
    mine = [order for order in ORDERS if order["customerId"] == LIST_CUSTOMER_ID]
    return sorted(mine, key=lambda order: order["createdAt"], reverse=True)[:LIST_LIMIT]


def check_get_order(data: Any) -> str | None:
    order = data.get("getOrder") if isinstance(data, dict) else None
    expected = expected_get_order()
    return None if order == expected else f"expected getOrder {expected!r}; got {order!r}"


def check_list_orders(data: Any) -> str | None:
    connection = data.get("listOrders") if isinstance(data, dict) else None
    items = connection.get("items") if isinstance(connection, dict) else None
    expected = expected_list_orders()
    if items != expected:
        got = [item.get("id") for item in items or [] if isinstance(item, dict)]
        return f"expected orders {[o['id'] for o in expected]} newest first; got {got}"
    return None


def write_data(path: Path) -> None:
    """The orders as plain JSON, for peers that serve them from memory (``bench/apollo``)."""
    path.write_text(json.dumps(ORDERS), encoding="utf-8")


def _typed(order: dict[str, Any]) -> dict[str, Any]:
    """``order`` as boto3's resource layer wants it: numbers as Decimal (DynamoDB's N)."""
    items = [{**item, "price": Decimal(str(item["price"]))} for item in order["items"]]
    return {**order, "total": Decimal(str(order["total"])), "items": items}


def seed(base_url: str) -> None:
    """Put every order into the server's ``Orders`` table through its ``/dynamodb`` endpoint."""
    import boto3  # imported here: only the bench's parent process seeds

    table = boto3.resource(
        "dynamodb",
        endpoint_url=f"{base_url}/dynamodb",
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    ).Table(TABLE)
    with table.batch_writer() as batch:
        for order in ORDERS:
            batch.put_item(Item=_typed(order))
