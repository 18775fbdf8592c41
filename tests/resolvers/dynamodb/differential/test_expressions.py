"""Every expression operator and function, evaluated by Syncline and by DynamoDB Local.

Conditions and filters share one grammar ("Condition and filter expressions, operators, and
functions"); each case runs as a FilterExpression over a table of varied items (so one case
tests true, false and type mismatches at once) and as a ConditionExpression of an UpdateItem.
Update expressions run against the same item on both sides and compare ``ALL_NEW``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.resolvers.dynamodb.differential.pair import Pair

ITEMS: list[dict[str, Any]] = [
    {
        "pk": {"S": "a"},
        "s": {"S": "apple"},
        "n": {"N": "10"},
        "b": {"B": b"\x01\x02"},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": [b"\x01"]},
        "l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"k": {"S": "v"}}}]},
        "m": {"M": {"k": {"S": "v"}, "deep": {"M": {"n": {"N": "5"}}}}},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "status": {"S": "open"},
    },
    {
        "pk": {"S": "b"},
        "s": {"S": "banana"},
        "n": {"N": "-3.5"},
        "b": {"B": b"\xff"},
        "ss": {"SS": ["apple"]},
        "l": {"L": []},
        "m": {"M": {}},
        "t": {"BOOL": False},
        "status": {"S": "closed"},
    },
    {"pk": {"S": "c"}, "s": {"N": "10"}, "n": {"S": "10"}, "ns": {"NS": ["10"]}},
    {"pk": {"S": "d"}, "s": {"S": ""}, "n": {"N": "100000000000000000000000000000000000"}},
    {"pk": {"S": "e"}},
]

VALUES: dict[str, Any] = {
    ":s": {"S": "apple"},
    ":ap": {"S": "ap"},
    ":x": {"S": "x"},
    ":n": {"N": "10"},
    ":lo": {"N": "-5"},
    ":hi": {"N": "11"},
    ":b": {"B": b"\x01"},
    ":t": {"BOOL": True},
    ":one": {"N": "1"},
    ":two": {"N": "2"},
    ":empty": {"S": ""},
    ":l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"k": {"S": "v"}}}]},
    ":m": {"M": {"k": {"S": "v"}}},
    ":ss": {"SS": ["y", "x"]},
    ":null": {"NULL": True},
}

CONDITIONS = [
    # comparators, on every type (different types never compare)
    pytest.param("s = :s", id="eq-string"),
    pytest.param("n = :n", id="eq-number"),
    pytest.param("n <> :n", id="ne"),
    pytest.param("s < :s", id="lt-string"),
    pytest.param("n <= :n", id="le-number"),
    pytest.param("n > :lo", id="gt-number"),
    pytest.param("b >= :b", id="ge-binary"),
    pytest.param("s > :empty", id="gt-empty-string"),
    pytest.param("l = :l", id="eq-list"),
    pytest.param("m.k = :x", id="eq-nested-missing"),
    pytest.param("m = :m", id="eq-map"),
    pytest.param("ss = :ss", id="eq-set-unordered"),
    pytest.param("t = :t", id="eq-bool"),
    pytest.param("z = :null", id="eq-null"),
    pytest.param("n = s", id="eq-path-path"),
    pytest.param("s < n", id="lt-mixed-types"),
    pytest.param("m.deep.n > :one", id="nested-map-path"),
    pytest.param("l[2].k = m.k", id="list-index-path"),
    pytest.param("l[0] = :x", id="list-first"),
    pytest.param("l[5] = :x", id="list-out-of-range"),
    # BETWEEN and IN
    pytest.param("n BETWEEN :lo AND :hi", id="between"),
    pytest.param("s BETWEEN :ap AND :s", id="between-strings"),
    pytest.param("n IN (:n, :one, :two)", id="in"),
    pytest.param("s IN (:s)", id="in-one"),
    pytest.param("ss IN (:ss)", id="in-set"),
    # logic and precedence: NOT binds tighter than AND, AND than OR
    pytest.param("s = :s OR n = :n AND t = :t", id="or-and-precedence"),
    pytest.param("(s = :s OR n = :n) AND t = :t", id="parentheses"),
    pytest.param("NOT s = :s", id="not"),
    pytest.param("NOT (s = :s OR attribute_not_exists(n))", id="not-group"),
    pytest.param("NOT NOT t = :t", id="not-not"),
    # functions
    pytest.param("attribute_exists(m.deep)", id="attribute-exists-nested"),
    pytest.param("attribute_not_exists(b)", id="attribute-not-exists"),
    pytest.param("attribute_exists(#st)", id="attribute-exists-reserved-name"),
    *[
        pytest.param(f"attribute_type(s, :{t})", id=f"attribute-type-{t}")
        for t in ("S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS")
    ],
    pytest.param("begins_with(s, :ap)", id="begins-with-string"),
    pytest.param("begins_with(b, :b)", id="begins-with-binary"),
    pytest.param("begins_with(s, :empty)", id="begins-with-empty"),
    pytest.param("contains(s, :ap)", id="contains-substring"),
    pytest.param("contains(ss, :x)", id="contains-set-member"),
    pytest.param("contains(ss, :s)", id="contains-set-apple"),
    pytest.param("contains(ns, :n)", id="contains-number-set"),
    pytest.param("contains(bs, :b)", id="contains-binary-set"),
    pytest.param("contains(l, :x)", id="contains-list-element"),
    pytest.param("contains(l, :m)", id="contains-list-map"),
    pytest.param("contains(b, :b)", id="contains-binary"),
    pytest.param("size(s) = :n", id="size-string"),
    pytest.param("size(s) > :one", id="size-string-gt"),
    pytest.param("size(b) = :two", id="size-binary"),
    pytest.param("size(l) < :two", id="size-list"),
    pytest.param("size(m) = :two", id="size-map"),
    pytest.param("size(ss) = :two", id="size-set"),
    pytest.param("size(n) = :one", id="size-number"),
    pytest.param("size(l[2]) = :one", id="size-nested"),
    pytest.param("size(nope) >= :one", id="size-missing"),
    pytest.param("size(s) BETWEEN :one AND :n", id="size-between"),
    pytest.param("size(s) IN (:one, :two)", id="size-in"),
]


def _with_attribute_types(expression: str) -> dict[str, Any]:
    values = {k: VALUES[k] for k in re.findall(r":\w+", expression) if k in VALUES}
    for kind in ("S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"):
        if f":{kind})" in expression:
            values[f":{kind}"] = {"S": kind}
    return values


def _arguments(expression: str) -> dict[str, Any]:
    arguments: dict[str, Any] = {"ExpressionAttributeValues": _with_attribute_types(expression)}
    if not arguments["ExpressionAttributeValues"]:
        del arguments["ExpressionAttributeValues"]
    if "#st" in expression:
        arguments["ExpressionAttributeNames"] = {"#st": "status"}
    return arguments


@pytest.fixture
def loaded(pair: Pair) -> str:
    table = pair.table({"pk": "S"})
    for item in ITEMS:
        for side in (pair.ours, pair.theirs):
            side.put_item(TableName=table, Item=item)
    return table


@pytest.mark.parametrize("expression", CONDITIONS)
def test_filter(pair: Pair, loaded: str, expression: str) -> None:
    items = pair.scan_all(TableName=loaded, FilterExpression=expression, **_arguments(expression))
    assert isinstance(items, list)


@pytest.mark.parametrize("expression", CONDITIONS)
@pytest.mark.parametrize(
    "key", [pytest.param(item["pk"]["S"], id=item["pk"]["S"]) for item in ITEMS[:3]]
)
def test_condition(pair: Pair, loaded: str, expression: str, key: str) -> None:
    arguments = _arguments(expression)
    values = {**arguments.get("ExpressionAttributeValues", {}), ":mark": {"S": "checked"}}
    pair.same(
        "update_item",
        TableName=loaded,
        Key={"pk": {"S": key}},
        UpdateExpression="SET checked = :mark",
        ConditionExpression=expression,
        ReturnValues="UPDATED_NEW",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
        **{**arguments, "ExpressionAttributeValues": values},
    )


INVALID_CONDITIONS = [
    pytest.param("status = :s", {":s": {"S": "x"}}, None, id="reserved-word"),
    pytest.param("s = :missing", {":s": {"S": "x"}}, None, id="undefined-value"),
    pytest.param("#nope = :s", {":s": {"S": "x"}}, None, id="undefined-name"),
    pytest.param("s = :s", {":s": {"S": "x"}, ":unused": {"S": "y"}}, None, id="unused-value"),
    pytest.param("s = :s", {":s": {"S": "x"}}, {"#unused": "s"}, id="unused-name"),
    pytest.param("s = = :s", {":s": {"S": "x"}}, None, id="syntax"),
    pytest.param("s = :s AND", {":s": {"S": "x"}}, None, id="dangling-and"),
    pytest.param("(s = :s", {":s": {"S": "x"}}, None, id="unbalanced"),
    pytest.param("frobnicate(s)", None, None, id="unknown-function"),
    pytest.param("size(s)", None, None, id="size-alone"),
    pytest.param("attribute_type(s, :s)", {":s": {"S": "X"}}, None, id="bad-type-name"),
    pytest.param("attribute_exists(:s)", {":s": {"S": "x"}}, None, id="function-on-value"),
    pytest.param("begins_with(s, :n)", {":n": {"N": "1"}}, None, id="begins-with-number"),
    pytest.param(
        "s BETWEEN :b AND :a", {":a": {"N": "1"}, ":b": {"N": "2"}}, None, id="between-reversed"
    ),
    pytest.param(
        "s BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"S": "2"}}, None, id="between-mixed"
    ),
    pytest.param("s < :l", {":l": {"L": []}}, None, id="lt-list"),
    pytest.param("n = n", None, None, id="same-path-twice"),
    pytest.param("m.k <> m.k", None, None, id="same-nested-path-twice"),
    pytest.param("l[0] = l[0]", None, None, id="same-element-twice"),
    pytest.param("n BETWEEN :a AND n", {":a": {"N": "1"}}, None, id="between-itself"),
    pytest.param("n IN (:a, n)", {":a": {"N": "1"}}, None, id="in-itself"),
    pytest.param("contains(s, s)", None, None, id="contains-itself"),
    pytest.param("#n = n", None, {"#n": "n"}, id="same-path-through-name"),
    pytest.param("s = :s", {"s": {"S": "x"}}, None, id="value-key-without-colon"),
    pytest.param("s = :s", {":s": {"S": "x"}}, {"n": "s"}, id="name-key-without-hash"),
    pytest.param("a.b[x] = :s", {":s": {"S": "x"}}, None, id="bad-index"),
    pytest.param("a[-1] = :s", {":s": {"S": "x"}}, None, id="negative-index"),
    pytest.param("s IN ()", None, None, id="empty-in"),
    pytest.param("", None, None, id="empty"),
]


@pytest.mark.parametrize(("expression", "values", "names"), INVALID_CONDITIONS)
def test_invalid_condition(
    pair: Pair,
    loaded: str,
    expression: str,
    values: dict[str, Any] | None,
    names: dict[str, str] | None,
) -> None:
    arguments: dict[str, Any] = {"ConditionExpression": expression}
    if values is not None:
        arguments["ExpressionAttributeValues"] = values
    if names is not None:
        arguments["ExpressionAttributeNames"] = names
    pair.error(
        "ValidationException", "put_item", TableName=loaded, Item={"pk": {"S": "new"}}, **arguments
    )
    pair.error(
        "ValidationException",
        "scan",
        TableName=loaded,
        **{
            ("FilterExpression" if k == "ConditionExpression" else k): v
            for k, v in arguments.items()
        },
    )


UPDATES = [
    pytest.param("SET s = :s", id="set"),
    pytest.param("SET #st = :s", id="set-reserved-via-name"),
    pytest.param("SET n = n + :one", id="plus"),
    pytest.param("SET n = n - :two", id="minus"),
    pytest.param("SET n = :one - n", id="value-minus-path"),
    pytest.param("SET fresh = if_not_exists(fresh, :one)", id="if-not-exists-absent"),
    pytest.param("SET n = if_not_exists(n, :one) + :one", id="if-not-exists-present"),
    pytest.param("SET l = list_append(l, :l)", id="list-append"),
    pytest.param("SET l = list_append(:l, l)", id="list-prepend"),
    pytest.param("SET l[1] = :x", id="set-list-element"),
    pytest.param("SET l[10] = :x", id="set-beyond-list-end-appends"),
    pytest.param("SET m.deep.n = :one, m.k = :x", id="set-nested"),
    pytest.param("SET m.newkey = :ss", id="set-new-map-key"),
    pytest.param("SET a = :one, b = a", id="set-reads-old-value"),
    pytest.param("SET copy = m", id="set-copy-map"),
    pytest.param("REMOVE s, m.k", id="remove"),
    pytest.param("REMOVE l[0], l[2]", id="remove-list-elements"),
    pytest.param("REMOVE l[9], nope, m.nope", id="remove-absent"),
    pytest.param("ADD n :one", id="add-number"),
    pytest.param("ADD fresh :one", id="add-number-absent"),
    pytest.param("ADD ss :ss", id="add-to-set"),
    pytest.param("ADD freshset :ss", id="add-set-absent"),
    pytest.param("DELETE ss :ss", id="delete-from-set"),
    pytest.param("DELETE freshset :ss", id="delete-from-absent-set"),
    pytest.param("SET s = :s REMOVE t ADD n :one DELETE ss :ss", id="every-clause"),
    pytest.param("SET s=:s,n=:one", id="no-spaces"),
    pytest.param("set s = :s remove t", id="lower-case-keywords"),
]


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize(
    "key", [pytest.param(item["pk"]["S"], id=item["pk"]["S"]) for item in ITEMS]
)
def test_update(pair: Pair, loaded: str, update: str, key: str) -> None:
    arguments = _arguments(update)
    pair.same(
        "update_item",
        TableName=loaded,
        Key={"pk": {"S": key}},
        UpdateExpression=update,
        ReturnValues="ALL_NEW",
        **(
            {**arguments, "ExpressionAttributeNames": {"#st": "status"}}
            if "#st" in update
            else arguments
        ),
    )


INVALID_UPDATES = [
    pytest.param("SET s = :s, s = :x", id="same-path-twice"),
    pytest.param("SET m = :m REMOVE m.k", id="overlapping-paths"),
    pytest.param("SET m.k = :x, m = :m", id="parent-and-child"),
    pytest.param("SET pk = :s", id="key-attribute"),
    pytest.param("REMOVE pk", id="remove-key"),
    pytest.param("SET s = :s SET n = :one", id="clause-twice"),
    pytest.param("ADD s :ss", id="add-set-to-string"),
    pytest.param("ADD l :one", id="add-number-to-list"),
    pytest.param("ADD m.k :one", id="add-nested"),
    pytest.param("DELETE ss :one", id="delete-number-from-string-set"),
    pytest.param("ADD n :s", id="add-string"),
    pytest.param("SET n = n + :s", id="plus-string"),
    pytest.param("SET s = s + :one", id="plus-on-string"),
    pytest.param("SET l = list_append(l, :s)", id="list-append-string"),
    pytest.param("SET s = size(s)", id="size-in-update"),
    pytest.param("SET s = if_not_exists(:s, :s)", id="if-not-exists-on-value"),
    pytest.param("SET m.deep.missing.n = :one", id="set-under-missing-parent"),
    pytest.param("SET s[0] = :x", id="index-into-string"),
    pytest.param("SET m.k.deeper = :x", id="member-of-string"),
    pytest.param("REMOVE :s", id="remove-value"),
    pytest.param("DELETE ss :x", id="delete-scalar"),
    pytest.param("ADD fresh :ss", id="control-add-set-to-absent"),
    pytest.param("SET a = :one + :one + :one", id="two-operators"),
    pytest.param("UPDATE s = :s", id="unknown-clause"),
]


@pytest.mark.parametrize("update", INVALID_UPDATES)
def test_invalid_update(pair: Pair, loaded: str, update: str) -> None:
    outcome = pair.same(
        "update_item",
        TableName=loaded,
        Key={"pk": {"S": "a"}},
        UpdateExpression=update,
        **_arguments(update),
    )
    if update == "ADD fresh :ss":
        assert outcome.error is None  # a control case: ADD of a set to an absent attribute works
    else:
        assert outcome.error == "ValidationException", outcome
    pair.scan_all(TableName=loaded)  # and nothing changed


PROJECTIONS = [
    pytest.param("s, n", id="names"),
    pytest.param("m.deep.n, l[2].k", id="nested"),
    pytest.param("l[1], l[0]", id="list-elements"),
    pytest.param("#st", id="reserved-via-name"),
    pytest.param("nope, m.nope", id="absent"),
]


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_projection_on_scan(pair: Pair, loaded: str, projection: str) -> None:
    names = {"ExpressionAttributeNames": {"#st": "status"}} if "#st" in projection else {}
    pair.scan_all(TableName=loaded, ProjectionExpression=projection, **names)


@pytest.mark.parametrize(
    ("projection", "names"),
    [
        pytest.param("status", None, id="reserved-word"),
        pytest.param("s, s", None, id="duplicate"),
        pytest.param("m, m.k", None, id="overlap"),
        pytest.param("#n", None, id="undefined-name"),
        pytest.param("s", {"#unused": "n"}, id="unused-name"),
        pytest.param("s,", None, id="trailing-comma"),
        pytest.param("l[]", None, id="empty-index"),
    ],
)
def test_invalid_projection(
    pair: Pair, loaded: str, projection: str, names: dict[str, str] | None
) -> None:
    extra = {"ExpressionAttributeNames": names} if names else {}
    pair.error(
        "ValidationException",
        "get_item",
        TableName=loaded,
        Key={"pk": {"S": "a"}},
        ProjectionExpression=projection,
        **extra,
    )
