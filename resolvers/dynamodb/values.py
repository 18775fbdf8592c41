"""DynamoDB-typed attribute values: validation, comparison, key ordering and conversion.

Requests carry DynamoDB JSON (``{"id": {"S": "1"}}``), the shape APPSYNC_JS's
``util.dynamodb.toMapValues`` produces (AppSync developer guide, "JavaScript resolver function
reference for DynamoDB — Type system (request mapping)"); ``ctx.result`` gets plain values
("Type system (response mapping)"). Everything stored is the validated, normalized typed form.

Semantics follow the DynamoDB developer guide, "Supported data types and naming rules":
numbers are decimal with 38 significant digits and magnitudes between 1E-130 and 1E+126, sets
are non-empty and duplicate-free, and sort keys order S by UTF-8 bytes, N numerically and B
bytewise.
"""

from __future__ import annotations

import base64
import binascii
import decimal
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from resolvers.dynamodb.errors import ValidationError

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

SCALAR_TYPES = frozenset({"S", "N", "B"})
SET_TYPES = {"SS": "S", "NS": "N", "BS": "B"}
TYPE_NAMES = frozenset({"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"})

MAX_ITEM_BYTES = 400 * 1024


def _exact() -> decimal.Context:
    """A context wide enough that any sum of two DynamoDB numbers (at most ~260 digits) is exact.

    A new one per call: a Context records flags, so a shared one would be mutable module state.
    """
    return decimal.Context(prec=400, Emax=1000, Emin=-1000, traps=[])


def value_type(value: AttributeValue) -> str:
    (name,) = value
    return name


# --- numbers -------------------------------------------------------------------------------


def parse_number(text: Any) -> Decimal:
    """Parse and range-check a DynamoDB number (its wire form is a string)."""
    if isinstance(text, bool) or not isinstance(text, str | int | float | Decimal):
        raise ValidationError(f"The parameter cannot be converted to a numeric value: {text!r}")
    try:
        number = Decimal(str(text).strip())
    except decimal.InvalidOperation:
        raise ValidationError(
            f"The parameter cannot be converted to a numeric value: {text}"
        ) from None
    if not number.is_finite():
        raise ValidationError(f"The parameter cannot be converted to a numeric value: {text}")
    return check_number(number)


def check_number(number: Decimal) -> Decimal:
    if number == 0:
        return Decimal(0)
    normalized = number.normalize(_exact())
    if normalized.adjusted() > 125:
        raise ValidationError(
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
    if normalized.adjusted() < -130:
        raise ValidationError(
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    if len(normalized.as_tuple().digits) > 38:
        raise ValidationError("Attempting to store more than 38 significant digits in a Number")
    return normalized


def add_numbers(left: Decimal, right: Decimal) -> Decimal:
    """DynamoDB arithmetic (``SET a = a + :n``, ``ADD``): exact, then range- and digit-checked."""
    return check_number(_exact().add(left, right))


def format_number(number: Decimal) -> str:
    """DynamoDB's canonical text: no exponent, no trailing zeros (``1.50`` is stored as ``1.5``)."""
    if number == 0:
        return "0"
    return format(number, "f")


# --- validation ----------------------------------------------------------------------------


def _type_error(message: str) -> ValidationError:
    return ValidationError(f"One or more parameter values were invalid: {message}")


def validate(value: Any, where: str) -> AttributeValue:
    """Check one typed value and return its normalized copy (numbers canonical, sets unique)."""
    if not isinstance(value, Mapping) or not value:
        raise ValidationError(
            f"Supplied AttributeValue is empty, must contain exactly one of the supported "
            f"datatypes ({where})"
        )
    if len(value) > 1:
        raise ValidationError(
            f"Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            f"of the supported datatypes ({where})"
        )
    ((kind, raw),) = value.items()
    if kind == "S":
        if not isinstance(raw, str):
            raise _type_error(f"{where}: S must be a string")
        return {"S": raw}
    if kind == "N":
        return {"N": format_number(parse_number(raw))}
    if kind == "B":
        return {"B": _binary_text(raw, where)}
    if kind == "BOOL":
        if not isinstance(raw, bool):
            raise _type_error(f"{where}: BOOL must be true or false")
        return {"BOOL": raw}
    if kind == "NULL":
        if raw is not True:
            raise _type_error("Null attribute value types must have the value of true")
        return {"NULL": True}
    if kind == "L":
        if not isinstance(raw, list):
            raise _type_error(f"{where}: L must be a list")
        return {"L": [validate(v, f"{where}[{i}]") for i, v in enumerate(raw)]}
    if kind == "M":
        if not isinstance(raw, Mapping) or not all(isinstance(k, str) for k in raw):
            raise _type_error(f"{where}: M must be an object")
        return {"M": {k: validate(v, f"{where}.{k}") for k, v in raw.items()}}
    if kind in SET_TYPES:
        return {kind: _validate_set(kind, raw, where)}
    raise ValidationError(f"Supplied AttributeValue has an unknown datatype {kind!r} ({where})")


def _binary_text(raw: Any, where: str) -> str:
    if isinstance(raw, bytes | bytearray):
        return base64.b64encode(bytes(raw)).decode("ascii")
    if not isinstance(raw, str):
        raise _type_error(f"{where}: B must be base64 text")
    try:
        base64.b64decode(raw, validate=True)
    except binascii.Error:
        raise _type_error(f"{where}: B is not valid base64") from None
    return raw


def _validate_set(kind: str, raw: Any, where: str) -> list[str]:
    element = SET_TYPES[kind]
    if not isinstance(raw, list):
        raise _type_error(f"{where}: {kind} must be a list")
    if not raw:
        label = {"SS": "string", "NS": "number", "BS": "binary"}[kind]
        raise _type_error(f"An {label} set  may not be empty")
    members = [validate({element: v}, where)[element] for v in raw]
    seen = {_set_member_identity(kind, m) for m in members}
    if len(seen) != len(members):
        raise ValidationError(f"Input collection {raw} contains duplicates.")
    return members


def _set_member_identity(kind: str, member: str) -> Any:
    if kind == "NS":
        return Decimal(member)
    if kind == "BS":
        return base64.b64decode(member)
    return member


def validate_item(item: Any, where: str) -> Item:
    if not isinstance(item, Mapping):
        raise ValidationError(f"{where} must be a map of attribute names to typed values")
    result: Item = {}
    for name, value in item.items():
        if not isinstance(name, str) or not name:
            raise ValidationError(
                f"One or more parameter values were invalid: An attribute name in {where} is empty"
            )
        result[name] = validate(value, f"{where}.{name}")
    return result


# --- comparison ----------------------------------------------------------------------------


def _scalar(value: AttributeValue) -> Any:
    kind = value_type(value)
    raw = value[kind]
    if kind == "N":
        return Decimal(raw)
    if kind == "B":
        return base64.b64decode(raw)
    if kind == "S":
        return raw.encode("utf-8")
    return raw


def equals(left: AttributeValue, right: AttributeValue) -> bool:
    """DynamoDB equality: numbers by value, sets ignoring order, documents deeply."""
    kind = value_type(left)
    if kind != value_type(right):
        return False
    if kind in SCALAR_TYPES:
        return bool(_scalar(left) == _scalar(right))
    if kind in SET_TYPES:
        return {_set_member_identity(kind, m) for m in left[kind]} == {
            _set_member_identity(kind, m) for m in right[kind]
        }
    if kind == "L":
        return len(left["L"]) == len(right["L"]) and all(
            equals(a, b) for a, b in zip(left["L"], right["L"], strict=True)
        )
    if kind == "M":
        return left["M"].keys() == right["M"].keys() and all(
            equals(v, right["M"][k]) for k, v in left["M"].items()
        )
    return bool(left[kind] == right[kind])


def compare(left: AttributeValue, right: AttributeValue) -> int | None:
    """Order two scalars of one type (-1, 0, 1); None when DynamoDB cannot order them."""
    kind = value_type(left)
    if kind not in SCALAR_TYPES or kind != value_type(right):
        return None
    a, b = _scalar(left), _scalar(right)
    return int(a > b) - int(a < b)


def set_members(value: AttributeValue) -> dict[Any, str]:
    """A set's members keyed by identity (numbers by value, binaries by bytes)."""
    kind = value_type(value)
    return {_set_member_identity(kind, m): m for m in value[kind]}


# --- keys ----------------------------------------------------------------------------------


def key_bytes(value: AttributeValue) -> bytes:
    """An encoding of a key value whose bytewise order is DynamoDB's sort-key order."""
    kind = value_type(value)
    if kind == "S":
        text: str = value["S"]
        return b"S" + text.encode("utf-8")
    if kind == "B":
        return b"B" + base64.b64decode(value["B"])
    if kind == "N":
        return b"N" + _number_bytes(Decimal(value["N"]))
    raise ValueError(f"{kind} is not a key type")


def _number_bytes(number: Decimal) -> bytes:
    # Sign class, then the decimal exponent, then the digits; negatives invert everything after
    # the class byte (and end with 0xFF) so that a larger magnitude sorts first.
    if number == 0:
        return b"\x02"
    sign, digit_tuple, exponent = number.normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = bytes(0x30 + d for d in digit_tuple)
    biased = exponent + len(digits) + 1000
    if sign == 0:
        return b"\x03" + biased.to_bytes(2, "big") + digits
    inverted = bytes(0xFF - d for d in digits)
    return b"\x01" + (0xFFFF - biased).to_bytes(2, "big") + inverted + b"\xff"


# --- conversion ----------------------------------------------------------------------------


def to_plain(value: AttributeValue) -> Any:
    """Typed → plain, as AppSync's "Type system (response mapping)" describes.

    On every read's path (a 100-item Query converts hundreds of values), so the most common
    types are tested first and numbers avoid ``Decimal`` when they can.
    """
    for kind, raw in value.items():
        if kind == "S" or kind == "BOOL" or kind == "B":
            return raw
        if kind == "N":
            return _plain_number(raw)
        if kind == "M":
            return {k: to_plain(v) for k, v in raw.items()}
        if kind == "L":
            return [to_plain(v) for v in raw]
        if kind == "NULL":
            return None
        if kind == "NS":
            return [_plain_number(n) for n in raw]
        return list(raw)  # SS, BS
    raise ValueError("an attribute value needs a type")


def _plain_number(text: str) -> int | float:
    if text.isascii():
        if text.isdigit() or (text[:1] == "-" and text[1:].isdigit()):
            return int(text)
        if "." in text and text[-1] != "0" and "E" not in text and "e" not in text:
            # A fraction whose last digit is not 0 is not integral; float() rounds the
            # decimal text exactly as float(Decimal(text)) does.
            return float(text)
    number = Decimal(text)
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def item_to_plain(item: Mapping[str, AttributeValue] | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {name: to_plain(value) for name, value in item.items()}


# --- size ----------------------------------------------------------------------------------


def value_size(value: AttributeValue) -> int:
    """Bytes a value counts for, per "Item sizes and formats" in the DynamoDB developer guide."""
    kind = value_type(value)
    raw = value[kind]
    if kind == "S":
        return len(raw.encode("utf-8"))
    if kind == "N":
        return _number_size(raw)
    if kind == "B":
        return len(base64.b64decode(raw))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(m.encode("utf-8")) for m in raw)
    if kind == "NS":
        return sum(_number_size(m) for m in raw)
    if kind == "BS":
        return sum(len(base64.b64decode(m)) for m in raw)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in raw)
    return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in raw.items())


def _number_size(text: str) -> int:
    """A number's bytes as DynamoDB Local counts them: one per base-100 digit (digit pairs
    aligned on the decimal point, zero pairs at either end dropped), one for the exponent, one
    more when negative; zero is one byte (tests/resolvers/dynamodb/differential/test_tables.py).
    """
    number = Decimal(text)
    if number == 0:
        return 1
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    # Pad so the digit string starts and ends on a base-100 boundary relative to the point.
    padded = "0" * (exponent % 2) + "".join(map(str, digits)) + "0" * (exponent % 2)
    if len(padded) % 2:
        padded = "0" + padded
    pairs = [padded[i : i + 2] for i in range(0, len(padded), 2)]
    while pairs and pairs[0] == "00":
        pairs.pop(0)
    while pairs and pairs[-1] == "00":
        pairs.pop()
    return len(pairs) + 1 + (1 if number < 0 else 0)


def item_size(item: Mapping[str, AttributeValue]) -> int:
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())
