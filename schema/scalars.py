"""The AWS AppSync scalars: input and output coercion for AWSDate … AWSIPAddress.

Rules are those of the AppSync developer guide, "Scalar types in AWS AppSync"
(https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html), completed where that page
is terse by the longer scalar descriptions AppSync itself serves in an API's introspection
schema (fraction digits, negative years, the compulsory AWSDateTime offset). Where both are
silent, the choice made is written next to the rule and in ``docs/scalars.md``.

Each scalar is an :class:`AwsScalar` whose callables have graphql-core's signatures, so the
schema builder plugs them into strawberry / graphql-core unchanged. Inputs and outputs are
checked alike: a resolver returning a malformed AWSDateTime fails its field with the same
message a client sending one gets. Every rejection is a ``GraphQLError`` reading
``Invalid <Scalar> value: <value>; <why>``.

String scalars reach resolvers as the very strings the client sent (as in AppSync), AWSJSON as
the parsed JSON value, AWSTimestamp as an ``int``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol, cast

from graphql import (
    GraphQLError,
    IntValueNode,
    ScalarTypeDefinitionNode,
    StringValueNode,
    ValueNode,
    print_ast,
)
from graphql.pyutils import inspect

__all__ = ["AWS_SCALARS", "AwsScalar", "LiteralParser"]


class LiteralParser(Protocol):
    """graphql-core's ``parse_literal``: a literal from the query text to an internal value."""

    def __call__(self, value_node: ValueNode, variables: dict[str, Any] | None = None, /) -> Any:
        """Coerce ``value_node``; raise ``GraphQLError`` when it is not a valid literal."""


@dataclass(frozen=True, slots=True)
class AwsScalar:
    """One AWS scalar: its name, its SDL description and its three coercion functions."""

    name: str
    description: str
    serialize: Callable[[Any], Any]
    parse_value: Callable[[Any], Any]
    parse_literal: LiteralParser


# --- errors ---------------------------------------------------------------------------------

_SHOWN_CHARS = 80


def _show(value: object) -> str:
    """The offending value as a client would write it (JSON), cut short for long values."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        try:
            text = inspect(value)
        except RecursionError:  # inspect compares nested containers recursively
            text = f"<{type(value).__name__}>"
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _invalid(name: str, shown: str, reason: str) -> GraphQLError:
    return GraphQLError(f"Invalid {name} value: {shown}; {reason}")


# --- date and time --------------------------------------------------------------------------
# Extended ISO 8601 only (dashes and colons required); "T" and "Z" upper case as AppSync
# documents them. Years are four digits, with a leading "-" for years before 0000.

_OFFSET = r"(?P<offset>Z|(?P<sign>[+-])(?P<oh>\d\d):(?P<om>\d\d)(?::(?P<os>\d\d))?)"
_DATE = r"(?P<year>-?\d{4})-(?P<month>\d\d)-(?P<day>\d\d)"
# The fraction is AppSync's "nanoseconds field": 1 to 9 digits, only after seconds.
_TIME = r"(?P<hour>\d\d):(?P<minute>\d\d)(?::(?P<second>\d\d)(?:\.\d{1,9})?)?"

_DATE_RE = re.compile(f"{_DATE}{_OFFSET}?", re.ASCII)
_TIME_RE = re.compile(f"{_TIME}{_OFFSET}?", re.ASCII)
# AppSync's own description of AWSDateTime: "The time zone offset is compulsory for this scalar."
_DATETIME_RE = re.compile(f"{_DATE}T{_TIME}{_OFFSET}", re.ASCII)

# Offsets are bounded like java.time.ZoneOffset (±18:00), wider than any real zone's.
_MAX_OFFSET_SECONDS = 18 * 3600
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    # Proleptic Gregorian calendar, also for year 0000 and negative years (ISO 8601).
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _MONTH_DAYS[month - 1]


def _calendar_error(match: re.Match[str]) -> str | None:
    """Why the fields a date/time pattern matched are not a real date, time and offset."""
    groups = match.groupdict()
    if groups.get("year") is not None:
        year, month, day = int(groups["year"]), int(groups["month"]), int(groups["day"])
        if not 1 <= month <= 12:
            return "month must be 01 to 12"
        if not 1 <= day <= _days_in_month(year, month):
            return f"day {groups['day']} does not exist in that month"
    if groups.get("hour") is not None:
        if int(groups["hour"]) > 23:
            return "hour must be 00 to 23"
        if int(groups["minute"]) > 59:
            return "minute must be 00 to 59"
        if groups["second"] is not None and int(groups["second"]) > 59:
            return "second must be 00 to 59"
    if groups["sign"] is not None:
        minutes, seconds = int(groups["om"]), int(groups["os"] or 0)
        if minutes > 59 or seconds > 59:
            return "offset minutes and seconds must be 00 to 59"
        if int(groups["oh"]) * 3600 + minutes * 60 + seconds > _MAX_OFFSET_SECONDS:
            return "offset must be within ±18:00"
    return None


def _temporal_check(pattern: re.Pattern[str], form: str) -> Callable[[str], str | None]:
    def check(text: str) -> str | None:
        match = pattern.fullmatch(text)
        if match is None:
            return f"expected {form}"
        return _calendar_error(match)

    return check


def _iso_text(python_type: type[dt.date | dt.time]) -> Callable[[object], object]:
    """Let Python resolvers return ``date``/``time``/``datetime`` objects for these scalars."""

    def to_text(value: object) -> object:
        # Exact type: ``datetime`` is a ``date``, but an AWSDate must not silently drop a time.
        return cast("dt.date | dt.time", value).isoformat() if type(value) is python_type else value

    return to_text


# --- AWSEmail -------------------------------------------------------------------------------
# RFC 822 addr-spec: local-part (dot-atom or quoted string) "@" domain (host name labels or a
# bracketed domain literal). A single-label domain (user@localhost) is valid RFC 822.

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL_RE = re.compile(
    rf"(?:{_ATEXT}+(?:\.{_ATEXT}+)*"
    r'|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")'
    rf"@(?:{_LABEL}(?:\.{_LABEL})*|\[[\x21-\x5a\x5e-\x7e]+\])",
    re.ASCII,
)


def _email_check(text: str) -> str | None:
    return None if _EMAIL_RE.fullmatch(text) else "expected local-part@domain-part (RFC 822)"


# --- AWSPhone -------------------------------------------------------------------------------
# Digit groups separated by one space or hyphen, optionally led by "+" and a country code.
# Without a country code the number must be a North American Numbering Plan number
# (NPA-NXX-XXXX, both NPA and NXX starting 2-9), optionally led by its "1" prefix; numbers
# with "+1" are NANP numbers too. Other international numbers are held to E.164's length.

_PHONE_RE = re.compile(r"(\+)?[0-9]+(?:[ -][0-9]+)*", re.ASCII)
_NANP_RE = re.compile(r"[2-9][0-9]{2}[2-9][0-9]{6}", re.ASCII)
_E164_DIGITS = range(7, 16)


def _phone_check(text: str) -> str | None:
    match = _PHONE_RE.fullmatch(text)
    if match is None:
        return "expected digit groups separated by spaces or hyphens, optionally +country code"
    digits = re.sub(r"[ -]", "", text[1:] if match[1] else text)
    if match[1] and not digits.startswith("1"):
        if digits.startswith("0"):
            return "a country code cannot start with 0"
        if len(digits) not in _E164_DIGITS:
            return "an international number has 7 to 15 digits"
        return None
    national = digits[1:] if digits.startswith("1") and (match[1] or len(digits) == 11) else digits
    if _NANP_RE.fullmatch(national) is None:
        return "a number without country code must be a 10-digit North American number"
    return None


# --- AWSURL ---------------------------------------------------------------------------------
# A scheme, then only characters RFC 3986 allows (RFC 1738's "unsafe" ones and whitespace are
# not), well-formed %HH escapes, a host when there is an authority (empty only for file:),
# and — the one rule AppSync spells out — no "//" inside the path.

_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:", re.ASCII)
_URL_CHARS_RE = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", re.ASCII)
_BAD_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})", re.ASCII)
_URL_PARTS_RE = re.compile(r"(?://(?P<authority>[^/?#]*))?(?P<path>[^?#]*)(?:[?#].*)?", re.ASCII)
_AUTHORITY_RE = re.compile(
    r"(?:[^@]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^:@\[\]]*)(?::[0-9]*)?", re.ASCII
)


def _url_check(text: str) -> str | None:
    scheme = _SCHEME_RE.match(text)
    if scheme is None:
        return "expected a URL starting with a scheme, such as https: or mailto:"
    rest = text[scheme.end() :]
    if not rest:
        return "nothing follows the scheme"
    if _URL_CHARS_RE.fullmatch(rest) is None:
        return "URLs may not contain spaces, non-ASCII or unsafe characters"
    if _BAD_ESCAPE_RE.search(rest):
        return "every % must start a %HH escape"
    parts = _URL_PARTS_RE.fullmatch(rest)
    assert parts is not None  # every component is optional
    authority = parts["authority"]
    if authority is not None:
        host = _AUTHORITY_RE.fullmatch(authority)
        if host is None:
            return "malformed authority (user@host:port)"
        if not host["host"] and scheme[0].lower() != "file:":
            return "missing host after //"
    if "//" in parts["path"]:
        return "the path may not contain //"
    return None


# --- AWSIPAddress ---------------------------------------------------------------------------

_PREFIX_RE = re.compile(r"0|[1-9][0-9]{0,2}", re.ASCII)


def _ip_check(text: str) -> str | None:
    address, slash, prefix = text.partition("/")
    if "%" in address:  # IPv6 zone ids ("fe80::1%eth0") are not addresses AppSync documents.
        return "zone ids are not allowed"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "expected an IPv4 or IPv6 address, optionally with a /prefix"
    if slash and not (_PREFIX_RE.fullmatch(prefix) and int(prefix) <= ip.max_prefixlen):
        return f"the CIDR prefix of an IPv{ip.version} address must be 0 to {ip.max_prefixlen}"
    return None


# --- building the scalars -------------------------------------------------------------------


def _literal_error(name: str, node: ValueNode, expected: str) -> GraphQLError:
    return _invalid(name, _show_node(node), f"{name} literals must be {expected}")


def _show_node(node: ValueNode) -> str:
    text = print_ast(node)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."


def _string_scalar(
    name: str,
    check: Callable[[str], str | None],
    to_text: Callable[[object], object] = lambda value: value,
) -> AwsScalar:
    """A scalar carried as a string that ``check`` accepts (returns None) or explains."""

    def parse_value(input_value: Any) -> str:
        if not isinstance(input_value, str):
            raise _invalid(name, _show(input_value), "expected a string")
        reason = check(input_value)
        if reason is not None:
            raise _invalid(name, _show(input_value), reason)
        return input_value

    def serialize(output_value: Any) -> str:
        return parse_value(to_text(output_value))

    def parse_literal(value_node: ValueNode, variables: dict[str, Any] | None = None, /) -> str:
        if not isinstance(value_node, StringValueNode):
            raise _literal_error(name, value_node, "strings")
        return parse_value(value_node.value)

    return AwsScalar(name, _DESCRIPTIONS[name], serialize, parse_value, parse_literal)


# AWSTimestamp: a signed 64-bit count of seconds (AppSync states no range). Booleans are ints
# in Python but never timestamps; floats are rejected even when whole (1.0), the scalar being
# documented as an integer.
_INT64 = range(-(2**63), 2**63)


def _is_whole(number: Decimal) -> bool:
    return number.is_finite() and number == number.to_integral_value()


def _timestamp_scalar() -> AwsScalar:
    name = "AWSTimestamp"

    def parse_value(input_value: Any) -> int:
        if not isinstance(input_value, int) or isinstance(input_value, bool):
            raise _invalid(name, _show(input_value), "expected an integer number of seconds")
        if input_value not in _INT64:
            raise _invalid(name, _show(input_value), "out of range for a 64-bit integer")
        return int(input_value)

    def serialize(output_value: Any) -> int:
        # DynamoDB numbers reach resolvers as Decimal (boto3); a whole one is a fine timestamp.
        if isinstance(output_value, Decimal) and _is_whole(output_value):
            output_value = int(output_value)
        return parse_value(output_value)

    def parse_literal(value_node: ValueNode, variables: dict[str, Any] | None = None, /) -> int:
        if not isinstance(value_node, IntValueNode):
            raise _literal_error(name, value_node, "integers")
        return parse_value(int(value_node.value))

    return AwsScalar(name, _DESCRIPTIONS[name], serialize, parse_value, parse_literal)


def _reject_constant(constant: str) -> Any:
    # Python's json accepts NaN and ±Infinity; RFC 8259 does not.
    raise ValueError(f"{constant} is not a JSON number")


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return int(value) if _is_whole(value) else float(value)
    raise TypeError(f"a {type(value).__name__} cannot be written as JSON")


def _json_scalar() -> AwsScalar:
    """AWSJSON: JSON text on the wire, the parsed value in resolvers.

    Input must be a string holding JSON (AppSync: "Unquoted strings or otherwise invalid JSON
    result in a GraphQL validation error"); an object literal is not JSON text. Output: a
    ``str`` result is taken as JSON text already (resolvers often return ``json.dumps(...)``)
    and must be valid; any other value is written as compact JSON.
    """
    name = "AWSJSON"

    def parse_value(input_value: Any) -> Any:
        if not isinstance(input_value, str):
            raise _invalid(name, _show(input_value), "expected a string containing JSON")
        try:
            return json.loads(input_value, parse_constant=_reject_constant)
        except json.JSONDecodeError as error:
            reason = f"not valid JSON ({error.msg} at character {error.pos})"
        except ValueError as error:  # _reject_constant, or an integer too long to convert
            reason = f"not valid JSON ({error})"
        except RecursionError:
            reason = "JSON nested too deeply"
        raise _invalid(name, _show(input_value), reason)

    def serialize(output_value: Any) -> str:
        if isinstance(output_value, str):
            parse_value(output_value)
            return output_value
        try:
            return json.dumps(
                output_value,
                ensure_ascii=False,
                allow_nan=False,
                separators=(",", ":"),
                default=_json_default,
            )
        except (TypeError, ValueError, RecursionError) as error:
            reason = f"cannot be written as JSON ({error})"
            raise _invalid(name, _show(output_value), reason) from None

    def parse_literal(value_node: ValueNode, variables: dict[str, Any] | None = None, /) -> Any:
        if not isinstance(value_node, StringValueNode):
            raise _literal_error(name, value_node, "strings containing JSON")
        return parse_value(value_node.value)

    return AwsScalar(name, _DESCRIPTIONS[name], serialize, parse_value, parse_literal)


def _sdl_descriptions() -> dict[str, str]:
    """Descriptions come from ``appsync.graphql`` so introspection and this table agree."""
    from schema.sdl import prelude  # parsed once, shared with the schema build

    return {
        node.name.value: node.description.value
        for node in prelude()
        if isinstance(node, ScalarTypeDefinitionNode) and node.description is not None
    }


_DESCRIPTIONS = _sdl_descriptions()

_DATE_FORM = "YYYY-MM-DD with an optional offset (Z, ±hh:mm or ±hh:mm:ss)"
_TIME_FORM = "hh:mm[:ss[.fraction]] with an optional offset (Z, ±hh:mm or ±hh:mm:ss)"
_DATETIME_FORM = "YYYY-MM-DDThh:mm[:ss[.fraction]] and an offset (Z, ±hh:mm or ±hh:mm:ss)"

AWS_SCALARS: Mapping[str, AwsScalar] = MappingProxyType(
    {
        scalar.name: scalar
        for scalar in (
            _string_scalar("AWSDate", _temporal_check(_DATE_RE, _DATE_FORM), _iso_text(dt.date)),
            _string_scalar("AWSTime", _temporal_check(_TIME_RE, _TIME_FORM), _iso_text(dt.time)),
            _string_scalar(
                "AWSDateTime",
                _temporal_check(_DATETIME_RE, _DATETIME_FORM),
                _iso_text(dt.datetime),
            ),
            _timestamp_scalar(),
            _string_scalar("AWSEmail", _email_check),
            _json_scalar(),
            _string_scalar("AWSPhone", _phone_check),
            _string_scalar("AWSURL", _url_check),
            _string_scalar("AWSIPAddress", _ip_check),
        )
    }
)
"""Every AWS scalar by name, in the order of the AppSync developer guide."""
