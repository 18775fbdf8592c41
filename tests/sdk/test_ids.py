import re
import time
import uuid

import pytest

from sdk import ids

ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
KSUID = re.compile(r"[0-9A-Za-z]{27}")


def _ulid_ms(value: str) -> int:
    number = 0
    for char in value:
        number = number * 32 + ids.CROCKFORD_BASE32.index(char)
    return number >> 80


def _ksuid_seconds(value: str) -> int:
    number = 0
    for char in value:
        number = number * 62 + ids.BASE62.index(char)
    return (number >> 128) + ids.KSUID_EPOCH


def test_auto_id_is_a_random_uuid():
    first, second = ids.auto_id(), ids.auto_id()
    assert uuid.UUID(first).version == 4
    assert str(uuid.UUID(first)) == first
    assert first != second


def test_auto_ulid_format_and_clock():
    before = time.time_ns() // 1_000_000
    value = ids.auto_ulid()
    after = time.time_ns() // 1_000_000
    assert ULID.fullmatch(value)
    assert before <= _ulid_ms(value) <= after
    assert ids.auto_ulid() != value


def test_auto_ksuid_format_and_clock():
    before = time.time_ns() // 1_000_000_000
    value = ids.auto_ksuid()
    after = time.time_ns() // 1_000_000_000
    assert KSUID.fullmatch(value)
    assert before <= _ksuid_seconds(value) <= after
    assert ids.auto_ksuid() != value


@pytest.mark.parametrize(
    ("timestamp_ms", "randomness", "expected"),
    [
        pytest.param(0, bytes(10), "0" * 26, id="zero"),
        pytest.param((1 << 48) - 1, b"\xff" * 10, "7" + "Z" * 25, id="max"),
        # The timestamp of the ULID spec's example "01ARYZ6S41TSV4RRFFQ69G5FAV".
        pytest.param(1469918176385, bytes(10), "01ARYZ6S41" + "0" * 16, id="spec-example"),
    ],
)
def test_encode_ulid(timestamp_ms, randomness, expected):
    assert ids.encode_ulid(timestamp_ms, randomness) == expected


@pytest.mark.parametrize(
    ("seconds", "payload", "expected"),
    [
        pytest.param(ids.KSUID_EPOCH, bytes(16), "0" * 27, id="min"),
        pytest.param(
            ids.KSUID_EPOCH + (1 << 32) - 1, b"\xff" * 16, "aWgEPTl1tmebfsQzFP4bxwgy80V", id="max"
        ),
        # segmentio/ksuid README: timestamp 107608047, payload B5A1CD34B5F99D1154FB6853345C9735.
        pytest.param(
            ids.KSUID_EPOCH + 107608047,
            bytes.fromhex("B5A1CD34B5F99D1154FB6853345C9735"),
            "0ujtsYcgvSTl8PAuAdqWYSMnLOv",
            id="readme-example",
        ),
    ],
)
def test_encode_ksuid(seconds, payload, expected):
    assert ids.encode_ksuid(seconds, payload) == expected


def test_ulids_sort_by_millisecond_whatever_the_randomness():
    values = [
        ids.encode_ulid(1_700_000_000_000 + step, bytes([255 - step] * 10)) for step in range(50)
    ]
    assert sorted(values) == values


def test_ksuids_sort_by_second_whatever_the_payload():
    values = [
        ids.encode_ksuid(1_700_000_000 + step, bytes([255 - step] * 16)) for step in range(50)
    ]
    assert sorted(values) == values


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(lambda: ids.encode_ulid(-1, bytes(10)), "48 bits", id="ulid-negative-time"),
        pytest.param(lambda: ids.encode_ulid(1 << 48, bytes(10)), "48 bits", id="ulid-late"),
        pytest.param(lambda: ids.encode_ulid(0, bytes(9)), "10 random bytes", id="ulid-short"),
        pytest.param(lambda: ids.encode_ksuid(0, bytes(16)), "Unix seconds", id="ksuid-early"),
        pytest.param(
            lambda: ids.encode_ksuid(ids.KSUID_EPOCH, bytes(8)), "16-byte", id="ksuid-short"
        ),
    ],
)
def test_encoders_reject_out_of_range_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
