"""Type checks, null defaults and ``util.matches``.

``util.matches`` is in the APPSYNC_JS "Built-in utilities" page (section "Type and pattern
matching utils"): https://docs.aws.amazon.com/appsync/latest/devguide/built-in-util-js.html

The rest (``isNull`` … ``defaultIfNullOrBlank``, ``isString`` … ``isMap``, ``typeOf``) are the
VTL runtime's "Utility helpers in $util" (sections "Validation utils" and "Type and pattern
matching utils"): https://docs.aws.amazon.com/appsync/latest/devguide/utility-helpers-in-util.html
APPSYNC_JS leaves them to the JavaScript language; Python resolver code gets them here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, TypeVar

__all__ = [
    "TypeName",
    "default_if_null",
    "default_if_null_or_blank",
    "default_if_null_or_empty",
    "is_boolean",
    "is_list",
    "is_map",
    "is_null",
    "is_null_or_blank",
    "is_null_or_empty",
    "is_number",
    "is_string",
    "matches",
    "type_of",
]

T = TypeVar("T")
TypeName = Literal["Null", "Number", "String", "Map", "List", "Boolean", "Object"]


def matches(pattern: str, text: str) -> bool:
    """``util.matches(pattern, text)``: does the regular expression match *all* of ``text``?

    AppSync bases this on ``java.util.regex.Pattern``, whose ``matches`` is a full match, so
    ``matches("a*b", "aaaaab")`` is true and ``matches("a", "ab")`` is false. The pattern is
    compiled by Python's ``re``, which agrees with Java on the common syntax (classes, groups,
    quantifiers incl. possessive ones, look-around, ``\\d \\w \\s \\b``); Java-only constructs
    such as ``\\p{Alpha}`` or ``(?<name>…)`` are not translated. An invalid pattern raises
    ``ValueError``.
    """
    try:
        return re.fullmatch(pattern, text) is not None
    except re.error as exc:
        raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None


def is_null(value: Any) -> bool:
    """``$util.isNull``."""
    return value is None


def is_null_or_empty(value: Any) -> bool:
    """``$util.isNullOrEmpty``: ``None`` or ``""`` (AppSync defines it for strings only)."""
    return value is None or value == ""


def is_null_or_blank(value: Any) -> bool:
    """``$util.isNullOrBlank``: ``None`` or a string of only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def default_if_null(value: T | None, default: T) -> T:
    """``$util.defaultIfNull``."""
    return default if value is None else value


def default_if_null_or_empty(value: str | None, default: str) -> str:
    """``$util.defaultIfNullOrEmpty``."""
    return default if value is None or value == "" else value


def default_if_null_or_blank(value: str | None, default: str) -> str:
    """``$util.defaultIfNullOrBlank``."""
    return default if value is None or not value.strip() else value


def is_string(value: Any) -> bool:
    """``$util.isString``."""
    return isinstance(value, str)


def is_number(value: Any) -> bool:
    """``$util.isNumber``: ``int``, ``float`` or ``Decimal`` (``bool`` is not a number)."""
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def is_boolean(value: Any) -> bool:
    """``$util.isBoolean``."""
    return isinstance(value, bool)


def is_list(value: Any) -> bool:
    """``$util.isList``: a ``list`` or ``tuple``."""
    return isinstance(value, list | tuple)


def is_map(value: Any) -> bool:
    """``$util.isMap``: any ``Mapping`` (``dict`` included)."""
    return isinstance(value, Mapping)


def type_of(value: Any) -> TypeName:
    """``$util.typeOf``: ``"Null"``, ``"Number"``, ``"String"``, ``"Map"``, ``"List"``,
    ``"Boolean"``, or ``"Object"`` for anything else."""
    if value is None:
        return "Null"
    if is_boolean(value):
        return "Boolean"
    if is_number(value):
        return "Number"
    if is_string(value):
        return "String"
    if is_map(value):
        return "Map"
    if is_list(value):
        return "List"
    return "Object"
