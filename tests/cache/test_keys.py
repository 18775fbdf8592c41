"""Cache keys: which resolutions are one entry, and how values survive the round trip."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from cache.keys import (
    CachingKey,
    KeySource,
    ResolverPolicy,
    Uncacheable,
    decode_value,
    encode_value,
    entry_key,
    operation_key,
    prefix_of,
)
from schema.model import AuthMode, FieldCoordinate

ITEM = FieldCoordinate("Query", "item")


@pytest.mark.parametrize(
    ("text", "source", "path"),
    [
        pytest.param("$context.arguments.id", KeySource.ARGUMENTS, ("id",), id="argument"),
        pytest.param("$context.source.owner.id", KeySource.SOURCE, ("owner", "id"), id="nested"),
        pytest.param("$context.identity.claims.email", KeySource.IDENTITY, ("claims", "email"), id="claim"),
    ],
)  # fmt: skip
def test_caching_keys_parse(text: str, source: KeySource, path: tuple[str, ...]) -> None:
    key = CachingKey.parse(text)
    assert (key.source, key.path, key.name) == (source, path, text[1:])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("$context.arguments.id", "7", id="argument"),
        pytest.param("$context.arguments.input.sku", "A", id="nested-argument"),
        pytest.param("$context.source.id", "p1", id="source"),
        pytest.param("$context.identity.sub", "u1", id="identity"),
        pytest.param("$context.arguments.missing", None, id="missing"),
        pytest.param("$context.arguments.id.deeper", None, id="through-a-scalar"),
    ],
)
def test_caching_key_values(text: str, expected: Any) -> None:
    value = CachingKey.parse(text).value(
        {"id": "7", "input": {"sku": "A"}}, {"id": "p1"}, {"sub": "u1"}
    )
    assert value == expected


def test_argument_order_never_splits_an_entry() -> None:
    policy = ResolverPolicy(ITEM, 60, None)
    one = policy.key({"a": 1, "b": {"x": 1, "y": 2}}, None, None, AuthMode.API_KEY)
    two = policy.key({"b": {"y": 2, "x": 1}, "a": 1}, None, None, AuthMode.API_KEY)
    assert one == two
    assert prefix_of(one) == "Query.item"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param((AuthMode.API_KEY, None), (AuthMode.AWS_LAMBDA, None), id="mode"),
        pytest.param((AuthMode.AWS_IAM, {"username": "a"}), (AuthMode.AWS_IAM, {"username": "b"}), id="identity"),
    ],
)  # fmt: skip
def test_default_keys_separate_callers(
    first: tuple[AuthMode, Any], second: tuple[AuthMode, Any]
) -> None:
    policy = ResolverPolicy(ITEM, 60, None)
    assert policy.key({}, None, first[1], first[0]) != policy.key({}, None, second[1], second[0])


def test_configured_keys_are_all_that_counts() -> None:
    policy = ResolverPolicy(ITEM, 60, (CachingKey.parse("$context.arguments.id"),))
    alice = policy.key({"id": "1", "lang": "fr"}, None, {"username": "a"}, AuthMode.AWS_IAM)
    anyone = policy.key({"id": "1"}, {"other": 1}, None, AuthMode.API_KEY)
    assert alice == anyone
    assert policy.eviction_key({"context.arguments.id": "1"}) == alice


def test_operation_keys_cover_text_name_variables_and_caller() -> None:
    base = ("{ a }", None, {"v": 1}, AuthMode.API_KEY, None, frozenset[FieldCoordinate]())
    variants: list[tuple[Any, ...]] = [
        ("{ a } ", *base[1:]),
        (base[0], "Named", *base[2:]),
        (*base[:2], {"v": 2}, *base[3:]),
        (*base[:3], AuthMode.AWS_LAMBDA, *base[4:]),
        (*base[:4], {"resolverContext": {}}, base[5]),
        (*base[:5], frozenset({ITEM})),
    ]
    keys = {operation_key(*base), *(operation_key(*v) for v in variants)}  # type: ignore[arg-type]
    assert len(keys) == 7


def test_values_round_trip_as_json() -> None:
    value = {"n": Decimal("3"), "f": Decimal("1.5"), "list": [1, None, "x"], "t": True}
    assert decode_value(encode_value(value)) == {
        "n": 3,
        "f": 1.5,
        "list": [1, None, "x"],
        "t": True,
    }
    assert decode_value(encode_value(None)) is None


def test_what_json_cannot_hold_is_uncacheable() -> None:
    with pytest.raises(Uncacheable):
        encode_value({"x": object()})
    with pytest.raises(Uncacheable):
        entry_key("Query.item", [{"x": {1, 2}}])
