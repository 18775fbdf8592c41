"""Enhanced subscription filters: every operator, groups, nested paths, AppSync's limits."""

from __future__ import annotations

from typing import Any

import pytest

from sdk.transform import to_subscription_filter
from subscriptions.errors import FilterError
from subscriptions.filters import ArgumentFilter, Operator, parse_filter

PAYLOAD = {
    "id": "t1",
    "severity": 3,
    "ratio": 0.5,
    "title": "disk almost full",
    "tags": ["ops", "disk"],
    "flag": True,
    "owner": {"team": {"name": "infra"}},
    "missing": None,
}


def one(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {
        "filterGroup": [{"filters": [{"fieldName": field, "operator": operator, "value": value}]}]
    }


CASES = [
    # eq / ne
    pytest.param("severity", "eq", 3, True, id="eq-number"),
    pytest.param("severity", "eq", 3.0, True, id="eq-int-float"),
    pytest.param("severity", "eq", 4, False, id="eq-number-miss"),
    pytest.param("flag", "eq", True, True, id="eq-bool"),
    pytest.param("flag", "eq", 1, False, id="eq-bool-is-not-1"),
    pytest.param("missing", "eq", None, True, id="eq-null-on-null"),
    pytest.param("absent", "eq", None, True, id="eq-null-on-absent"),
    pytest.param("title", "eq", None, False, id="eq-null-on-value"),
    pytest.param("severity", "ne", 4, True, id="ne"),
    pytest.param("severity", "ne", 3, False, id="ne-miss"),
    pytest.param("absent", "ne", 3, True, id="ne-on-absent"),
    pytest.param("absent", "ne", None, False, id="ne-null-on-absent"),
    # ordering
    pytest.param("severity", "le", 3, True, id="le-equal"),
    pytest.param("severity", "le", 2, False, id="le-miss"),
    pytest.param("severity", "lt", 4, True, id="lt"),
    pytest.param("severity", "lt", 3, False, id="lt-equal"),
    pytest.param("ratio", "ge", 0.5, True, id="ge-float"),
    pytest.param("severity", "gt", 2, True, id="gt"),
    pytest.param("severity", "gt", 3, False, id="gt-equal"),
    pytest.param("title", "gt", "a", True, id="gt-string"),
    pytest.param("title", "gt", 1, False, id="gt-mixed-types"),
    pytest.param("absent", "lt", 10, False, id="lt-on-absent"),
    # contains / notContains
    pytest.param("title", "contains", "full", True, id="contains-substring"),
    pytest.param("title", "contains", "empty", False, id="contains-substring-miss"),
    pytest.param("tags", "contains", "disk", True, id="contains-list-element"),
    pytest.param("tags", "contains", "net", False, id="contains-list-miss"),
    pytest.param("title", "notContains", "empty", True, id="notContains"),
    pytest.param("tags", "notContains", "ops", False, id="notContains-list-miss"),
    pytest.param("absent", "notContains", "x", True, id="notContains-on-absent"),
    # beginsWith
    pytest.param("title", "beginsWith", "disk", True, id="beginsWith"),
    pytest.param("title", "beginsWith", "full", False, id="beginsWith-miss"),
    pytest.param("severity", "beginsWith", "3", False, id="beginsWith-number-field"),
    # in / notIn
    pytest.param("severity", "in", [1, 3], True, id="in"),
    pytest.param("severity", "in", [1, 2], False, id="in-miss"),
    pytest.param("severity", "notIn", [1, 2], True, id="notIn"),
    pytest.param("severity", "notIn", [3], False, id="notIn-miss"),
    pytest.param("absent", "notIn", [3], True, id="notIn-on-absent"),
    # between
    pytest.param("severity", "between", [1, 3], True, id="between-inclusive"),
    pytest.param("severity", "between", [4, 9], False, id="between-miss"),
    pytest.param("title", "between", ["a", "e"], True, id="between-strings"),
    # containsAny
    pytest.param("tags", "containsAny", ["net", "disk"], True, id="containsAny"),
    pytest.param("tags", "containsAny", ["net", "cpu"], False, id="containsAny-miss"),
    pytest.param("severity", "containsAny", [3, 5], True, id="containsAny-scalar-field"),
    # nested paths
    pytest.param("owner.team.name", "eq", "infra", True, id="nested-eq"),
    pytest.param("owner.team.name", "beginsWith", "inf", True, id="nested-beginsWith"),
    pytest.param("owner.team.size", "gt", 1, False, id="nested-absent"),
    pytest.param("title.length", "eq", None, True, id="nested-through-a-string"),
]


@pytest.mark.parametrize(("field", "operator", "value", "expected"), CASES)
def test_operator(field: str, operator: str, value: Any, expected: bool) -> None:
    assert parse_filter(one(field, operator, value)).matches(PAYLOAD) is expected


def test_every_operator_has_a_case() -> None:
    covered = {case.values[1] for case in CASES}
    assert covered == {o.value for o in Operator}


def test_groups_are_ored_and_filters_anded() -> None:
    filter_ = parse_filter(
        {
            "filterGroup": [
                {
                    "filters": [
                        {"fieldName": "severity", "operator": "ge", "value": 5},
                        {"fieldName": "title", "operator": "contains", "value": "disk"},
                    ]
                },
                {
                    "filters": [
                        {"fieldName": "tags", "operator": "contains", "value": "ops"},
                        {"fieldName": "flag", "operator": "eq", "value": True},
                    ]
                },
            ]
        }
    )
    assert filter_.matches(PAYLOAD)  # the second group holds
    assert not filter_.matches({**PAYLOAD, "flag": False})  # neither group holds


def test_equal_filters_share_a_key() -> None:
    a = parse_filter(
        {"filterGroup": [{"filters": [{"value": 1, "operator": "eq", "fieldName": "x"}]}]}
    )
    b = parse_filter(one("x", "eq", 1))
    assert a.key == b.key


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            one("severity", "in", [1, 2, 3, 4, 5, 6]),
            "subscription exceeds maximum value limit 5 for operator `in`.",
            id="in-over-5-values",
        ),
        pytest.param(
            one("severity", "notIn", list(range(6))),
            "subscription exceeds maximum value limit 5 for operator `notIn`.",
            id="notIn-over-5-values",
        ),
        pytest.param(
            {
                "filterGroup": [
                    {
                        "filters": [
                            {"fieldName": f"f{i}", "operator": "eq", "value": i} for i in range(6)
                        ]
                    }
                ]
            },
            "Filters exceed maximum attributes limit 5 for subscription",
            id="over-5-fields",
        ),
        pytest.param(
            {"filterGroup": [{"filters": [{"fieldName": "a", "operator": "eq", "value": 1}]}] * 11},
            "Filters exceed maximum filter group limit 10 for subscription",
            id="over-10-groups",
        ),
        pytest.param(one("a", "like", 1), "is not one of", id="unknown-operator"),
        pytest.param(one("a", "between", [1]), "between", id="between-needs-two"),
        pytest.param(one("a", "in", 1), "non-empty list", id="in-needs-list"),
        pytest.param(one("a", "eq", {"x": 1}), "single scalar", id="eq-object"),
        pytest.param(one("a", "beginsWith", 1), "needs a string", id="beginsWith-number"),
        pytest.param(one("a..b", "eq", 1), "dotted path", id="empty-path-segment"),
        pytest.param({"filterGroup": []}, "non-empty list", id="no-groups"),
        pytest.param({"filters": []}, "exactly one key", id="no-filterGroup"),
        pytest.param(
            {"filterGroup": [{"filters": [{"fieldName": "a", "operator": "eq"}]}]},
            "has no value",
            id="no-value",
        ),
    ],
)
def test_invalid_filters_are_refused(raw: Any, message: str) -> None:
    with pytest.raises(FilterError) as raised:
        parse_filter(raw)
    assert message in raised.value.message


def test_argument_filter_ands_non_null_arguments() -> None:
    filter_ = ArgumentFilter.of({"severity": 3, "title": None, "id": "t1"})
    assert filter_.pairs == (("id", "t1"), ("severity", 3))
    assert filter_.matches(PAYLOAD)
    assert not filter_.matches({**PAYLOAD, "id": "t2"})
    assert not filter_.matches({"severity": 3})  # the payload lacks id
    assert ArgumentFilter.of({}).matches(None)


def test_to_subscription_filter_object_form() -> None:
    built = to_subscription_filter(
        {"severity": {"le": 3}, "or": [{"group": "ops"}, {"tags": {"containsAny": ["disk"]}}]},
        ignored_fields=["ignored"],
        rules=[{"flag": {"eq": False}}],
    )
    assert built == {
        "filterGroup": [
            {
                "filters": [
                    {"fieldName": "severity", "operator": "le", "value": 3},
                    {"fieldName": "group", "operator": "eq", "value": "ops"},
                ]
            },
            {
                "filters": [
                    {"fieldName": "severity", "operator": "le", "value": 3},
                    {"fieldName": "tags", "operator": "containsAny", "value": ["disk"]},
                ]
            },
            {"filters": [{"fieldName": "flag", "operator": "eq", "value": False}]},
        ]
    }
    assert parse_filter(built).matches(PAYLOAD)
