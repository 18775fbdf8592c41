"""AWS scalars (schema/scalars.py) and AppSync's declarations (schema/appsync.graphql).

Cases follow the AppSync developer guide, "Scalar types in AWS AppSync", and the longer scalar
descriptions AppSync serves through introspection; each value goes through all three coercion
paths: ``parse_value`` (variables), ``parse_literal`` (query text) and ``serialize`` (results).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    DirectiveLocation,
    GraphQLError,
    GraphQLList,
    GraphQLScalarType,
    GraphQLSchema,
    ScalarTypeDefinitionNode,
    build_schema,
    graphql_sync,
    parse,
    print_ast,
)
from graphql import parse_value as parse_graphql_value
from hypothesis import given, settings
from hypothesis import strategies as st

from schema.scalars import AWS_SCALARS

SDL_PATH = Path(__file__).parents[2] / "schema" / "appsync.graphql"
PATHS = ("parse_value", "parse_literal", "serialize")
STRING_SCALARS = (
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSEmail",
    "AWSJSON",
    "AWSPhone",
    "AWSURL",
    "AWSIPAddress",
)
BOUNDED = settings(max_examples=200, deadline=None, database=None)


def shown(value: Any) -> str:
    """How the error message quotes a value (JSON, cut at 80 characters)."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77]


def through(path: str, scalar: str, value: Any) -> Any:
    """Coerce ``value`` with one path; literals are written as GraphQL source first."""
    spec = AWS_SCALARS[scalar]
    if path == "parse_literal":
        source = json.dumps(value) if isinstance(value, str) else str(value)
        return spec.parse_literal(parse_graphql_value(source))
    return getattr(spec, path)(value)


def case(scalar: str, value: Any, name: str) -> Any:
    return pytest.param(scalar, value, id=f"{scalar}-{name}")


# --- tables ---------------------------------------------------------------------------------

VALID_STRINGS = [
    # AWSDate: YYYY-MM-DD, optional offset Z | ±hh:mm | ±hh:mm:ss, negative years.
    case("AWSDate", "1970-01-01", "plain"),
    case("AWSDate", "1970-01-01Z", "utc"),
    case("AWSDate", "1970-01-01-07:00", "negative-offset"),
    case("AWSDate", "1970-01-01+05:30", "positive-offset"),
    case("AWSDate", "1970-01-01+05:30:15", "offset-seconds"),
    case("AWSDate", "1970-01-01-00:00", "minus-zero-offset"),
    case("AWSDate", "1970-01-01+18:00", "max-offset"),
    case("AWSDate", "2020-02-29", "leap-day"),
    case("AWSDate", "2000-02-29", "leap-century"),
    case("AWSDate", "2021-12-31", "year-end"),
    case("AWSDate", "-2017-01-01", "negative-year"),
    case("AWSDate", "-9999-12-31", "min-year"),
    case("AWSDate", "-0004-02-29", "negative-leap-year"),
    case("AWSDate", "0000-02-29", "year-zero-is-leap"),
    case("AWSDate", "9999-12-31-18:00", "max-year-min-offset"),
    # AWSTime: hh:mm[:ss[.1-9 digits]], optional offset.
    case("AWSTime", "12:30", "hours-minutes"),
    case("AWSTime", "12:30Z", "hours-minutes-utc"),
    case("AWSTime", "12:30:24", "seconds"),
    case("AWSTime", "12:30:24-07:00", "negative-offset"),
    case("AWSTime", "12:30:24.500+05:30", "millis-offset"),
    case("AWSTime", "12:30:24.5Z", "one-fraction-digit"),
    case("AWSTime", "12:30:24.123456789Z", "nine-fraction-digits"),
    case("AWSTime", "12:30+05:30:15", "offset-seconds"),
    case("AWSTime", "00:00", "midnight"),
    case("AWSTime", "23:59:59.999999999", "last-instant"),
    # AWSDateTime: date "T" time, compulsory offset.
    case("AWSDateTime", "1970-01-01T12:00Z", "no-seconds"),
    case("AWSDateTime", "1970-01-01T12:00:00Z", "seconds"),
    case("AWSDateTime", "1970-01-01T12:00:00.2Z", "one-fraction-digit"),
    case("AWSDateTime", "1970-01-01T12:00:00.277Z", "millis"),
    case("AWSDateTime", "1970-01-01T12:00:00.123456789Z", "nanos"),
    case("AWSDateTime", "-2017-01-01T00:00Z", "negative-year"),
    case("AWSDateTime", "-9999-01-01T00:00Z", "min-year"),
    case("AWSDateTime", "2023-11-30T11:04:03+08:00:30", "offset-seconds"),
    case("AWSDateTime", "2020-02-29T23:59:59-07:00", "leap-day"),
    case("AWSDateTime", "2020-01-01T00:00+00:00", "zero-offset"),
    case("AWSDateTime", "2020-01-01T00:00:00.000-18:00", "min-offset"),
    # AWSEmail: RFC 822 local-part@domain-part.
    case("AWSEmail", "username@example.com", "simple"),
    case("AWSEmail", "first.last@example.co.uk", "dotted"),
    case("AWSEmail", "user+tag@example.com", "plus-tag"),
    case("AWSEmail", "o'brien@example.ie", "apostrophe"),
    case("AWSEmail", "!#$%&'*+/=?^_`{|}~-@example.com", "all-atext"),
    case("AWSEmail", "UPPER@EXAMPLE.COM", "upper-case"),
    case("AWSEmail", "1234@example.com", "digits"),
    case("AWSEmail", "a_b-c@sub-domain.example.com", "hyphenated-domain"),
    case("AWSEmail", "x@localhost", "single-label-domain"),
    case("AWSEmail", '"john doe"@example.com', "quoted-local-part"),
    case("AWSEmail", '"a\\"b"@example.com', "quoted-pair"),
    case("AWSEmail", "user@[192.168.0.1]", "domain-literal"),
    # AWSPhone: spaces or hyphens between digit groups; +country code; NANP without one.
    case("AWSPhone", "206-555-0100", "nanp-hyphens"),
    case("AWSPhone", "206 555 0100", "nanp-spaces"),
    case("AWSPhone", "2065550100", "nanp-digits"),
    case("AWSPhone", "800-555-0199", "nanp-toll-free"),
    case("AWSPhone", "1-206-555-0100", "nanp-trunk-prefix"),
    case("AWSPhone", "12065550100", "nanp-trunk-prefix-digits"),
    case("AWSPhone", "+1 206-555-0100", "plus-one-mixed"),
    case("AWSPhone", "+1-206-555-0100", "plus-one-hyphens"),
    case("AWSPhone", "+12065550100", "e164-us"),
    case("AWSPhone", "+44 20 7946 0958", "uk-spaces"),
    case("AWSPhone", "+44-20-7946-0958", "uk-hyphens"),
    case("AWSPhone", "+33 1 23 45 67 89", "france"),
    case("AWSPhone", "+91 98765 43210", "india"),
    case("AWSPhone", "+86 10 1234 5678", "china"),
    case("AWSPhone", "+683 1234", "shortest-international"),
    case("AWSPhone", "+999 123 456 789 012", "longest-international"),
    # AWSURL: scheme required, any scheme, no "//" in the path.
    case("AWSURL", "https://www.amazon.com/dp/B000NZW3KC/", "https"),
    case("AWSURL", "mailto:example@example.com", "mailto"),
    case("AWSURL", "http://localhost/", "localhost"),
    case("AWSURL", "https://example.com", "no-path"),
    case("AWSURL", "http://localhost:8080/path?q=1&r=2#frag", "port-query-fragment"),
    case("AWSURL", "ftp://user:pass@ftp.example.com/file.txt", "userinfo"),
    case("AWSURL", "https://[2001:db8::1]:443/", "ipv6-host"),
    case("AWSURL", "urn:isbn:0451450523", "urn"),
    case("AWSURL", "tel:+1-206-555-0100", "tel"),
    case("AWSURL", "file:///etc/hosts", "file-empty-host"),
    case("AWSURL", "https://example.com/a%20b", "percent-escape"),
    case("AWSURL", "custom+scheme.v1-2://host/x", "custom-scheme"),
    case("AWSURL", "https://example.com/?next=https://other.example/", "slashes-in-query"),
    case("AWSURL", "https://example.com/#/route//x", "slashes-in-fragment"),
    case("AWSURL", "HTTPS://EXAMPLE.COM/A", "upper-case"),
    # AWSIPAddress: dotted quad or unbracketed IPv6, optional /prefix.
    case("AWSIPAddress", "123.12.34.56", "ipv4"),
    case("AWSIPAddress", "0.0.0.0", "ipv4-zero"),
    case("AWSIPAddress", "255.255.255.255", "ipv4-broadcast"),
    case("AWSIPAddress", "1a2b:3c4b::1234:4567", "ipv6"),
    case("AWSIPAddress", "::", "ipv6-unspecified"),
    case("AWSIPAddress", "::1", "ipv6-loopback"),
    case("AWSIPAddress", "2001:0db8:0000:0000:0000:0000:0000:0001", "ipv6-full"),
    case("AWSIPAddress", "FE80::1", "ipv6-upper"),
    case("AWSIPAddress", "::ffff:192.0.2.128", "ipv4-mapped"),
    case("AWSIPAddress", "123.45.67.89/16", "ipv4-cidr-host-bits"),
    case("AWSIPAddress", "10.0.0.0/8", "ipv4-network"),
    case("AWSIPAddress", "1.2.3.4/0", "ipv4-prefix-0"),
    case("AWSIPAddress", "1.2.3.4/32", "ipv4-prefix-32"),
    case("AWSIPAddress", "2001:db8::/32", "ipv6-network"),
    case("AWSIPAddress", "::1/128", "ipv6-prefix-128"),
]

INVALID_STRINGS = [
    case("AWSDate", "2021-13-01", "month-13"),
    case("AWSDate", "2021-00-10", "month-0"),
    case("AWSDate", "2021-02-29", "not-leap"),
    case("AWSDate", "1900-02-29", "century-not-leap"),
    case("AWSDate", "-1900-02-29", "negative-century-not-leap"),
    case("AWSDate", "2021-04-31", "april-31"),
    case("AWSDate", "2021-01-00", "day-0"),
    case("AWSDate", "2021-01-32", "day-32"),
    case("AWSDate", "2021-1-01", "one-digit-month"),
    case("AWSDate", "21-01-01", "two-digit-year"),
    case("AWSDate", "12021-01-01", "five-digit-year"),
    case("AWSDate", "+2021-01-01", "plus-year"),
    case("AWSDate", "20210101", "basic-format"),
    case("AWSDate", "2021/01/01", "slashes"),
    case("AWSDate", "2021-01-01T00:00Z", "datetime"),
    case("AWSDate", "2021-01-01z", "lower-z"),
    case("AWSDate", "2021-01-01+0530", "offset-without-colon"),
    case("AWSDate", "2021-01-01+05", "offset-hours-only"),
    case("AWSDate", "2021-01-01+19:00", "offset-too-large"),
    case("AWSDate", "2021-01-01+18:00:01", "offset-just-too-large"),
    case("AWSDate", "2021-01-01+05:60", "offset-minute-60"),
    case("AWSDate", "2021-01-01+05:30:15.5", "offset-fraction"),
    case("AWSDate", " 2021-01-01", "leading-space"),
    case("AWSDate", "2021-01-01 ", "trailing-space"),
    case("AWSDate", "2021-01-01\n", "trailing-newline"),
    case("AWSDate", "\u0662\u0660\u0662\u0661-01-01", "non-ascii-digits"),
    case("AWSDate", "", "empty"),
    case("AWSTime", "24:00", "hour-24"),
    case("AWSTime", "23:60", "minute-60"),
    case("AWSTime", "23:59:60", "leap-second"),
    case("AWSTime", "12", "hours-only"),
    case("AWSTime", "1:30", "one-digit-hour"),
    case("AWSTime", "12:3", "one-digit-minute"),
    case("AWSTime", "12:30:2", "one-digit-second"),
    case("AWSTime", "12:30.5", "fraction-without-seconds"),
    case("AWSTime", "12:30:24.", "empty-fraction"),
    case("AWSTime", "12:30:24.1234567890", "ten-fraction-digits"),
    case("AWSTime", "12:30:24,5", "comma-fraction"),
    case("AWSTime", "T12:30", "t-prefix"),
    case("AWSTime", "1230", "basic-format"),
    case("AWSTime", "12:30:24z", "lower-z"),
    case("AWSTime", "12:30:24 Z", "space-before-z"),
    case("AWSTime", "12:30:24+25:00", "offset-hour-25"),
    case("AWSTime", "12:30:24+05:30:60", "offset-second-60"),
    case("AWSTime", "noon", "word"),
    case("AWSTime", "", "empty"),
    case("AWSDateTime", "2020-01-01T00:00:00", "missing-offset"),
    case("AWSDateTime", "2020-01-01T00:00", "missing-offset-no-seconds"),
    case("AWSDateTime", "2020-01-01", "date-only"),
    case("AWSDateTime", "2020-01-01Z", "date-only-utc"),
    case("AWSDateTime", "2020-01-01 00:00:00Z", "space-separator"),
    case("AWSDateTime", "2020-01-01t00:00:00Z", "lower-t"),
    case("AWSDateTime", "2020-01-01T00:00:00z", "lower-z"),
    case("AWSDateTime", "2023-11-30T11:04:03+0800", "offset-without-colon"),
    case("AWSDateTime", "2020-02-30T00:00Z", "february-30"),
    case("AWSDateTime", "2019-02-29T00:00Z", "not-leap"),
    case("AWSDateTime", "2020-01-01T24:00Z", "hour-24"),
    case("AWSDateTime", "2020-01-01T00:60Z", "minute-60"),
    case("AWSDateTime", "2020-01-01T00:00:60Z", "second-60"),
    case("AWSDateTime", "2020-01-01T00Z", "hours-only"),
    case("AWSDateTime", "2020-01-01T00:00:00.Z", "empty-fraction"),
    case("AWSDateTime", "2020-01-01T00:00:00.1234567890Z", "ten-fraction-digits"),
    case("AWSDateTime", "1970-01-01T12:00:00.000+19:00", "offset-too-large"),
    case("AWSDateTime", "2020-01-01T00:00:00ZZ", "double-z"),
    case("AWSDateTime", "", "empty"),
    case("AWSEmail", "", "empty"),
    case("AWSEmail", "username", "no-at"),
    case("AWSEmail", "@example.com", "no-local-part"),
    case("AWSEmail", "username@", "no-domain"),
    case("AWSEmail", "user@@example.com", "double-at"),
    case("AWSEmail", "a@b@example.com", "two-ats"),
    case("AWSEmail", ".user@example.com", "leading-dot"),
    case("AWSEmail", "user.@example.com", "trailing-dot"),
    case("AWSEmail", "us..er@example.com", "double-dot"),
    case("AWSEmail", "user name@example.com", "space-in-local-part"),
    case("AWSEmail", "user@exa mple.com", "space-in-domain"),
    case("AWSEmail", "user@-example.com", "domain-leading-hyphen"),
    case("AWSEmail", "user@example-.com", "domain-trailing-hyphen"),
    case("AWSEmail", "user@example..com", "domain-double-dot"),
    case("AWSEmail", "user@.example.com", "domain-leading-dot"),
    case("AWSEmail", "user@example.com.", "domain-trailing-dot"),
    case("AWSEmail", "us\u00e9r@example.com", "non-ascii-local-part"),
    case("AWSEmail", "user@ex\u00e4mple.com", "non-ascii-domain"),
    case("AWSEmail", "<user@example.com>", "angle-brackets"),
    case("AWSEmail", "User <user@example.com>", "display-name"),
    case("AWSEmail", '"unterminated@example.com', "unterminated-quote"),
    case("AWSEmail", "user@example.com\n", "trailing-newline"),
    case("AWSJSON", "{a: 1}", "unquoted-key"),
    case("AWSJSON", "{'a': 1}", "single-quotes"),
    case("AWSJSON", "Unquoted string", "unquoted-string"),
    case("AWSJSON", "", "empty"),
    case("AWSJSON", "   ", "blank"),
    case("AWSJSON", "[1,2,", "truncated"),
    case("AWSJSON", '{"a":1}x', "trailing-garbage"),
    case("AWSJSON", '{"a":1,}', "trailing-comma"),
    case("AWSJSON", "01", "leading-zero"),
    case("AWSJSON", "tru", "misspelt-literal"),
    case("AWSJSON", "NaN", "nan"),
    case("AWSJSON", "Infinity", "infinity"),
    case("AWSJSON", "[-Infinity]", "negative-infinity"),
    case("AWSJSON", "[" * 100_000, "nested-too-deeply"),
    case("AWSPhone", "", "empty"),
    case("AWSPhone", "555-0100", "seven-digits"),
    case("AWSPhone", "123-456-7890", "area-code-starts-with-1"),
    case("AWSPhone", "206-155-0100", "exchange-starts-with-1"),
    case("AWSPhone", "22065550100", "eleven-digits-without-1"),
    case("AWSPhone", "(206) 555-0100", "parentheses"),
    case("AWSPhone", "206.555.0100", "dots"),
    case("AWSPhone", "206--555-0100", "double-hyphen"),
    case("AWSPhone", "206  555 0100", "double-space"),
    case("AWSPhone", " 206-555-0100", "leading-space"),
    case("AWSPhone", "206-555-0100 ", "trailing-space"),
    case("AWSPhone", "-206-555-0100", "leading-hyphen"),
    case("AWSPhone", "206-555-010a", "letter"),
    case("AWSPhone", "2065550100x123", "extension"),
    case("AWSPhone", "+", "plus-only"),
    case("AWSPhone", "+1", "country-code-only"),
    case("AWSPhone", "+ 44 20 7946 0958", "space-after-plus"),
    case("AWSPhone", "++44 20 7946 0958", "double-plus"),
    case("AWSPhone", "+0 20 7946 0958", "country-code-0"),
    case("AWSPhone", "+44 (0) 20 7946 0958", "trunk-in-parentheses"),
    case("AWSPhone", "+1 123 456 7890", "plus-one-bad-area-code"),
    case("AWSPhone", "+1 206 555 01000", "plus-one-eleven-digits"),
    case("AWSPhone", "+123456", "six-digits"),
    case("AWSPhone", "+1234567890123456", "sixteen-digits"),
    case("AWSPhone", "\u0662\u0660\u0666\u0665\u0665\u0665\u0660\u0661\u0660\u0660", "non-ascii"),
    case("AWSPhone", "phone", "word"),
    case("AWSURL", "", "empty"),
    case("AWSURL", "www.example.com", "no-scheme"),
    case("AWSURL", "/relative/path", "relative-path"),
    case("AWSURL", "//example.com/x", "scheme-relative"),
    case("AWSURL", "1http://example.com", "scheme-starts-with-digit"),
    case("AWSURL", "ht tp://example.com", "space-in-scheme"),
    case("AWSURL", "mailto:", "nothing-after-scheme"),
    case("AWSURL", "http://", "no-host"),
    case("AWSURL", "http:///path", "empty-host"),
    case("AWSURL", "http://host:port/", "port-not-a-number"),
    case("AWSURL", "https://exa[mple.com/", "bracket-in-host"),
    case("AWSURL", "https://example.com//double", "double-slash-path-start"),
    case("AWSURL", "https://example.com/a//b", "double-slash-in-path"),
    case("AWSURL", "mailto:a//b", "double-slash-in-opaque-path"),
    case("AWSURL", "http://exa mple.com", "space-in-host"),
    case("AWSURL", "https://example.com/a b", "space-in-path"),
    case("AWSURL", "https://example.com/\u00e9", "non-ascii-path"),
    case("AWSURL", "https://ex\u00e4mple.com/", "non-ascii-host"),
    case("AWSURL", "https://example.com/<script>", "angle-brackets"),
    case("AWSURL", "https://example.com/a\\b", "backslash"),
    case("AWSURL", "https://example.com/%zz", "bad-escape"),
    case("AWSURL", "https://example.com/%2", "short-escape"),
    case("AWSURL", "https://example.com/\n", "newline"),
    case("AWSIPAddress", "", "empty"),
    case("AWSIPAddress", "256.1.1.1", "octet-256"),
    case("AWSIPAddress", "1.2.3", "three-octets"),
    case("AWSIPAddress", "1.2.3.4.5", "five-octets"),
    case("AWSIPAddress", "01.2.3.4", "leading-zero-octet"),
    case("AWSIPAddress", "1.2.3.4/33", "ipv4-prefix-33"),
    case("AWSIPAddress", "::1/129", "ipv6-prefix-129"),
    case("AWSIPAddress", "1.2.3.4/", "empty-prefix"),
    case("AWSIPAddress", "1.2.3.4/-1", "negative-prefix"),
    case("AWSIPAddress", "1.2.3.4/08", "leading-zero-prefix"),
    case("AWSIPAddress", "1.2.3.4/8/8", "two-prefixes"),
    case("AWSIPAddress", "1.2.3.4/ 8", "space-in-prefix"),
    case("AWSIPAddress", "1.2.3.4/255.255.0.0", "netmask"),
    case("AWSIPAddress", "[::1]", "bracketed-ipv6"),
    case("AWSIPAddress", "[2001:db8::1]/64", "bracketed-ipv6-cidr"),
    case("AWSIPAddress", "fe80::1%eth0", "zone-id"),
    case("AWSIPAddress", "2001:db8:::1", "triple-colon"),
    case("AWSIPAddress", "gggg::1", "non-hex"),
    case("AWSIPAddress", " 1.2.3.4", "leading-space"),
    case("AWSIPAddress", "1.2.3.4 ", "trailing-space"),
    case("AWSIPAddress", "\u0661.\u0662.\u0663.\u0664", "non-ascii-digits"),
    case("AWSIPAddress", "localhost", "host-name"),
]

VALID_JSON = [
    case("AWSJSON", '{"upvotes": 10}', "map"),
    case("AWSJSON", "[1,2,3]", "list"),
    case("AWSJSON", '"AWSJSON example string"', "string"),
    case("AWSJSON", "1", "number"),
    case("AWSJSON", "-1.5e3", "exponent"),
    case("AWSJSON", "true", "true"),
    case("AWSJSON", "null", "null"),
    case("AWSJSON", "{}", "empty-map"),
    case("AWSJSON", ' { "a" : [ ] } ', "whitespace"),
    case("AWSJSON", '{"nested": {"x": [null, false, 0.5]}}', "nested"),
    case("AWSJSON", '"\\u00e9\\n"', "escapes"),
    case("AWSJSON", '{"a": 1, "a": 2}', "duplicate-keys-last-wins"),
]

VALID_TIMESTAMPS = [
    pytest.param(0, id="epoch"),
    pytest.param(1, id="one"),
    pytest.param(-1, id="before-epoch"),
    pytest.param(1_700_000_000, id="recent"),
    pytest.param(-2_208_988_800, id="year-1900"),
    pytest.param(2**63 - 1, id="int64-max"),
    pytest.param(-(2**63), id="int64-min"),
]

WRONG_TYPES = [
    pytest.param(5, id="int"),
    pytest.param(1.5, id="float"),
    pytest.param(True, id="bool"),
    pytest.param(None, id="none"),
    pytest.param(["2020-01-01"], id="list"),
    pytest.param({"a": "b"}, id="dict"),
]

NON_STRING_LITERALS = [
    pytest.param("20210101", id="int"),
    pytest.param("1.5", id="float"),
    pytest.param("true", id="boolean"),
    pytest.param("null", id="null"),
    pytest.param("SOME_ENUM", id="enum"),
    pytest.param('["2021-01-01"]', id="list"),
    pytest.param('{a: "x"}', id="object"),
]


# --- every path, every scalar ---------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("scalar", "text"), VALID_STRINGS)
def test_valid_string_is_returned_unchanged(path: str, scalar: str, text: str) -> None:
    assert through(path, scalar, text) == text


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("scalar", "text"), INVALID_STRINGS)
def test_invalid_string_names_scalar_and_value(path: str, scalar: str, text: str) -> None:
    with pytest.raises(GraphQLError) as info:
        through(path, scalar, text)
    assert info.value.message.startswith(f"Invalid {scalar} value: {shown(text)}")


@pytest.mark.parametrize("path", ["parse_value", "parse_literal"])
@pytest.mark.parametrize(("scalar", "text"), VALID_JSON)
def test_json_input_reaches_resolvers_parsed(path: str, scalar: str, text: str) -> None:
    assert through(path, scalar, text) == json.loads(text)


@pytest.mark.parametrize(("scalar", "text"), VALID_JSON)
def test_json_text_returned_by_a_resolver_is_kept_as_is(scalar: str, text: str) -> None:
    assert AWS_SCALARS[scalar].serialize(text) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"upvotes": 10}, '{"upvotes":10}', id="map"),
        pytest.param([1, "\u00e9", None, True], '[1,"\u00e9",null,true]', id="list"),
        pytest.param((1, 2), "[1,2]", id="tuple"),
        pytest.param(1.5, "1.5", id="float"),
        pytest.param(False, "false", id="bool"),
        pytest.param({"n": Decimal("12")}, '{"n":12}', id="whole-decimal"),
        pytest.param({"n": Decimal("1.25")}, '{"n":1.25}', id="fractional-decimal"),
    ],
)
def test_json_output_is_compact_json_text(value: Any, expected: str) -> None:
    assert AWS_SCALARS["AWSJSON"].serialize(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({1, 2}, id="set"),
        pytest.param(object(), id="object"),
        pytest.param(b"bytes", id="bytes"),
        pytest.param(float("nan"), id="nan"),
        pytest.param({"a": float("inf")}, id="infinity"),
        pytest.param(Decimal("NaN"), id="decimal-nan"),
        pytest.param({(1, 2): "tuple key"}, id="tuple-key"),
    ],
)
def test_json_output_that_is_not_json_fails_the_field(value: Any) -> None:
    with pytest.raises(GraphQLError, match=r"^Invalid AWSJSON value: .*cannot be written as JSON"):
        AWS_SCALARS["AWSJSON"].serialize(value)


def test_json_output_of_a_deep_structure_fails_cleanly() -> None:
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(GraphQLError, match=r"^Invalid AWSJSON value: "):
        AWS_SCALARS["AWSJSON"].serialize(deep)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("value", VALID_TIMESTAMPS)
def test_valid_timestamp_is_an_int(path: str, value: int) -> None:
    result = through(path, "AWSTimestamp", value)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize("path", ["parse_value", "serialize"])
@pytest.mark.parametrize(
    "value",
    [
        pytest.param(1.0, id="whole-float"),
        pytest.param(1.5, id="float"),
        pytest.param("1700000000", id="numeric-string"),
        pytest.param(True, id="true"),
        pytest.param(False, id="false"),
        pytest.param(None, id="none"),
        pytest.param([1], id="list"),
        pytest.param({"seconds": 1}, id="dict"),
        pytest.param(2**63, id="above-int64"),
        pytest.param(-(2**63) - 1, id="below-int64"),
        pytest.param(Decimal("1.5"), id="fractional-decimal"),
    ],
)
def test_invalid_timestamp_names_scalar_and_value(path: str, value: Any) -> None:
    with pytest.raises(GraphQLError, match=r"^Invalid AWSTimestamp value: "):
        through(path, "AWSTimestamp", value)


@pytest.mark.parametrize(
    "literal",
    [
        pytest.param('"1700000000"', id="string"),
        pytest.param("1.0", id="whole-float"),
        pytest.param("1e3", id="exponent"),
        pytest.param("true", id="boolean"),
        pytest.param("null", id="null"),
        pytest.param("[1]", id="list"),
        pytest.param("9223372036854775808", id="above-int64"),
    ],
)
def test_invalid_timestamp_literal_names_scalar_and_literal(literal: str) -> None:
    node = parse_graphql_value(literal)
    with pytest.raises(GraphQLError) as info:
        AWS_SCALARS["AWSTimestamp"].parse_literal(node)
    assert info.value.message.startswith(f"Invalid AWSTimestamp value: {print_ast(node)};")


def test_timestamp_output_accepts_whole_dynamodb_numbers() -> None:
    assert AWS_SCALARS["AWSTimestamp"].serialize(Decimal("1700000000")) == 1_700_000_000


@pytest.mark.parametrize("scalar", STRING_SCALARS)
@pytest.mark.parametrize("value", WRONG_TYPES)
def test_input_of_the_wrong_type_names_scalar_and_value(scalar: str, value: Any) -> None:
    with pytest.raises(GraphQLError) as info:
        AWS_SCALARS[scalar].parse_value(value)
    assert info.value.message.startswith(f"Invalid {scalar} value: {shown(value)}; expected a")


@pytest.mark.parametrize("scalar", [s for s in STRING_SCALARS if s != "AWSJSON"])
@pytest.mark.parametrize("value", WRONG_TYPES)
def test_output_of_the_wrong_type_names_scalar_and_value(scalar: str, value: Any) -> None:
    with pytest.raises(GraphQLError) as info:
        AWS_SCALARS[scalar].serialize(value)
    assert info.value.message.startswith(f"Invalid {scalar} value: {shown(value)}; expected a")


@pytest.mark.parametrize("scalar", STRING_SCALARS)
@pytest.mark.parametrize("literal", NON_STRING_LITERALS)
def test_literal_of_the_wrong_kind_names_scalar_and_literal(scalar: str, literal: str) -> None:
    node = parse_graphql_value(literal)
    with pytest.raises(GraphQLError) as info:
        AWS_SCALARS[scalar].parse_literal(node)
    assert info.value.message.startswith(
        f"Invalid {scalar} value: {print_ast(node)}; {scalar} literals must be strings"
    )


@pytest.mark.parametrize(
    ("scalar", "value", "expected"),
    [
        pytest.param("AWSDate", dt.date(2020, 2, 29), "2020-02-29", id="date"),
        pytest.param("AWSTime", dt.time(12, 30), "12:30:00", id="time"),
        pytest.param("AWSTime", dt.time(12, 30, 1, 5000), "12:30:01.005000", id="time-micros"),
        pytest.param("AWSTime", dt.time(12, 30, tzinfo=dt.UTC), "12:30:00+00:00", id="aware-time"),
        pytest.param(
            "AWSDateTime",
            dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-7))),
            "2020-01-02T03:04:05-07:00",
            id="aware-datetime",
        ),
    ],
)
def test_python_date_and_time_results_are_written_iso(
    scalar: str, value: object, expected: str
) -> None:
    assert AWS_SCALARS[scalar].serialize(value) == expected


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        pytest.param("AWSDateTime", dt.datetime(2020, 1, 1), id="naive-datetime-has-no-offset"),
        pytest.param("AWSDate", dt.datetime(2020, 1, 1, tzinfo=dt.UTC), id="datetime-as-date"),
        pytest.param("AWSDateTime", dt.date(2020, 1, 1), id="date-as-datetime"),
    ],
)
def test_python_values_that_do_not_fit_the_scalar_fail(scalar: str, value: object) -> None:
    with pytest.raises(GraphQLError, match=rf"^Invalid {scalar} value: "):
        AWS_SCALARS[scalar].serialize(value)


def test_long_values_are_cut_short_in_messages() -> None:
    with pytest.raises(GraphQLError) as info:
        AWS_SCALARS["AWSEmail"].parse_value("x" * 10_000)
    assert len(info.value.message) < 200


# --- the table and the SDL agree --------------------------------------------------------------


def test_the_table_is_frozen() -> None:
    spec = AWS_SCALARS["AWSDate"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.name = "Other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        AWS_SCALARS["Other"] = spec  # type: ignore[index]


def test_every_sdl_scalar_has_an_implementation_with_its_description() -> None:
    document = parse(SDL_PATH.read_text(encoding="utf-8"))
    declared = {
        node.name.value: node.description.value if node.description else None
        for node in document.definitions
        if isinstance(node, ScalarTypeDefinitionNode)
    }
    assert (
        list(declared)
        == list(AWS_SCALARS)
        == [*STRING_SCALARS[:3], "AWSTimestamp", *STRING_SCALARS[3:]]
    )
    assert {name: spec.description for name, spec in AWS_SCALARS.items()} == declared
    assert all(spec.name == name for name, spec in AWS_SCALARS.items())


# --- directives -----------------------------------------------------------------------------

ORDERS_SDL = """
type Query @aws_api_key @aws_cognito_user_pools @aws_iam {
  getOrder(id: ID!): Order
}
type Mutation @aws_api_key @aws_cognito_user_pools @aws_iam {
  placeOrder(customerId: ID!): Order!
  updateOrderStatus(id: ID!, status: String!): Order
    @aws_cognito_user_pools(cognito_groups: ["admins"])
  legacy: Order @aws_auth(cognito_groups: ["admins", "ops"]) @aws_publish(subscriptions: ["x"])
}
type Subscription @aws_api_key @aws_cognito_user_pools @aws_iam {
  onOrderUpdated(customerId: ID): Order
    @aws_subscribe(mutations: ["placeOrder", "updateOrderStatus"])
}
type Order @aws_oidc @aws_lambda {
  id: ID!
  createdAt: AWSDateTime! @aws_iam @aws_api_key @aws_oidc @aws_lambda
}
"""

OBJECT_AND_FIELD = {DirectiveLocation.OBJECT, DirectiveLocation.FIELD_DEFINITION}
FIELD_ONLY = {DirectiveLocation.FIELD_DEFINITION}


def appsync_schema(extra_sdl: str) -> GraphQLSchema:
    return build_schema(SDL_PATH.read_text(encoding="utf-8") + extra_sdl)


@pytest.mark.parametrize(
    ("directive", "locations", "argument"),
    [
        pytest.param("aws_subscribe", FIELD_ONLY, "mutations", id="aws_subscribe"),
        pytest.param("aws_publish", FIELD_ONLY, "subscriptions", id="aws_publish"),
        pytest.param("aws_api_key", OBJECT_AND_FIELD, None, id="aws_api_key"),
        pytest.param("aws_iam", OBJECT_AND_FIELD, None, id="aws_iam"),
        pytest.param("aws_oidc", OBJECT_AND_FIELD, None, id="aws_oidc"),
        pytest.param("aws_lambda", OBJECT_AND_FIELD, None, id="aws_lambda"),
        pytest.param(
            "aws_cognito_user_pools", OBJECT_AND_FIELD, "cognito_groups", id="aws_cognito"
        ),
        pytest.param("aws_auth", FIELD_ONLY, "cognito_groups", id="aws_auth"),
    ],
)
def test_directives_are_declared_as_appsync_declares_them(
    directive: str, locations: set[DirectiveLocation], argument: str | None
) -> None:
    declared = appsync_schema(ORDERS_SDL).get_directive(directive)
    assert declared is not None
    assert set(declared.locations) == locations
    assert not declared.is_repeatable
    if argument is None:
        assert declared.args == {}
    else:
        assert list(declared.args) == [argument]
        arg_type = declared.args[argument].type
        assert isinstance(arg_type, GraphQLList)
        assert str(arg_type) == "[String]"


@pytest.mark.parametrize(
    "misuse",
    [
        pytest.param("type Query @aws_auth { a: Int }", id="aws_auth-on-type"),
        pytest.param("type Query @aws_subscribe { a: Int }", id="aws_subscribe-on-type"),
        pytest.param("type Query { a: Int @aws_iam(x: 1) }", id="unknown-argument"),
        pytest.param("type Query { a: Int @aws_iam @aws_iam }", id="repeated"),
        pytest.param("type Query { a(x: Int @aws_iam): Int }", id="on-argument"),
    ],
)
def test_misplaced_directives_are_schema_errors(misuse: str) -> None:
    with pytest.raises((GraphQLError, TypeError)):
        appsync_schema(misuse)


# --- through graphql-core execution ---------------------------------------------------------

ARGUMENTS = {
    "date": "AWSDate",
    "time": "AWSTime",
    "dateTime": "AWSDateTime",
    "timestamp": "AWSTimestamp",
    "email": "AWSEmail",
    "json": "AWSJSON",
    "phone": "AWSPhone",
    "url": "AWSURL",
    "ip": "AWSIPAddress",
}
GOOD = {
    "date": "1970-01-01+05:30",
    "time": "12:30:24.500Z",
    "dateTime": "-2017-01-01T00:00Z",
    "timestamp": -1,
    "email": "username@example.com",
    "json": '{"upvotes": 10}',
    "phone": "+1 206-555-0100",
    "url": "mailto:example@example.com",
    "ip": "123.45.67.89/16",
}
EXECUTION_SDL = (
    "type Query {\n"
    f"  echo({', '.join(f'{arg}: {scalar}' for arg, scalar in ARGUMENTS.items())}): AWSJSON\n"
    + "".join(f"  {arg}: {scalar}\n" for arg, scalar in ARGUMENTS.items())
    + "}\n"
)


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    """The AppSync prelude plus a query type, scalars bound the way a schema builder does."""
    built = appsync_schema(EXECUTION_SDL)
    for name, spec in AWS_SCALARS.items():
        scalar = built.type_map[name]
        assert isinstance(scalar, GraphQLScalarType)
        # graphql-core 3.3 executes coerce_* (copied from serialize/parse_value when a type is
        # constructed), so a type already built needs both spellings.
        scalar.serialize = spec.serialize  # type: ignore[method-assign,assignment]
        scalar.coerce_output_value = spec.serialize
        scalar.parse_value = spec.parse_value  # type: ignore[method-assign,assignment]
        scalar.coerce_input_value = spec.parse_value
        scalar.parse_literal = spec.parse_literal  # type: ignore[method-assign,assignment]
    built.query_type.fields["echo"].resolve = lambda _root, _info, **args: args  # type: ignore[union-attr]
    return built


def run(
    schema: GraphQLSchema,
    query: str,
    variables: dict[str, Any] | None = None,
    root: dict[str, Any] | None = None,
) -> tuple[Any, list[str]]:
    result = graphql_sync(schema, query, root_value=root, variable_values=variables)
    return result.data, [error.message for error in result.errors or []]


def literal(value: Any) -> str:
    return json.dumps(value) if isinstance(value, str) else str(value)


def test_valid_literals_reach_the_resolver_coerced(schema: GraphQLSchema) -> None:
    arguments = ", ".join(f"{arg}: {literal(value)}" for arg, value in GOOD.items())
    data, errors = run(schema, f"{{ echo({arguments}) }}")
    assert errors == []
    assert json.loads(data["echo"]) == {**GOOD, "json": {"upvotes": 10}}


def test_valid_variables_reach_the_resolver_coerced(schema: GraphQLSchema) -> None:
    declarations = ", ".join(f"${arg}: {scalar}" for arg, scalar in ARGUMENTS.items())
    arguments = ", ".join(f"{arg}: ${arg}" for arg in ARGUMENTS)
    data, errors = run(schema, f"query({declarations}) {{ echo({arguments}) }}", GOOD)
    assert errors == []
    assert json.loads(data["echo"]) == {**GOOD, "json": {"upvotes": 10}}


def test_valid_results_are_returned(schema: GraphQLSchema) -> None:
    root = {**GOOD, "json": {"upvotes": 10}}
    data, errors = run(schema, f"{{ {' '.join(ARGUMENTS)} }}", root=root)
    assert errors == []
    assert data == {**GOOD, "json": '{"upvotes":10}'}


BAD = [
    pytest.param("date", "2021-13-01", "month must be 01 to 12", id="date"),
    pytest.param("time", "24:00", "hour must be 00 to 23", id="time"),
    pytest.param("dateTime", "2020-01-01T00:00:00", "expected YYYY-MM-DDT", id="dateTime"),
    pytest.param("timestamp", 1.5, "", id="timestamp"),
    pytest.param("email", "not-an-email", "expected local-part@domain-part", id="email"),
    pytest.param("json", "{a: 1}", "not valid JSON", id="json"),
    pytest.param("phone", "(206) 555-0100", "expected digit groups", id="phone"),
    pytest.param("url", "example.com/a", "expected a URL starting with a scheme", id="url"),
    pytest.param("ip", "1.2.3.4/33", "CIDR prefix", id="ip"),
]


@pytest.mark.parametrize(("arg", "value", "reason"), BAD)
def test_invalid_literal_is_a_validation_error(
    schema: GraphQLSchema, arg: str, value: Any, reason: str
) -> None:
    scalar = ARGUMENTS[arg]
    data, errors = run(schema, f"{{ echo({arg}: {literal(value)}) }}")
    assert data is None
    assert len(errors) == 1
    assert errors[0].startswith(f"Invalid {scalar} value: {literal(value)}; ")
    assert reason in errors[0]


@pytest.mark.parametrize(("arg", "value", "reason"), BAD)
def test_invalid_variable_is_a_request_error(
    schema: GraphQLSchema, arg: str, value: Any, reason: str
) -> None:
    scalar = ARGUMENTS[arg]
    query = f"query($v: {scalar}) {{ echo({arg}: $v) }}"
    data, errors = run(schema, query, {"v": value})
    assert data is None
    assert len(errors) == 1
    assert errors[0].startswith(
        f"Variable '$v' has invalid value: Invalid {scalar} value: {shown(value)}; "
    )
    assert reason in errors[0]


@pytest.mark.parametrize(("arg", "value", "reason"), BAD)
def test_invalid_result_fails_only_its_field(
    schema: GraphQLSchema, arg: str, value: Any, reason: str
) -> None:
    scalar = ARGUMENTS[arg]
    if scalar == "AWSJSON":
        value = {1, 2}  # any str is JSON text on output; a set cannot be written as JSON
        reason = "cannot be written as JSON"
    other = "time" if arg == "date" else "date"
    root = {arg: value, other: GOOD[other]}
    result = graphql_sync(schema, f"{{ {arg} {other} }}", root_value=root)
    assert result.data == {arg: None, other: GOOD[other]}
    assert result.errors is not None
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.message.startswith(f"Invalid {scalar} value: ")
    assert reason in error.message
    assert error.path == [arg]


def test_json_variable_must_be_json_text_not_an_object(schema: GraphQLSchema) -> None:
    _, errors = run(schema, "query($v: AWSJSON) { echo(json: $v) }", {"v": {"upvotes": 10}})
    assert errors == [
        "Variable '$v' has invalid value: "
        'Invalid AWSJSON value: {"upvotes": 10}; expected a string containing JSON'
    ]


def test_literal_of_the_wrong_kind_is_a_validation_error(schema: GraphQLSchema) -> None:
    _, errors = run(schema, "{ echo(date: 20210101, json: {upvotes: 10}) }")
    assert errors == [
        "Invalid AWSDate value: 20210101; AWSDate literals must be strings",
        "Invalid AWSJSON value: { upvotes: 10 }; AWSJSON literals must be strings containing JSON",
    ]


# --- properties -----------------------------------------------------------------------------


@st.composite
def offsets(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return "Z"
    seconds = draw(st.integers(0, 18 * 3600))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{draw(st.sampled_from('+-'))}{hours:02d}:{minutes:02d}"
    return text + f":{secs:02d}" if secs or draw(st.booleans()) else text


@st.composite
def times(draw: st.DrawFn) -> str:
    time = draw(st.times())
    text = f"{time.hour:02d}:{time.minute:02d}"
    if draw(st.booleans()):
        text += f":{time.second:02d}"
        if draw(st.booleans()):
            text += "." + draw(st.text("0123456789", min_size=1, max_size=9))
    return text


@st.composite
def dates(draw: st.DrawFn) -> str:
    # Negating a year keeps its leap-ness, so every date() is also valid with a minus sign.
    date = draw(st.dates())
    return f"{draw(st.sampled_from(['', '-']))}{date.year:04d}-{date.month:02d}-{date.day:02d}"


@BOUNDED
@given(date=dates(), time=times(), offset=offsets())
def test_every_rfc3339_style_datetime_round_trips(date: str, time: str, offset: str) -> None:
    text = f"{date}T{time}{offset}"
    for path in PATHS:
        assert through(path, "AWSDateTime", text) == text


@BOUNDED
@given(date=dates(), offset=st.one_of(st.just(""), offsets()))
def test_every_date_round_trips(date: str, offset: str) -> None:
    assert through("parse_literal", "AWSDate", date + offset) == date + offset


@BOUNDED
@given(time=times(), offset=st.one_of(st.just(""), offsets()))
def test_every_time_round_trips(time: str, offset: str) -> None:
    assert through("parse_value", "AWSTime", time + offset) == time + offset


@BOUNDED
@given(year=st.integers(1, 9999), month=st.integers(1, 12), extra=st.integers(1, 3))
def test_days_past_the_end_of_the_month_are_rejected(year: int, month: int, extra: int) -> None:
    day = calendar.monthrange(year, month)[1] + extra
    with pytest.raises(GraphQLError, match="does not exist in that month"):
        AWS_SCALARS["AWSDate"].parse_value(f"{year:04d}-{month:02d}-{day:02d}")


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@BOUNDED
@given(value=JSON_VALUES.filter(lambda value: not isinstance(value, str)))
def test_json_output_parses_back_to_the_same_value(value: Any) -> None:
    # (A str result is JSON text already, so top-level strings are not values here.)
    spec = AWS_SCALARS["AWSJSON"]
    text = spec.serialize(value)
    assert spec.parse_value(text) == value
    assert spec.serialize(text) == text


@BOUNDED
@given(address=st.ip_addresses(), prefix=st.none() | st.integers(0, 128))
def test_every_ip_address_and_cidr_in_range_is_valid(address: Any, prefix: int | None) -> None:
    text = str(address) if prefix is None else f"{address}/{prefix}"
    if prefix is not None and prefix > address.max_prefixlen:
        with pytest.raises(GraphQLError, match="CIDR prefix"):
            AWS_SCALARS["AWSIPAddress"].parse_value(text)
    else:
        assert AWS_SCALARS["AWSIPAddress"].parse_value(text) == text
