"""RESP2 encoding and parsing (``cache.backends.resp``): every reply kind, replies cut at every
byte, and bytes that are not RESP."""

from __future__ import annotations

import pytest

from cache.backends.resp import (
    Incomplete,
    ProtocolError,
    Reply,
    ReplyError,
    encode_command,
    parse_reply,
)


def test_a_command_is_an_array_of_bulk_strings() -> None:
    assert encode_command([b"SET", "ключ", b"v\r\n", 1500]) == (
        b"*4\r\n$3\r\nSET\r\n$8\r\n\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87\r\n$3\r\nv\r\n\r\n$4\r\n1500\r\n"
    )


REPLIES = [
    pytest.param(b"+OK\r\n", b"OK", id="simple-string"),
    pytest.param(b":-42\r\n", -42, id="integer"),
    pytest.param(b"$5\r\nhe\r\no\r\n", b"he\r\no", id="bulk-string-holding-crlf"),
    pytest.param(b"$0\r\n\r\n", b"", id="empty-bulk-string"),
    pytest.param(b"$-1\r\n", None, id="nil-bulk-string"),
    pytest.param(b"*-1\r\n", None, id="nil-array"),
    pytest.param(b"*0\r\n", [], id="empty-array"),
    pytest.param(
        b"*2\r\n$1\r\n0\r\n*3\r\n$1\r\na\r\n$-1\r\n:7\r\n",
        [b"0", [b"a", None, 7]],
        id="nested-array-as-scan-answers",
    ),
]


@pytest.mark.parametrize(("wire", "expected"), REPLIES)
def test_replies(wire: bytes, expected: Reply) -> None:
    assert parse_reply(wire + b"+next\r\n", 0) == (expected, len(wire))
    assert parse_reply(b"xx" + wire, 2) == (expected, len(wire) + 2)


def test_an_error_reply_is_a_value_not_raised() -> None:
    reply, end = parse_reply(b"-WRONGTYPE Operation against a key\r\n", 0)
    assert isinstance(reply, ReplyError)
    assert str(reply) == "WRONGTYPE Operation against a key"
    assert end == 36


@pytest.mark.parametrize(("wire", "expected"), REPLIES)
def test_a_reply_cut_anywhere_is_incomplete_and_says_how_much_it_needs(
    wire: bytes, expected: Reply
) -> None:
    for cut in range(len(wire)):
        with pytest.raises(Incomplete) as incomplete:
            parse_reply(wire[:cut], 0)
        assert cut < incomplete.value.needed <= len(wire), (cut, incomplete.value.needed)


def test_a_large_bulk_string_needs_all_of_its_bytes() -> None:
    wire = b"$100000\r\n" + b"x" * 100_000 + b"\r\n"
    with pytest.raises(Incomplete) as incomplete:
        parse_reply(wire[:4096], 0)
    assert incomplete.value.needed == len(wire)


@pytest.mark.parametrize(
    "wire",
    [
        pytest.param(b"HTTP/1.1 400\r\n", id="not-a-reply-kind"),
        pytest.param(b"$abc\r\n", id="length-not-a-number"),
        pytest.param(b":1.5\r\n", id="integer-not-an-integer"),
    ],
)
def test_bytes_that_are_not_resp(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_reply(wire, 0)
