"""The expression tokenizer, parser and evaluator, case by case."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from resolvers.dynamodb.errors import ValidationError
from resolvers.dynamodb.expressions import (
    ExpressionKind,
    Placeholders,
    apply_update,
    evaluate,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project,
)
from tests.resolvers.dynamodb.support import n, s

ITEM: dict[str, Any] = {
    "name": s("Widget"),
    "price": n("12.5"),
    "count": n(3),
    "tags": {"SS": ["a", "b"]},
    "nums": {"NS": ["1", "2"]},
    "things": {"L": [s("x"), n(1), {"M": {"k": s("v")}}]},
    "doc": {"M": {"nested": {"M": {"deep": n(7)}}, "flag": {"BOOL": True}}},
    "nothing": {"NULL": True},
    "bin": {"B": base64.b64encode(b"abcdef").decode()},
}

NAMES = {"#n": "name", "#c": "count", "#s": "status"}


def placeholders(names: dict[str, str] | None, values: dict[str, Any] | None) -> Placeholders:
    result = Placeholders()
    result.add(names, values, "test")
    return result


def condition(expression: str, values: dict[str, Any] | None = None) -> Any:
    used = {k: v for k, v in NAMES.items() if k in expression}
    return parse_condition(expression, placeholders(used or None, values), ExpressionKind.CONDITION)


@pytest.mark.parametrize(
    ("expression", "values", "expected"),
    [
        pytest.param("price = :p", {":p": n("12.50")}, True, id="numbers-equal-by-value"),
        pytest.param("price > :p", {":p": n(9)}, True, id="numbers-compare-numerically"),
        pytest.param("#n < :v", {":v": s("Zebra")}, True, id="strings-compare-by-bytes"),
        pytest.param("price < :v", {":v": s("99")}, False, id="different-types-never-order"),
        pytest.param("price <> :v", {":v": s("12.5")}, True, id="different-types-not-equal"),
        pytest.param("absent = :v", {":v": n(1)}, False, id="absent-never-equal"),
        pytest.param("absent <> :v", {":v": n(1)}, True, id="absent-not-equal"),
        pytest.param("absent < :v", {":v": n(1)}, False, id="absent-never-orders"),
        pytest.param(
            "#c BETWEEN :a AND :b", {":a": n(1), ":b": n(3)}, True, id="between-inclusive"
        ),
        pytest.param("#c BETWEEN :a AND :b", {":a": n(4), ":b": n(9)}, False, id="between-outside"),
        pytest.param("#c IN (:a, :b)", {":a": n(9), ":b": n("3.0")}, True, id="in"),
        pytest.param("#n IN (:a)", {":a": s("widget")}, False, id="in-is-case-sensitive"),
        pytest.param("attribute_exists(doc.nested.deep)", None, True, id="exists-nested"),
        pytest.param("attribute_exists(things[2].k)", None, True, id="exists-things-element"),
        pytest.param("attribute_exists(things[3])", None, False, id="exists-past-things-end"),
        pytest.param("attribute_not_exists(absent)", None, True, id="not-exists"),
        pytest.param("attribute_exists(nothing)", None, True, id="null-exists"),
        pytest.param("attribute_type(nums, :t)", {":t": s("NS")}, True, id="type-number-set"),
        pytest.param("attribute_type(doc, :t)", {":t": s("L")}, False, id="type-mismatch"),
        pytest.param("begins_with(#n, :p)", {":p": s("Wid")}, True, id="begins-with"),
        pytest.param("begins_with(#n, :p)", {":p": s("wid")}, False, id="begins-with-case"),
        pytest.param(
            "begins_with(bin, :p)",
            {":p": {"B": base64.b64encode(b"abc").decode()}},
            True,
            id="begins-with-binary",
        ),
        pytest.param("contains(tags, :t)", {":t": s("a")}, True, id="contains-set-member"),
        pytest.param("contains(nums, :t)", {":t": n("2.0")}, True, id="contains-number-set"),
        pytest.param("contains(#n, :t)", {":t": s("dge")}, True, id="contains-substring"),
        pytest.param("contains(things, :t)", {":t": s("x")}, True, id="contains-things-element"),
        pytest.param("contains(price, :t)", {":t": s("1")}, False, id="contains-on-number"),
        pytest.param("size(tags) = :v", {":v": n(2)}, True, id="size-of-set"),
        pytest.param("size(#n) > :v", {":v": n(5)}, True, id="size-of-string"),
        pytest.param("size(bin) = :v", {":v": n(6)}, True, id="size-of-binary"),
        pytest.param("size(doc) = :v", {":v": n(2)}, True, id="size-of-doc"),
        pytest.param("size(absent) >= :v", {":v": n(0)}, False, id="size-of-absent"),
        pytest.param("things[2].k = :v", {":v": s("v")}, True, id="document-path"),
        pytest.param("doc.flag = :v", {":v": {"BOOL": True}}, True, id="boolean-equal"),
        pytest.param("tags = :v", {":v": {"SS": ["b", "a"]}}, True, id="sets-equal-unordered"),
        pytest.param(
            "NOT (price < :p) AND (#c = :c OR absent = :c)",
            {":p": n(10), ":c": n(3)},
            True,
            id="not-and-or-parentheses",
        ),
        pytest.param(
            "#c = :no OR #c = :c AND price = :no",
            {":no": n(0), ":c": n(3)},
            False,
            id="and-binds-tighter-than-or",
        ),
        pytest.param(
            "price > :p and #c = :c", {":p": n(1), ":c": n(3)}, True, id="keywords-any-case"
        ),
        pytest.param("price > #c", None, True, id="path-against-path"),
    ],
)
def test_condition_evaluation(
    expression: str, values: dict[str, Any] | None, expected: bool
) -> None:
    assert evaluate(condition(expression, values), ITEM) is expected


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        pytest.param("price = ", {":p": n(1)}, 'token: "<EOF>"', id="absent-operand"),
        pytest.param(
            "price == :p",
            {":p": n(1)},
            'token: "=", near: "price == :p" (at character 8)',
            id="double-equals",
        ),
        pytest.param("price = :p)", {":p": n(1)}, 'token: ")"', id="unbalanced-parenthesis"),
        pytest.param("price = :p $", {":p": n(1)}, 'token: "$"', id="unknown-character"),
        pytest.param("size(tags)", None, 'token: "<EOF>"', id="size-is-not-a-condition"),
        pytest.param("price = :p AND", {":p": n(1)}, 'token: "<EOF>"', id="dangling-and"),
        pytest.param("status = :p", {":p": n(1)}, "reserved keyword: status", id="reserved-word"),
        pytest.param("#x = :p", {":p": n(1)}, "attribute name: #x", id="undefined-name"),
        pytest.param("price = :q", None, "attribute value: :q", id="undefined-value"),
        pytest.param(
            "foo(price)", None, "Invalid function name; function: foo", id="unknown-function"
        ),
        pytest.param(
            "price BETWEEN :hi AND :lo",
            {":hi": n(9), ":lo": n(1)},
            "BETWEEN operator requires upper bound",
            id="between-bounds-reversed",
        ),
        pytest.param(
            "begins_with(price, :p)",
            {":p": n(1)},
            "operator or function: begins_with",
            id="begins-with-number",
        ),
        pytest.param(
            "price < :m", {":m": {"M": {}}}, "operator: <, operand type: M", id="order-a-doc"
        ),
        pytest.param(
            "attribute_type(price, :t)",
            {":t": s("STRING")},
            "Invalid attribute type name",
            id="bad-type-name",
        ),
        pytest.param("", None, "The expression can not be empty", id="empty"),
    ],
)
def test_condition_errors(expression: str, values: dict[str, Any] | None, message: str) -> None:
    with pytest.raises(ValidationError, match="Invalid ConditionExpression") as raised:
        condition(expression, values)
    assert message in raised.value.message
    assert raised.value.error_type == "DynamoDB:ValidationException"


def test_unused_placeholders_are_rejected() -> None:
    used = placeholders({"#n": "name", "#unused": "x"}, {":v": s("a"), ":extra": s("b")})
    parse_condition("#n = :v", used, ExpressionKind.FILTER)
    with pytest.raises(ValidationError, match=r"ExpressionAttributeNames unused .*#unused"):
        used.check_all_used()
    used.used_names.add("#unused")
    with pytest.raises(ValidationError, match=r"ExpressionAttributeValues unused .*:extra"):
        used.check_all_used()


BEFORE: dict[str, Any] = {
    "id": s("1"),
    "count": n(3),
    "tags": {"SS": ["a", "b"]},
    "things": {"L": [s("x"), s("y")]},
    "doc": {"M": {"nested": {"M": {}}}},
    "label": s("hi"),
}


@pytest.mark.parametrize(
    ("expression", "values", "changed"),
    [
        pytest.param("SET fresh = :v", {":v": s("new")}, {"fresh": s("new")}, id="set-new"),
        pytest.param("SET #c = #c + :one", {":one": n(1)}, {"count": n(4)}, id="increment"),
        pytest.param("SET #c = #c - :d", {":d": n("0.5")}, {"count": n("2.5")}, id="decrement"),
        pytest.param(
            "SET x = if_not_exists(x, :z), #c = if_not_exists(#c, :z)",
            {":z": n(0)},
            {"x": n(0)},
            id="if-not-exists",
        ),
        pytest.param(
            "SET things = list_append(things, :more)",
            {":more": {"L": [s("z")]}},
            {"things": {"L": [s("x"), s("y"), s("z")]}},
            id="things-append",
        ),
        pytest.param(
            "SET things = list_append(:more, things)",
            {":more": {"L": [s("w")]}},
            {"things": {"L": [s("w"), s("x"), s("y")]}},
            id="things-prepend",
        ),
        pytest.param(
            "SET doc.nested.deep = :v",
            {":v": n(7)},
            {"doc": {"M": {"nested": {"M": {"deep": n(7)}}}}},
            id="set-nested",
        ),
        pytest.param(
            "SET things[9] = :v",
            {":v": s("end")},
            {"things": {"L": [s("x"), s("y"), s("end")]}},
            id="set-past-end-appends",
        ),
        pytest.param(
            "REMOVE label, things[0]", None, {"label": None, "things": {"L": [s("y")]}}, id="remove"
        ),
        pytest.param(
            "REMOVE things[0], things[1]",
            None,
            {"things": {"L": []}},
            id="remove-by-original-index",
        ),
        pytest.param("REMOVE absent", None, {}, id="remove-absent-is-a-no-op"),
        pytest.param(
            "ADD tags :t, tally :one",
            {":t": {"SS": ["b", "c"]}, ":one": n(1)},
            {"tags": {"SS": ["a", "b", "c"]}, "tally": n(1)},
            id="add-to-set-and-absent-number",
        ),
        pytest.param(
            "DELETE tags :t", {":t": {"SS": ["a"]}}, {"tags": {"SS": ["b"]}}, id="delete-from-set"
        ),
        pytest.param(
            "DELETE tags :t", {":t": {"SS": ["a", "b"]}}, {"tags": None}, id="delete-empties-set"
        ),
        pytest.param(
            "SET a = :v REMOVE label ADD #c :one DELETE tags :t",
            {":v": s("A"), ":one": n(1), ":t": {"SS": ["b"]}},
            {"a": s("A"), "label": None, "count": n(4), "tags": {"SS": ["a"]}},
            id="all-four-sections",
        ),
        pytest.param(
            "set label = #c, #c = label",
            None,
            {"label": n(3), "count": s("hi")},
            id="operands-read-the-old-item",
        ),
    ],
)
def test_update_application(
    expression: str, values: dict[str, Any] | None, changed: dict[str, Any]
) -> None:
    names = {"#c": "count"} if "#c" in expression else None
    update = parse_update(expression, placeholders(names, values))
    expected = {**BEFORE, **changed}
    assert apply_update(update, BEFORE) == {k: v for k, v in expected.items() if v is not None}


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        pytest.param(
            "SET a = :v SET b = :v",
            {":v": n(1)},
            'The "SET" section can only be used once',
            id="section-twice",
        ),
        pytest.param(
            "SET a = :v, a = :v", {":v": n(1)}, "Two document paths conflict", id="same-path-twice"
        ),
        pytest.param(
            "SET a = :v REMOVE a.b",
            {":v": n(1)},
            "Two document paths overlap",
            id="overlapping-paths",
        ),
        pytest.param("SET a :v", {":v": n(1)}, 'token: ":v"', id="absent-equals"),
        pytest.param("UPSERT a = :v", {":v": n(1)}, 'token: "UPSERT"', id="unknown-section"),
        pytest.param(
            "ADD a :v", {":v": s("x")}, "operator: ADD, operand type: S", id="add-a-string"
        ),
        pytest.param(
            "DELETE a :v", {":v": n(1)}, "operator: DELETE, operand type: N", id="delete-a-number"
        ),
        pytest.param("SET a = size(b)", None, "function: size", id="size-in-update"),
    ],
)
def test_update_parse_errors(expression: str, values: dict[str, Any] | None, message: str) -> None:
    with pytest.raises(ValidationError, match="Invalid UpdateExpression") as raised:
        parse_update(expression, placeholders(None, values))
    assert message in raised.value.message


@pytest.mark.parametrize(
    ("expression", "values", "message"),
    [
        pytest.param(
            "SET absent.x = :v",
            {":v": n(1)},
            "document path provided in the update expression is invalid",
            id="parent-absent",
        ),
        pytest.param(
            "SET label[0] = :v",
            {":v": n(1)},
            "document path provided in the update expression is invalid",
            id="index-into-string",
        ),
        pytest.param(
            "SET a = absent + :v",
            {":v": n(1)},
            "refers to an attribute that does not exist",
            id="absent-operand",
        ),
        pytest.param("SET a = label + :v", {":v": n(1)}, "incorrect data type", id="add-to-string"),
        pytest.param(
            "SET a = list_append(label, :v)",
            {":v": {"L": []}},
            "function: list_append, operand type: S",
            id="append-to-string",
        ),
        pytest.param(
            "ADD label :v", {":v": n(1)}, "incorrect data type", id="add-number-to-string"
        ),
        pytest.param("SET a = :v + :v", {":v": n("9e125")}, "Number overflow", id="overflow"),
        pytest.param(
            "SET #c = #c + :v",
            {":v": n("0.00000000000000000000000000000000000001")},
            "38 significant digits",
            id="precision",
        ),
    ],
)
def test_update_application_errors(
    expression: str, values: dict[str, Any] | None, message: str
) -> None:
    names = {"#c": "count"} if "#c" in expression else None
    update = parse_update(expression, placeholders(names, values))
    with pytest.raises(ValidationError) as raised:
        apply_update(update, BEFORE)
    assert message in raised.value.message


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("pk = :a", ("pk", None), id="partition-only"),
        pytest.param("pk = :a AND sk < :b", ("pk", "<"), id="less-than"),
        pytest.param(":b >= sk AND pk = :a", ("pk", "<="), id="value-first-is-flipped"),
        pytest.param("pk = :a AND sk BETWEEN :a AND :b", ("pk", "BETWEEN"), id="between"),
        pytest.param("begins_with(sk, :a) AND pk = :a", ("pk", "begins_with"), id="begins-with"),
        pytest.param("(pk = :a) AND (sk = :b)", ("pk", "="), id="parenthesized"),
    ],
)
def test_key_conditions(expression: str, expected: tuple[str, str | None]) -> None:
    parsed = parse_key_condition(
        expression, placeholders(None, {":a": s("a"), ":b": s("b")}), "pk", "sk"
    )
    assert (parsed.partition_name, parsed.sort.op if parsed.sort else None) == expected
    assert parsed.partition_value == s("a")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        pytest.param(
            "pk = :a OR sk = :b", "Invalid operator used in KeyConditionExpression: OR", id="or"
        ),
        pytest.param("sk = :b", "Query condition missed key schema element: pk", id="no-partition"),
        pytest.param(
            "pk = :a AND extra = :b", "Query key condition not supported", id="non-key-attribute"
        ),
        pytest.param("pk > :a", "Query key condition not supported", id="partition-range"),
        pytest.param(
            "pk = :a AND sk <> :b",
            "Invalid operator used in KeyConditionExpression: <>",
            id="not-equal",
        ),
        pytest.param(
            "pk = :a AND contains(sk, :b)",
            "Invalid operator used in KeyConditionExpression",
            id="contains",
        ),
        pytest.param(
            "pk = :a AND begins_with(sk, :n)",
            "operator or function: begins_with, operand type: N",
            id="begins-with-number",
        ),
        pytest.param(
            "pk = :a AND sk = :b AND sk = :b",
            "Invalid operator used in KeyConditionExpression: AND",
            id="three-parts",
        ),
    ],
)
def test_key_condition_errors(expression: str, message: str) -> None:
    values = {":a": s("a"), ":b": s("b"), ":n": n(1)}
    used = placeholders(None, {k: v for k, v in values.items() if k in expression})
    with pytest.raises(ValidationError) as raised:
        parse_key_condition(expression, used, "pk", "sk")
    assert message in raised.value.message


def test_projection_keeps_structure_and_list_order() -> None:
    paths = parse_projection(
        "#n, doc.nested, things[2].k, things[0], absent", placeholders({"#n": "name"}, None)
    )
    assert project(ITEM, paths) == {
        "name": s("Widget"),
        "doc": {"M": {"nested": {"M": {"deep": n(7)}}}},
        "things": {"L": [s("x"), {"M": {"k": s("v")}}]},
    }


def test_projection_rejects_overlapping_paths() -> None:
    with pytest.raises(
        ValidationError, match="Invalid ProjectionExpression: Two document paths overlap"
    ):
        parse_projection("doc, doc.nested", Placeholders())
