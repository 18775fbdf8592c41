from decimal import Decimal

import pytest

from sdk import values


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        pytest.param("a*b", "aaaaab", True, id="appsync-example"),
        pytest.param("a", "ab", False, id="full-match-not-search"),
        pytest.param(r"\d{3}-\d{4}", "555-1234", True, id="digits"),
        pytest.param(r"[A-Z][a-z]+", "hello", False, id="class"),
        pytest.param(r"(?i)hello", "HeLLo", True, id="inline-flag"),
        pytest.param(r"a++b", "aab", True, id="possessive"),
        pytest.param("", "", True, id="empty"),
    ],
)
def test_matches(pattern, text, expected):
    assert values.matches(pattern, text) is expected


def test_matches_rejects_invalid_pattern():
    with pytest.raises(ValueError, match="invalid regular expression '\\('"):
        values.matches("(", "x")


@pytest.mark.parametrize(
    ("value", "null", "null_or_empty", "null_or_blank"),
    [
        pytest.param(None, True, True, True, id="none"),
        pytest.param("", False, True, True, id="empty"),
        pytest.param(" \t\n", False, False, True, id="blank"),
        pytest.param("x", False, False, False, id="text"),
        pytest.param(0, False, False, False, id="zero"),
        pytest.param([], False, False, False, id="empty-list"),
    ],
)
def test_null_checks(value, null, null_or_empty, null_or_blank):
    assert values.is_null(value) is null
    assert values.is_null_or_empty(value) is null_or_empty
    assert values.is_null_or_blank(value) is null_or_blank


@pytest.mark.parametrize(
    ("value", "if_null", "if_null_or_empty", "if_null_or_blank"),
    [
        pytest.param(None, "d", "d", "d", id="none"),
        pytest.param("", "", "d", "d", id="empty"),
        pytest.param("  ", "  ", "  ", "d", id="blank"),
        pytest.param("x", "x", "x", "x", id="text"),
    ],
)
def test_defaults(value, if_null, if_null_or_empty, if_null_or_blank):
    assert values.default_if_null(value, "d") == if_null
    assert values.default_if_null_or_empty(value, "d") == if_null_or_empty
    assert values.default_if_null_or_blank(value, "d") == if_null_or_blank


def test_default_if_null_keeps_falsy_values():
    assert values.default_if_null(0, 5) == 0
    assert values.default_if_null(False, True) is False


class _Thing:
    pass


@pytest.mark.parametrize(
    ("value", "type_name"),
    [
        pytest.param(None, "Null", id="none"),
        pytest.param(True, "Boolean", id="bool"),
        pytest.param(3, "Number", id="int"),
        pytest.param(2.5, "Number", id="float"),
        pytest.param(Decimal("1.1"), "Number", id="decimal"),
        pytest.param("s", "String", id="str"),
        pytest.param({"a": 1}, "Map", id="dict"),
        pytest.param([1], "List", id="list"),
        pytest.param((1,), "List", id="tuple"),
        pytest.param(_Thing(), "Object", id="object"),
        pytest.param({1}, "Object", id="set"),
    ],
)
def test_type_of_and_is_checks(value, type_name):
    assert values.type_of(value) == type_name
    assert values.is_string(value) is (type_name == "String")
    assert values.is_number(value) is (type_name == "Number")
    assert values.is_boolean(value) is (type_name == "Boolean")
    assert values.is_list(value) is (type_name == "List")
    assert values.is_map(value) is (type_name == "Map")
