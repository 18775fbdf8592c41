"""The example API end to end, through a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live import ROOT, running_server

pytestmark = pytest.mark.e2e

API_DIR = ROOT / "examples" / "orders"
KEY = {"x-api-key": "da2-syncline-local-example-key"}

PLACE = """
mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { id customerId status total createdAt items { sku quantity price } }
}
"""
GET = "query($id: ID!) { getOrder(id: $id) { id status total updatedAt } }"
LIST = """
query($c: ID!, $limit: Int, $next: String) {
  listOrders(customerId: $c, limit: $limit, nextToken: $next) { items { id createdAt } nextToken }
}
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("orders-data")


@pytest.fixture(scope="module")
def base(data_dir: Path) -> Iterator[str]:
    with running_server(API_DIR, data_dir) as url:
        yield url


def call(
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers or KEY
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def order_input(
    customer: str, card: str = "tok_visa", items: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    return {
        "customerId": customer,
        "cardToken": card,
        "items": items if items is not None else [{"sku": "book", "quantity": 2, "price": 12.5}],
    }


def test_place_order_is_paid_and_can_be_read_back(base):
    body = call(base, PLACE, {"input": order_input("alice")})
    assert "errors" not in body, body
    order = body["data"]["placeOrder"]
    assert order["status"] == "PAID"
    assert order["total"] == 25.0
    assert order["customerId"] == "alice"
    assert order["items"] == [{"sku": "book", "quantity": 2, "price": 12.5}]
    fetched = call(base, GET, {"id": order["id"]})["data"]["getOrder"]
    assert fetched == {"id": order["id"], "status": "PAID", "total": 25.0, "updatedAt": None}


def test_declined_card_saves_payment_failed(base):
    order = call(base, PLACE, {"input": order_input("bob", card="tok_decline")})["data"][
        "placeOrder"
    ]
    assert order["status"] == "PAYMENT_FAILED"
    assert call(base, GET, {"id": order["id"]})["data"]["getOrder"]["status"] == "PAYMENT_FAILED"


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        pytest.param([], "at least one item", id="empty"),
        pytest.param([{"sku": "pen", "quantity": 0, "price": 1.0}], "at least 1", id="quantity"),
        pytest.param(
            [{"sku": "car", "quantity": 1, "price": 10000.01}], "exceeds 10000", id="total"
        ),
    ],
)
def test_invalid_orders_are_rejected_and_not_saved(base, items, fragment):
    customer = f"invalid-{fragment[:5]}"
    body = call(base, PLACE, {"input": order_input(customer, items=items)})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["errorType"] == "ValidationError"
    assert fragment in error["message"]
    assert error["path"] == ["placeOrder"]
    assert call(base, LIST, {"c": customer})["data"]["listOrders"] == {
        "items": [],
        "nextToken": None,
    }


def test_list_orders_paginates_newest_first(base):
    placed = [
        call(base, PLACE, {"input": order_input("carol")})["data"]["placeOrder"]["id"]
        for _ in range(5)
    ]
    seen: list[str] = []
    created: list[str] = []
    token = None
    pages = 0
    while True:
        page = call(base, LIST, {"c": "carol", "limit": 2, "next": token})["data"]["listOrders"]
        pages += 1
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        created += [item["createdAt"] for item in page["items"]]
        token = page["nextToken"]
        if token is None:
            break
    assert sorted(seen) == sorted(placed)
    assert created == sorted(created, reverse=True)
    assert pages >= 3


def test_forged_next_token_is_a_clear_error(base):
    body = call(base, LIST, {"c": "carol", "limit": 1, "next": "forged-token"})
    assert body["data"] is None
    assert body["errors"][0]["errorType"].startswith("DynamoDB:")


def local_token(data_dir: Path, *args: str) -> str:
    """A token from ``syncline token`` (the local Cognito issuer) for the server's data dir."""
    command = [sys.executable, str(ROOT / "server.py"), "token", str(API_DIR)]
    command += ["--data-dir", str(data_dir), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


UPDATE = (
    "mutation($id: ID!) { updateOrderStatus(id: $id, status: FULFILLED) { id status updatedAt } }"
)


def test_update_order_status_is_for_cognito_admins(base, data_dir):
    order = call(base, PLACE, {"input": order_input("dave")})["data"]["placeOrder"]
    admin = {"Authorization": local_token(data_dir, "--sub", "ada", "--groups", "admins")}
    updated = call(base, UPDATE, {"id": order["id"]}, admin)["data"]["updateOrderStatus"]
    assert updated["status"] == "FULFILLED"
    assert updated["updatedAt"]
    assert call(base, UPDATE, {"id": "no-such-order"}, admin)["data"]["updateOrderStatus"] is None


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("api-key", id="api-key"),
        pytest.param("clerks", id="cognito-other-group"),
        pytest.param("", id="cognito-no-group"),
    ],
)
def test_update_order_status_refuses_everyone_else(base, data_dir, who):
    order = call(base, PLACE, {"input": order_input("dave")})["data"]["placeOrder"]
    headers = KEY
    if who != "api-key":
        groups = ["--groups", who] if who else []
        headers = {"Authorization": local_token(data_dir, "--sub", "bob", *groups)}
    body = call(base, UPDATE, {"id": order["id"]}, headers)
    assert body["data"] == {"updateOrderStatus": None}
    [error] = body["errors"]
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access updateOrderStatus on type Mutation"
    assert error["path"] == ["updateOrderStatus"]
    assert call(base, GET, {"id": order["id"]})["data"]["getOrder"]["status"] == "PAID"


def test_the_local_issuer_publishes_its_jwks(base):
    jwks = httpx.get(f"{base}/.well-known/jwks.json").json()
    [key] = jwks["keys"]
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")


def test_shipping_quote(base):
    body = call(base, '{ shippingQuote(destination: "US-CA", weightKg: 2) { carrier days price } }')
    quotes = body["data"]["shippingQuote"]
    assert [q["carrier"] for q in quotes] == ["Ground", "Express", "Overnight"]
    assert all(q["price"] > 0 for q in quotes)


def test_shipping_quote_comes_from_the_carrier_rates_service(base):
    """The service the example ships, at /services/carrierRates, is what the resolver calls."""
    direct = httpx.get(
        f"{base}/services/carrierRates/rates", params={"destination": "FR-75", "weightKg": "1.5"}
    )
    assert direct.status_code == 200
    query = '{ shippingQuote(destination: "FR-75", weightKg: 1.5) { carrier days price } }'
    assert call(base, query)["data"]["shippingQuote"] == direct.json()["quotes"]


def test_shipping_quote_rejects_a_weight_below_zero(base):
    body = call(base, '{ shippingQuote(destination: "US-CA", weightKg: -1) { carrier } }')
    assert body["data"] is None
    assert body["errors"][0]["errorType"] == "ValidationError"


def test_orders_survive_a_restart_with_the_same_data_dir(tmp_path: Path):
    with running_server(API_DIR, tmp_path) as first:
        order = call(first, PLACE, {"input": order_input("erin")})["data"]["placeOrder"]
    with running_server(API_DIR, tmp_path) as second:
        assert call(second, GET, {"id": order["id"]})["data"]["getOrder"]["id"] == order["id"]
