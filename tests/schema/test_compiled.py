"""Compiled plans on hand-picked cases: graphql-core's results and errors, and what falls back.

(The generated cases are in ``test_compiled_differential.py``.)"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import ExecutionResult, build_schema, execute, parse

from schema.compiled import DocumentPlans

SCHEMA = build_schema(
    """
    type Query { items: [Item] }
    type Item {
      id: ID!
      name: String
      count: Int
      status: Status
      price: Float!
      nested: Item
      withArg(x: Int): String
    }
    enum Status { OPEN CLOSED }
    """
)

ITEMS: list[dict[str, Any]] = [
    {"id": 1, "name": "a", "count": 2, "status": "OPEN", "price": 1.5, "withArg": "w"},
    {
        "id": "2",
        "name": None,
        "count": None,
        "status": "CLOSED",
        "price": 2,
        "nested": {"id": 3, "price": 0},
    },
]


def _run(query: str, items: list[Any], fast: bool) -> ExecutionResult:
    document = parse(query)
    if fast:
        result = DocumentPlans(SCHEMA, document).execute({"items": items}, None, None, None)
    else:
        result = execute(SCHEMA, document, {"items": items})
    assert isinstance(result, ExecutionResult)
    return result


@pytest.mark.parametrize(
    ("query", "items"),
    [
        pytest.param("{ items { id name count status price } }", ITEMS, id="leaves"),
        pytest.param("{ items { __typename key: id other: name } }", ITEMS, id="aliases-typename"),
        pytest.param("{ items { id nested { id price } } }", ITEMS, id="nested-object"),
        pytest.param("{ items { id withArg(x: 1) } }", ITEMS, id="field-with-arguments"),
        pytest.param("{ items { id ... on Item { name } } }", ITEMS, id="fragment"),
        pytest.param("{ items { id name @include(if: false) } }", ITEMS, id="directive"),
        pytest.param("{ items { id price } }", [{"id": 1}], id="null-in-non-null"),
        pytest.param("{ items { id status } }", [{"id": 1, "status": "NOPE"}], id="bad-enum"),
        pytest.param("{ items { id count } }", [{"id": 1, "count": "many"}], id="bad-int"),
        pytest.param("{ items { id } }", [object()], id="not-a-dict"),
    ],
)
def test_plan_matches_graphql_core(query: str, items: list[Any]) -> None:
    fast = _run(query, items, fast=True)
    plain = _run(query, items, fast=False)
    assert fast.data == plain.data
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in plain.errors or []
    ]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ __schema { queryType { name } } }", id="introspection"),
        pytest.param("{ items { id ... @defer { name } } }", id="defer"),
        pytest.param("query A { items { id } } query B { items { id } }", id="no-operation-name"),
    ],
)
def test_what_plans_do_not_handle_falls_back(query: str) -> None:
    assert DocumentPlans(SCHEMA, parse(query)).execute({"items": []}, None, None, None) is None


def test_plans_are_cached_per_operation_and_directive_variables() -> None:
    document = parse("query Q($on: Boolean!) { items { id name @include(if: $on) } }")
    plans = DocumentPlans(SCHEMA, document)
    for on in (True, False, True):
        result = plans.execute({"items": ITEMS}, None, {"on": on}, None)
        assert isinstance(result, ExecutionResult)
        assert result.data is not None
        assert ("name" in result.data["items"][0]) is on
    assert len(plans._plans) == 2
