"""The example's cache: ``shippingQuote`` is cached per ``destination`` + ``weightKg`` for 60 s,
shared by every caller (examples/orders/syncline.yml)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from cache.api_cache import CacheSettings
from tests.cache.support import Clock
from tests.live import ROOT
from web.app import create_app

KEY = {"x-api-key": "da2-syncline-local-example-key"}
QUOTE = "query($d: String!, $w: Float!) { shippingQuote(destination: $d, weightKg: $w) { carrier price } }"


@pytest.fixture
def example(tmp_path: Path) -> Iterator[tuple[TestClient, Clock]]:
    clock = Clock()
    app = create_app(ROOT / "examples" / "orders", tmp_path, cache=CacheSettings(clock=clock))
    with TestClient(app) as c:
        yield c, clock


def quote(c: TestClient, destination: str, weight: float) -> dict[str, Any]:
    response = c.post(
        "/graphql", json={"query": QUOTE, "variables": {"d": destination, "w": weight}}, headers=KEY
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def counted(c: TestClient) -> dict[str, int]:
    result: dict[str, int] = c.get("/health").json()["cache"]["resolvers"]["Query.shippingQuote"]
    return result


def test_shipping_quotes_are_cached_per_destination_and_weight_for_60_s(
    example: tuple[TestClient, Clock],
) -> None:
    c, clock = example
    first = quote(c, "US-CA", 2)
    assert [q["carrier"] for q in first["data"]["shippingQuote"]] == [
        "Ground", "Express", "Overnight",
    ]  # fmt: skip
    assert quote(c, "US-CA", 2.0) == first
    assert counted(c) == {"hits": 1, "misses": 1, "evictions": 0, "errors": 0}
    quote(c, "US-CA", 3)
    quote(c, "FR-75", 2)
    assert counted(c)["misses"] == 3
    clock.advance(59)
    quote(c, "US-CA", 2)
    assert counted(c)["hits"] == 2
    clock.advance(2)
    assert quote(c, "US-CA", 2) == first  # same rates, fetched again
    assert counted(c)["misses"] == 4


def test_a_refused_quote_is_not_cached(example: tuple[TestClient, Clock]) -> None:
    c, _ = example
    for _ in range(2):
        assert quote(c, "US-CA", -1)["errors"][0]["errorType"] == "ValidationError"
    assert counted(c) == {"hits": 0, "misses": 2, "evictions": 0, "errors": 0}
