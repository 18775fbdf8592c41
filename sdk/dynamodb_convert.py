"""``util.dynamodb``: Python values to and from DynamoDB attribute values.

AppSync developer guide, "DynamoDB helpers in util.dynamodb" (APPSYNC_JS):
https://docs.aws.amazon.com/appsync/latest/devguide/dynamodb-helpers-in-util-dynamodb-js.html

An attribute value is DynamoDB's typed JSON: ``{"S": "foo"}``, ``{"N": "12"}``,
``{"BOOL": True}``, ``{"NULL": True}``, ``{"L": [...]}``, ``{"M": {...}}``, ``{"SS": [...]}``,
``{"NS": [...]}``, ``{"B": "<base64>"}``, ``{"BS": [...]}``.

Choices, where AppSync's page leaves room:

- ``N`` is always a string, as on DynamoDB's wire (AppSync's examples print ``{"N": 12345}``).
  ``int`` and ``Decimal`` keep every digit; a ``float`` uses Python's shortest round-trip
  ``repr``. NaN and infinities raise ``ValueError``: DynamoDB cannot store them.
- ``to_dynamodb`` never makes a set: lists become ``L``, as AppSync documents. Python ``set``s
  raise ``TypeError`` — say ``to_string_set``/``to_number_set`` or pass a list. Set helpers drop
  duplicates (DynamoDB rejects them) and refuse an empty set (DynamoDB does too).
- ``bytes`` become ``B`` (base64 text); ``to_binary`` takes bytes or base64 text.
- Reading back (``from_dynamodb``, a Syncline addition): ``N`` becomes an ``int`` when it is
  written as an integer, else a ``float``, as JSON would; sets become lists; ``B`` stays base64
  text. Anything that is not an attribute value raises ``ValueError``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = [
    "AttributeValue",
    "from_dynamodb",
    "from_map_values",
    "from_s3_object_json",
    "to_binary",
    "to_binary_set",
    "to_boolean",
    "to_dynamodb",
    "to_list",
    "to_map",
    "to_map_values",
    "to_null",
    "to_number",
    "to_number_set",
    "to_s3_object",
    "to_string",
    "to_string_set",
]

AttributeValue = dict[str, Any]
Number = int | float | Decimal
_INTEGER = re.compile(r"[+-]?\d+")


def to_dynamodb(value: Any) -> AttributeValue:
    """``util.dynamodb.toDynamoDB``: any JSON-like value, converted recursively."""
    if value is None:
        return to_null()
    if isinstance(value, bool):
        return to_boolean(value)
    if isinstance(value, int | float | Decimal):
        return to_number(value)
    if isinstance(value, str):
        return to_string(value)
    if isinstance(value, bytes | bytearray):
        return to_binary(bytes(value))
    if isinstance(value, Mapping):
        return to_map(value)
    if isinstance(value, list | tuple):
        return to_list(value)
    if isinstance(value, set | frozenset):
        raise TypeError("to_dynamodb makes lists, not sets: use to_string_set/to_number_set")
    raise TypeError(f"cannot convert {type(value).__name__} to a DynamoDB attribute value")


def to_string(value: str) -> AttributeValue:
    """``util.dynamodb.toString``: ``{"S": value}``."""
    return {"S": _check(value, str, "to_string")}


def to_string_set(values: Iterable[str]) -> AttributeValue:
    """``util.dynamodb.toStringSet``: ``{"SS": [...]}``."""
    return {"SS": _set_members([_check(v, str, "to_string_set") for v in values])}


def to_number(value: Number) -> AttributeValue:
    """``util.dynamodb.toNumber``: ``{"N": "<digits>"}``."""
    return {"N": _number_text(value)}


def to_number_set(values: Iterable[Number]) -> AttributeValue:
    """``util.dynamodb.toNumberSet``: ``{"NS": ["<digits>", ...]}``."""
    return {"NS": _set_members([_number_text(v) for v in values])}


def to_binary(value: str | bytes) -> AttributeValue:
    """``util.dynamodb.toBinary``: ``{"B": "<base64>"}`` from bytes or base64 text."""
    return {"B": _base64_text(value)}


def to_binary_set(values: Iterable[str | bytes]) -> AttributeValue:
    """``util.dynamodb.toBinarySet``: ``{"BS": ["<base64>", ...]}``."""
    return {"BS": _set_members([_base64_text(v) for v in values])}


def to_boolean(value: bool) -> AttributeValue:
    """``util.dynamodb.toBoolean``: ``{"BOOL": value}``."""
    return {"BOOL": _check(value, bool, "to_boolean")}


def to_null() -> AttributeValue:
    """``util.dynamodb.toNull``: ``{"NULL": True}``."""
    return {"NULL": True}


def to_list(values: Sequence[Any]) -> AttributeValue:
    """``util.dynamodb.toList``: ``{"L": [...]}``, each element converted."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise TypeError(f"to_list takes a list, got {type(values).__name__}")
    return {"L": [to_dynamodb(v) for v in values]}


def to_map(values: Mapping[str, Any]) -> AttributeValue:
    """``util.dynamodb.toMap``: ``{"M": {...}}``, each value converted."""
    return {"M": to_map_values(values)}


def to_map_values(values: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """``util.dynamodb.toMapValues``: each value converted, without the ``M`` wrapper — the
    shape of a request's ``key`` and ``attributeValues``."""
    if not isinstance(values, Mapping):
        raise TypeError(f"expected a mapping, got {type(values).__name__}")
    return {_check(k, str, "map keys"): to_dynamodb(v) for k, v in values.items()}


def to_s3_object(key: str, bucket: str, region: str, version: str | None = None) -> AttributeValue:
    """``util.dynamodb.toS3Object``: an S3 object reference stored as a JSON string,
    ``{"S": '{"s3":{"key":…,"bucket":…,"region":…}}'}`` (plus ``"version"`` when given)."""
    s3 = {"key": key, "bucket": bucket, "region": region}
    if version is not None:
        s3["version"] = version
    return {"S": json.dumps({"s3": s3}, separators=(",", ":"))}


def from_s3_object_json(value: str) -> dict[str, str]:
    """``util.dynamodb.fromS3ObjectJson``: ``{key, bucket, region[, version]}`` from the JSON
    string that ``to_s3_object`` stores."""
    try:
        s3 = json.loads(value)["s3"]
        fields = {name: s3[name] for name in ("key", "bucket", "region")}
    except (TypeError, ValueError, KeyError):
        raise ValueError(f"not an S3 object JSON string: {value!r}") from None
    if "version" in s3:
        fields["version"] = s3["version"]
    return fields


def from_dynamodb(value: Mapping[str, Any]) -> Any:
    """The Python value of an attribute value (the reverse of ``to_dynamodb``)."""
    if not isinstance(value, Mapping) or len(value) != 1:
        raise ValueError(f"not a DynamoDB attribute value: {value!r}")
    ((kind, inner),) = value.items()
    match kind:
        case "S" | "B" if isinstance(inner, str):
            return inner
        case "N":
            return _parse_number(inner)
        case "BOOL" if isinstance(inner, bool):
            return inner
        case "NULL":
            return None
        case "L" if isinstance(inner, list):
            return [from_dynamodb(v) for v in inner]
        case "M" if isinstance(inner, Mapping):
            return from_map_values(inner)
        case "SS" | "BS" if isinstance(inner, list) and all(isinstance(v, str) for v in inner):
            return list(inner)
        case "NS" if isinstance(inner, list):
            return [_parse_number(v) for v in inner]
    raise ValueError(f"not a DynamoDB attribute value: {value!r}")


def from_map_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The reverse of ``to_map_values``: an item's attribute values as plain Python values."""
    return {k: from_dynamodb(v) for k, v in values.items()}


def _check(value: Any, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise TypeError(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _number_text(value: Number) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"DynamoDB cannot store the number {value}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"DynamoDB cannot store the number {value}")
    return repr(value) if isinstance(value, float) else str(value)


def _parse_number(text: Any) -> int | float:
    if isinstance(text, int | float) and not isinstance(text, bool):
        return text
    if isinstance(text, str):
        if _INTEGER.fullmatch(text):
            return int(text)
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(number):
                return number
    raise ValueError(f"not a DynamoDB number: {text!r}")


def _base64_text(value: str | bytes) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    try:
        base64.b64decode(_check(value, str, "to_binary"), validate=True)
    except binascii.Error:
        raise ValueError(f"to_binary takes bytes or base64 text, got {value!r}") from None
    return value


def _set_members(members: list[str]) -> list[str]:
    if not members:
        raise ValueError("a DynamoDB set cannot be empty")
    return list(dict.fromkeys(members))
