"""The leaf fast path gives exactly graphql-core's results and errors."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import ExecutionResult, build_schema, execute, parse

from schema.fast_path import LeafFastPathExecutor

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
    result = execute(
        SCHEMA,
        parse(query),
        {"items": items},
        executor_class=LeafFastPathExecutor if fast else None,
    )
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
def test_fast_path_matches_graphql_core(query: str, items: list[Any]) -> None:
    fast = _run(query, items, fast=True)
    plain = _run(query, items, fast=False)
    assert fast.data == plain.data
    assert [(e.message, e.path) for e in fast.errors or []] == [
        (e.message, e.path) for e in plain.errors or []
    ]


def test_leaf_selections_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import schema.fast_path as fast_path

    completed: list[dict[str, Any]] = []
    original = fast_path._complete_leaves

    def counting(*args: Any) -> dict[str, Any] | None:
        result = original(*args)
        if result is not None:
            completed.append(result)
        return result

    monkeypatch.setattr(fast_path, "_complete_leaves", counting)
    result = _run("{ items { id name count status price } }", ITEMS, fast=True)
    assert result.errors is None
    assert result.data is not None
    assert completed == result.data["items"]
