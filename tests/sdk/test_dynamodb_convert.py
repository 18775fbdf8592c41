import json
from decimal import Decimal
from typing import Any

import pytest

from sdk import dynamodb_convert as ddb


class _Thing:
    pass


def _untyped(value: Any) -> Any:
    """Resolver code is untyped: these tests pass what a type checker would refuse."""
    return value


@pytest.mark.parametrize(
    ("value", "attribute_value"),
    [
        pytest.param("foo", {"S": "foo"}, id="string"),
        pytest.param(12345, {"N": "12345"}, id="int"),
        pytest.param(-2.5, {"N": "-2.5"}, id="float"),
        pytest.param(0.1, {"N": "0.1"}, id="float-shortest-repr"),
        pytest.param(
            Decimal("3.14159265358979323846264338327950288"),
            {"N": "3.14159265358979323846264338327950288"},
            id="decimal-38-digits",
        ),
        pytest.param(2**70, {"N": "1180591620717411303424"}, id="big-int"),
        pytest.param(True, {"BOOL": True}, id="bool-is-not-a-number"),
        pytest.param(None, {"NULL": True}, id="null"),
        pytest.param(b"\x00\xff", {"B": "AP8="}, id="bytes"),
        pytest.param(
            ["foo", 123, {"bar": "baz"}],
            {"L": [{"S": "foo"}, {"N": "123"}, {"M": {"bar": {"S": "baz"}}}]},
            id="appsync-list-example",
        ),
        pytest.param(
            {"foo": "bar", "baz": 1234, "beep": ["boop"]},
            {"M": {"foo": {"S": "bar"}, "baz": {"N": "1234"}, "beep": {"L": [{"S": "boop"}]}}},
            id="appsync-map-example",
        ),
        pytest.param(("a",), {"L": [{"S": "a"}]}, id="tuple"),
        pytest.param([], {"L": []}, id="empty-list"),
    ],
)
def test_to_dynamodb(value, attribute_value):
    assert ddb.to_dynamodb(value) == attribute_value


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        pytest.param({"a", "b"}, TypeError, "to_string_set", id="set"),
        pytest.param(_Thing(), TypeError, "cannot convert _Thing", id="object"),
        pytest.param({1: "x"}, TypeError, "map keys: expected str, got int", id="non-str-key"),
        pytest.param(float("nan"), ValueError, "cannot store the number nan", id="nan"),
        pytest.param(float("inf"), ValueError, "cannot store", id="inf"),
        pytest.param(Decimal("Infinity"), ValueError, "cannot store", id="decimal-inf"),
    ],
)
def test_to_dynamodb_rejects(value, error, message):
    with pytest.raises(error, match=message):
        ddb.to_dynamodb(value)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(lambda: ddb.to_string("foo"), {"S": "foo"}, id="to_string"),
        pytest.param(lambda: ddb.to_number(12345), {"N": "12345"}, id="to_number"),
        pytest.param(lambda: ddb.to_boolean(False), {"BOOL": False}, id="to_boolean"),
        pytest.param(ddb.to_null, {"NULL": True}, id="to_null"),
        pytest.param(lambda: ddb.to_list([1, "a"]), {"L": [{"N": "1"}, {"S": "a"}]}, id="to_list"),
        pytest.param(lambda: ddb.to_map({"a": None}), {"M": {"a": {"NULL": True}}}, id="to_map"),
        pytest.param(
            lambda: ddb.to_map_values({"id": "1", "qty": 2}),
            {"id": {"S": "1"}, "qty": {"N": "2"}},
            id="to_map_values",
        ),
        pytest.param(
            lambda: ddb.to_string_set(["foo", "bar", "foo"]),
            {"SS": ["foo", "bar"]},
            id="to_string_set-dedupes",
        ),
        pytest.param(
            lambda: ddb.to_number_set([1, 2.5, Decimal("3"), 1]),
            {"NS": ["1", "2.5", "3"]},
            id="to_number_set",
        ),
        pytest.param(lambda: ddb.to_binary("Zm9v"), {"B": "Zm9v"}, id="to_binary-base64"),
        pytest.param(lambda: ddb.to_binary(b"foo"), {"B": "Zm9v"}, id="to_binary-bytes"),
        pytest.param(
            lambda: ddb.to_binary_set(["Zm9v", b"bar"]),
            {"BS": ["Zm9v", "YmFy"]},
            id="to_binary_set",
        ),
    ],
)
def test_explicit_helpers(call, expected):
    assert call() == expected


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda: ddb.to_string(_untyped(1)), TypeError, "to_string: expected str", id="to_string"
        ),
        pytest.param(
            lambda: ddb.to_number(_untyped("1")), TypeError, "expected a number", id="to_number"
        ),
        pytest.param(lambda: ddb.to_number(True), TypeError, "got bool", id="to_number-bool"),
        pytest.param(
            lambda: ddb.to_boolean(_untyped(1)),
            TypeError,
            "to_boolean: expected bool",
            id="to_boolean",
        ),
        pytest.param(lambda: ddb.to_list("abc"), TypeError, "to_list takes a list", id="to_list"),
        pytest.param(
            lambda: ddb.to_map_values(_untyped([1])), TypeError, "expected a mapping", id="map"
        ),
        pytest.param(lambda: ddb.to_string_set([]), ValueError, "cannot be empty", id="empty-set"),
        pytest.param(
            lambda: ddb.to_string_set(_untyped(["a", 1])),
            TypeError,
            "to_string_set: expected str",
            id="mixed-set",
        ),
        pytest.param(lambda: ddb.to_binary("not base64!"), ValueError, "base64", id="to_binary"),
    ],
)
def test_explicit_helpers_reject_wrong_types(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("version", "s3"),
    [
        pytest.param(None, {"key": "foo", "bucket": "bar", "region": "baz"}, id="no-version"),
        pytest.param(
            "v1", {"key": "foo", "bucket": "bar", "region": "baz", "version": "v1"}, id="version"
        ),
    ],
)
def test_s3_object_round_trip(version, s3):
    attribute_value = ddb.to_s3_object("foo", "bar", "baz", version)
    assert list(attribute_value) == ["S"]
    assert json.loads(attribute_value["S"]) == {"s3": s3}
    assert ddb.from_s3_object_json(attribute_value["S"]) == s3


def test_s3_object_json_is_compact_and_ordered():
    assert ddb.to_s3_object("k", "b", "r") == {"S": '{"s3":{"key":"k","bucket":"b","region":"r"}}'}


@pytest.mark.parametrize(
    "text", ["not json", '{"s3": {"key": "k"}}', '{"other": {}}', "[]", "null"]
)
def test_from_s3_object_json_rejects(text):
    with pytest.raises(ValueError, match="not an S3 object JSON string"):
        ddb.from_s3_object_json(text)


@pytest.mark.parametrize(
    ("attribute_value", "value"),
    [
        pytest.param({"S": "foo"}, "foo", id="S"),
        pytest.param({"N": "12"}, 12, id="N-int"),
        pytest.param({"N": "-12"}, -12, id="N-negative"),
        pytest.param({"N": "1.5"}, 1.5, id="N-float"),
        pytest.param({"N": "1E+2"}, 100.0, id="N-exponent"),
        pytest.param({"N": 12345}, 12345, id="N-as-number-like-appsync-docs"),
        pytest.param({"BOOL": False}, False, id="BOOL"),
        pytest.param({"NULL": True}, None, id="NULL"),
        pytest.param({"B": "Zm9v"}, "Zm9v", id="B"),
        pytest.param({"SS": ["a", "b"]}, ["a", "b"], id="SS"),
        pytest.param({"NS": ["1", "2.5"]}, [1, 2.5], id="NS"),
        pytest.param({"BS": ["Zm9v"]}, ["Zm9v"], id="BS"),
        pytest.param(
            {"M": {"items": {"L": [{"M": {"sku": {"S": "A"}, "qty": {"N": "2"}}}]}}},
            {"items": [{"sku": "A", "qty": 2}]},
            id="nested",
        ),
    ],
)
def test_from_dynamodb(attribute_value, value):
    assert ddb.from_dynamodb(attribute_value) == value
    assert type(ddb.from_dynamodb(attribute_value)) is type(value)


@pytest.mark.parametrize(
    "attribute_value",
    [
        pytest.param({}, id="empty"),
        pytest.param({"S": "a", "N": "1"}, id="two-types"),
        pytest.param({"X": 1}, id="unknown-type"),
        pytest.param({"S": 1}, id="S-not-str"),
        pytest.param({"N": "twelve"}, id="N-not-number"),
        pytest.param({"N": "NaN"}, id="N-nan"),
        pytest.param({"N": True}, id="N-bool"),
        pytest.param({"BOOL": "true"}, id="BOOL-not-bool"),
        pytest.param({"L": {}}, id="L-not-list"),
        pytest.param({"SS": [1]}, id="SS-not-strings"),
        pytest.param("S", id="not-a-mapping"),
    ],
)
def test_from_dynamodb_rejects(attribute_value):
    with pytest.raises(ValueError, match="not a DynamoDB"):
        ddb.from_dynamodb(attribute_value)


def test_map_values_round_trip():
    item = {"id": "o-1", "total": 12.5, "count": 3, "paid": True, "note": None, "tags": ["x"]}
    assert ddb.from_map_values(ddb.to_map_values(item)) == item
