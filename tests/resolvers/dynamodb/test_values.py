"""Typed values: number normalization and the byte encoding behind sort-key order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.dynamodb.errors import ValidationError
from resolvers.dynamodb.values import compare, item_to_plain, key_bytes, validate


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        pytest.param("1.50", "1.5", id="trailing-zeros"),
        pytest.param("1e3", "1000", id="exponent"),
        pytest.param("-0", "0", id="negative-zero"),
        pytest.param(" 42 ", "42", id="spaces"),
        pytest.param("0.000100", "0.0001", id="small"),
        pytest.param(7, "7", id="json-number"),
    ],
)
def test_numbers_are_normalized(text: Any, normalized: str) -> None:
    assert validate({"N": text}, "n") == {"N": normalized}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("1e126", "Number overflow", id="too-large"),
        pytest.param("1e-131", "Number underflow", id="too-small"),
        pytest.param("1" * 39, "38 significant digits", id="too-precise"),
        pytest.param("NaN", "cannot be converted", id="nan"),
        pytest.param(True, "cannot be converted", id="boolean"),
    ],
)
def test_numbers_out_of_range_are_rejected(text: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        validate({"N": text}, "n")


def test_plain_results_follow_appsync_response_mapping() -> None:
    item: dict[str, Any] = {
        "n": {"N": "3"},
        "f": {"N": "2.5"},
        "ns": {"NS": ["1", "1.5"]},
        "null": {"NULL": True},
        "m": {"M": {"l": {"L": [{"BOOL": False}, {"SS": ["a"]}]}}},
    }
    assert item_to_plain(item) == {
        "n": 3,
        "f": 2.5,
        "ns": [1, 1.5],
        "null": None,
        "m": {"l": [False, ["a"]]},
    }


numbers = st.decimals(
    min_value=Decimal("-1e20"),
    max_value=Decimal("1e20"),
    allow_nan=False,
    allow_infinity=False,
    places=6,
)


@given(numbers, numbers)
def test_number_key_bytes_order_numerically(a: Decimal, b: Decimal) -> None:
    left, right = {"N": format(a, "f")}, {"N": format(b, "f")}
    left, right = validate(left, "a"), validate(right, "b")
    assert (key_bytes(left) < key_bytes(right)) == (a < b)
    assert (key_bytes(left) == key_bytes(right)) == (a == b)
    assert compare(left, right) == (a > b) - (a < b)


@given(st.text(min_size=1), st.text(min_size=1))
def test_string_key_bytes_order_by_utf8(a: str, b: str) -> None:
    assert (key_bytes({"S": a}) < key_bytes({"S": b})) == (a.encode() < b.encode())
