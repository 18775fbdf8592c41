"""Resolver caching: the correctness matrix over behaviours and key sources, identity isolation,
TTLs on an injected clock, and what is never cached (errors, partial results, mutations)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from schema.errors import InvalidDefinition
from tests.cache.support import Clock, client, post, write_cache_api
from web.api import load_api

FULL = "caching:\n  behavior: FULL_REQUEST_CACHING\n  ttl: 60"
PER = "caching:\n  behavior: PER_RESOLVER_CACHING\n  ttl: 60"
OPERATION = "caching:\n  behavior: OPERATION_LEVEL_CACHING\n  ttl: 60"

ITEM = "query Item($id: ID!, $lang: String) { item(id: $id, lang: $lang) { calls } }"
DETAIL = "query Detail($id: ID!, $lang: String) { item(id: $id, lang: $lang) { detail { calls } } }"

Request = tuple[str, dict[str, Any], str]
"""(query, variables, caller)."""


def calls(body: dict[str, Any]) -> int:
    assert "errors" not in body, body
    item = body["data"]["item"]
    value = item["detail"]["calls"] if "detail" in item else item["calls"]
    assert isinstance(value, int)
    return value


def one(vars_: dict[str, Any], caller: str = "key", query: str = ITEM) -> Request:
    return (query, vars_, caller)


MATRIX = [
    # --- FULL_REQUEST_CACHING: arguments + identity (+ source) -------------------------------
    pytest.param(FULL, "", "", one({"id": "1"}), one({"id": "1"}), True, id="full-same-args"),
    pytest.param(FULL, "", "", one({"id": "1"}), one({"id": "2"}), False, id="full-other-id"),
    pytest.param(
        FULL, "", "", one({"id": "1"}), one({"id": "1", "lang": "fr"}), False, id="full-all-args"
    ),
    pytest.param(
        FULL, "", "", one({"id": "1"}, "alice"), one({"id": "1"}, "alice"), True,
        id="full-same-identity",
    ),
    pytest.param(
        FULL, "", "", one({"id": "1"}, "alice"), one({"id": "1"}, "bob"), False,
        id="full-other-identity",
    ),
    pytest.param(
        FULL, "", "", one({"id": "1"}, "key"), one({"id": "1"}, "alice"), False,
        id="full-api-key-vs-iam",
    ),
    pytest.param(
        FULL, "", "", one({"id": "1"}, query=DETAIL), one({"id": "1"}, query=DETAIL), True,
        id="full-nested-same-parent",
    ),
    # --- PER_RESOLVER_CACHING ----------------------------------------------------------------
    pytest.param(PER, "", "", one({"id": "1"}), one({"id": "1"}), False, id="per-not-opted-in"),
    pytest.param(
        PER, "caching: true", "", one({"id": "1"}), one({"id": "1"}), True, id="per-default-keys"
    ),
    pytest.param(
        PER, "caching: true", "", one({"id": "1"}, "alice"), one({"id": "1"}, "bob"), False,
        id="per-default-keys-other-identity",
    ),
    pytest.param(
        PER, "caching: true", "", one({"id": "1"}), one({"id": "1", "lang": "fr"}), False,
        id="per-default-keys-all-args",
    ),
    pytest.param(
        PER, "caching: {keys: [$context.arguments.id]}", "",
        one({"id": "1"}), one({"id": "1", "lang": "fr"}), True, id="per-argument-key-shared",
    ),
    pytest.param(
        PER, "caching: {keys: [$context.arguments.id]}", "",
        one({"id": "1"}, "alice"), one({"id": "1"}, "bob"), True,
        id="per-argument-key-shared-across-identities",
    ),
    pytest.param(
        PER, "caching: {keys: [$context.arguments.id]}", "",
        one({"id": "1"}), one({"id": "2"}), False, id="per-argument-key-other-value",
    ),
    pytest.param(
        PER, "caching: {keys: [$context.identity.username]}", "",
        one({"id": "1"}, "alice"), one({"id": "2"}, "alice"), True, id="per-identity-key-same",
    ),
    pytest.param(
        PER, "caching: {keys: [$context.identity.username]}", "",
        one({"id": "1"}, "alice"), one({"id": "1"}, "bob"), False, id="per-identity-key-other",
    ),
    pytest.param(
        PER, "caching: {keys: [$context.arguments.id, $context.identity.username]}", "",
        one({"id": "1"}, "alice"), one({"id": "1"}, "bob"), False, id="per-two-keys",
    ),
    pytest.param(
        PER, "", "caching: {keys: [$context.source.id]}",
        one({"id": "1"}, query=DETAIL), one({"id": "1", "lang": "fr"}, query=DETAIL), True,
        id="per-source-key-same",
    ),
    pytest.param(
        PER, "", "caching: {keys: [$context.source.id]}",
        one({"id": "1"}, query=DETAIL), one({"id": "2"}, query=DETAIL), False,
        id="per-source-key-other",
    ),
    pytest.param(
        PER, "", "caching: true",
        one({"id": "1"}, query=DETAIL), one({"id": "1"}, query=DETAIL), False,
        id="per-default-keys-whole-source",  # the uncached parent's `calls` differs
    ),
    # --- OPERATION_LEVEL_CACHING: operation text, name, variables, identity ------------------
    pytest.param(OPERATION, "", "", one({"id": "1"}), one({"id": "1"}), True, id="op-same"),
    pytest.param(
        OPERATION, "", "", one({"id": "1"}, query=DETAIL), one({"id": "1"}, query=DETAIL), True,
        id="op-same-nested",
    ),
    pytest.param(OPERATION, "", "", one({"id": "1"}), one({"id": "2"}), False, id="op-vars"),
    pytest.param(
        OPERATION, "caching: {keys: [$context.arguments.id]}", "",
        one({"id": "1"}), one({"id": "1", "lang": "fr"}), False,
        id="op-ignores-resolver-keys",
    ),
    pytest.param(
        OPERATION, "", "", one({"id": "1"}, "alice"), one({"id": "1"}, "bob"), False,
        id="op-other-identity",
    ),
    pytest.param(
        OPERATION, "", "", one({"id": "1"}), one({"id": "1"}, query=ITEM + " "), False,
        id="op-other-text",
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("caching", "item_caching", "detail_caching", "first", "second", "shared"), MATRIX
)
def test_matrix(
    tmp_path: Path,
    caching: str,
    item_caching: str,
    detail_caching: str,
    first: Request,
    second: Request,
    shared: bool,
) -> None:
    root = write_cache_api(tmp_path / "api", caching, item_caching, detail_caching)
    with client(root) as c:
        one_ = calls(post(c, first[0], first[1], first[2]))
        two = calls(post(c, second[0], second[1], second[2]))
    assert (one_ == two) is shared, (one_, two)


def test_nested_resolvers_are_keyed_on_their_parent_under_full_request_caching(
    tmp_path: Path,
) -> None:
    """Deviation (docs/caching.md): AppSync keys full request caching on arguments and identity
    only; two parents of one request must still not share a nested field's entry."""
    root = write_cache_api(tmp_path / "api", FULL)
    query = '{ a: item(id: "1") { detail { parent calls } } b: item(id: "2") { detail { parent calls } } }'
    with client(root) as c:
        body = post(c, query)
        again = post(c, query)
    assert body["data"]["a"]["detail"]["parent"] == "1"
    assert body["data"]["b"]["detail"]["parent"] == "2"
    assert body["data"]["a"]["detail"]["calls"] != body["data"]["b"]["detail"]["calls"]
    assert again == body


@pytest.mark.parametrize(
    ("caching", "item_caching", "ttl"),
    [
        pytest.param(PER, "caching: {ttl: 30, keys: [$context.arguments.id]}", 30, id="resolver"),
        pytest.param(PER, "caching: true", 60, id="resolver-api-default"),
        pytest.param(FULL, "", 60, id="full-request"),
        pytest.param(OPERATION, "", 60, id="operation"),
    ],
)
def test_ttl_expires_on_the_injected_clock(
    tmp_path: Path, caching: str, item_caching: str, ttl: int
) -> None:
    root = write_cache_api(tmp_path / "api", caching, item_caching)
    clock = Clock()
    with client(root, clock=clock) as c:
        first = calls(post(c, ITEM, {"id": "1"}))
        clock.advance(ttl - 0.5)
        assert calls(post(c, ITEM, {"id": "1"})) == first
        clock.advance(1)
        refreshed = calls(post(c, ITEM, {"id": "1"}))
        assert refreshed != first
        assert calls(post(c, ITEM, {"id": "1"})) == refreshed


@pytest.mark.parametrize(
    ("caching", "item_caching"),
    [
        pytest.param(PER, "caching: {keys: [$context.arguments.id]}", id="per-resolver"),
        pytest.param(FULL, "", id="full-request"),
        pytest.param(OPERATION, "", id="operation"),
    ],
)
@pytest.mark.parametrize(
    ("field", "error_type"),
    [
        pytest.param("failing", "Boom", id="error"),
        pytest.param("partial", "Partial", id="partial-result"),
    ],
)
def test_errors_and_partial_results_are_not_cached(
    tmp_path: Path, caching: str, item_caching: str, field: str, error_type: str
) -> None:
    root = write_cache_api(tmp_path / "api", caching, item_caching)
    query = f'{{ {field}(id: "1") {{ calls }} }}'
    with client(root) as c:
        bodies = [post(c, query) for _ in range(2)]
    assert [b["errors"][0]["errorType"] for b in bodies] == [error_type, error_type]
    if field == "partial":
        assert bodies[0]["data"][field]["calls"] != bodies[1]["data"][field]["calls"]
    else:
        assert bodies[0]["errors"][0]["message"] != bodies[1]["errors"][0]["message"]


def test_a_result_json_cannot_hold_is_served_uncached(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", PER, "caching: true")
    with client(root) as c:
        bodies = [post(c, '{ odd(id: "1") { calls label } }') for _ in range(2)]
        health = c.get("/health").json()
    assert [b["data"]["odd"]["label"] for b in bodies] == ["custom", "custom"]
    assert bodies[0]["data"]["odd"]["calls"] != bodies[1]["data"]["odd"]["calls"]
    assert health["cache"]["state"] == "ok"
    assert health["cache"]["resolvers"]["Query.odd"]["errors"] == 0


def test_mutations_are_never_cached(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", FULL)
    with client(root) as c:
        for _ in range(2):
            post(c, 'mutation { rename(id: "1", label: "x") { id } }')
        counted = c.get("/health").json()["cache"]["resolvers"]
    assert "Mutation.rename" not in counted


def test_unauthorized_callers_never_see_a_cached_result(tmp_path: Path) -> None:
    """Field authorization runs before the cache: an entry filled by an allowed caller is not
    served to one the field's directives refuse."""
    root = write_cache_api(tmp_path / "api", PER, "caching: {keys: [$context.arguments.id]}")
    schema = root / "schema.graphql"
    schema.write_text(
        schema.read_text().replace(
            "item(id: ID!, lang: String): Item", "item(id: ID!, lang: String): Item @aws_iam"
        )
    )
    with client(root) as c:
        assert calls(post(c, ITEM, {"id": "1"}, "alice")) >= 1
        refused = post(c, ITEM, {"id": "1"}, "key")
    assert refused["data"] == {"item": None}
    assert refused["errors"][0]["errorType"] == "Unauthorized"


def test_a_caching_key_naming_no_entry_is_a_definition_error(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", PER, "caching: {keys: [$context.arguments.]}")
    with pytest.raises(InvalidDefinition) as raised:
        load_api(root)
    errors = raised.value.errors
    assert len(errors) == 4  # item, failing, partial and odd share the caching block
    assert str(errors[0]) == (
        f"{root / 'syncline.yml'}:27: caching key '$context.arguments.' names no entry of "
        "$context.arguments"
    )
