"""Eviction from a mutation (``extensions.evict_from_api_cache``) and operation level caching's
handling of mutations, errors and evictions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cache.support import client, post, write_cache_api
from tests.cache.test_resolver import ITEM, OPERATION, PER, calls

EVICT = "mutation($type: String!, $field: String!, $keys: AWSJSON!) { evict(type: $type, field: $field, keys: $keys) }"


def evict(c: Any, keys: dict[str, Any], type_: str = "Query", field: str = "item") -> Any:
    return post(c, EVICT, {"type": type_, "field": field, "keys": json.dumps(keys)})


def test_a_mutation_evicts_the_entry_its_keys_name(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", PER, "caching: {keys: [$context.arguments.id]}")
    with client(root) as c:
        one = calls(post(c, ITEM, {"id": "1"}))
        two = calls(post(c, ITEM, {"id": "2"}))
        renamed = post(c, 'mutation { rename(id: "1", label: "new") { id label } }')
        assert renamed == {
            "data": {"rename": {"id": "1", "label": "new"}},
            "extensions": {"apiCacheEntriesDeleted": 1},
        }
        assert calls(post(c, ITEM, {"id": "1"})) != one  # evicted
        assert calls(post(c, ITEM, {"id": "2"})) == two  # untouched
        again = post(c, 'mutation { rename(id: "3", label: "x") { id } }')
        counted = c.get("/health").json()["cache"]["resolvers"]["Query.item"]
    assert "extensions" not in again  # nothing was cached under id 3
    assert counted["evictions"] == 1


@pytest.mark.parametrize(
    "keys",
    [
        pytest.param({"context.arguments.id": "1", "context.identity.username": None}, id="named"),
        pytest.param({"$context.identity.username": None, "$context.arguments.id": "1"}, id="any-order-with-dollar"),
    ],
)  # fmt: skip
def test_eviction_keys_are_matched_by_name(tmp_path: Path, keys: dict[str, Any]) -> None:
    """Deviation (docs/caching.md): AppSync wants the keys in the caching keys' order."""
    item_caching = "caching: {keys: [$context.arguments.id, $context.identity.username]}"
    root = write_cache_api(tmp_path / "api", PER, item_caching)
    with client(root) as c:
        first = calls(post(c, ITEM, {"id": "1"}))  # API key caller: username is null
        evicted = evict(c, keys)
        assert evicted == {"data": {"evict": 1}, "extensions": {"apiCacheEntriesDeleted": 1}}
        assert calls(post(c, ITEM, {"id": "1"})) != first


@pytest.mark.parametrize(
    ("item_caching", "type_", "field", "keys", "message"),
    [
        pytest.param(
            "caching: {keys: [$context.arguments.id]}", "Query", "item", {"context.arguments.lang": "fr"},
            "Query.item is cached on context.arguments.id; got context.arguments.lang", id="wrong-key",
        ),
        pytest.param(
            "caching: {keys: [$context.arguments.id]}", "Query", "item", {},
            "Query.item is cached on context.arguments.id; got no keys", id="no-keys",
        ),
        pytest.param(
            "caching: {keys: [$context.arguments.id]}", "Query", "plain", {"context.arguments.id": "1"},
            "Query.plain is not cached", id="uncached-field",
        ),
        pytest.param(
            "caching: true", "Query", "item", {"context.arguments.id": "1"},
            "Query.item is cached without caching keys, so its entries cannot be named; give it "
            "caching keys, or flush the cache", id="default-keys",
        ),
    ],
)  # fmt: skip
def test_an_eviction_that_names_no_entry_fails_the_field(
    tmp_path: Path,
    item_caching: str,
    type_: str,
    field: str,
    keys: dict[str, Any],
    message: str,
) -> None:
    root = write_cache_api(tmp_path / "api", PER, item_caching)
    with client(root) as c:
        body = evict(c, keys, type_, field)
    assert body["data"] == {"evict": None}
    assert [(e["message"], e["errorType"]) for e in body["errors"]] == [
        (message, "BadRequestException")
    ]


def test_eviction_is_for_mutations_only(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", PER, "caching: {keys: [$context.arguments.id]}")
    with client(root) as c:
        body = post(c, "{ evictInQuery }")
    assert body["errors"][0]["message"] == (
        "extensions.evict_from_api_cache() works in mutations only"
    )
    assert body["errors"][0]["errorType"] == "BadRequestException"


def test_without_an_api_cache_eviction_does_nothing(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", "", "caching: {keys: [$context.arguments.id]}")
    with client(root) as c:
        body = post(c, 'mutation { rename(id: "1", label: "x") { id } }')
        health = c.get("/health").json()
    assert body == {"data": {"rename": {"id": "1"}}}
    assert "cache" not in health


def test_operation_level_caching_never_caches_mutations(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", OPERATION)
    with client(root) as c:
        post(c, 'mutation { rename(id: "1", label: "x") { id } }')
        post(c, 'mutation { rename(id: "1", label: "x") { id } }')
        post(c, ITEM, {"id": "1"})
        counted = c.get("/health").json()["cache"]["resolvers"]
    assert counted == {"operation": {"hits": 0, "misses": 1, "evictions": 0, "errors": 0}}


def test_operation_level_hits_answer_without_running_resolvers(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", OPERATION)
    query = "query Two($id: ID!) { item(id: $id) { calls detail { calls } } }"
    with client(root) as c:
        first = post(c, query, {"id": "1"}, operation_name="Two")
        second = post(c, query, {"id": "1"}, operation_name="Two")
        counted = c.get("/health").json()["cache"]["resolvers"]["operation"]
    assert first == second
    assert counted["hits"] == 1
    assert counted["misses"] == 1
