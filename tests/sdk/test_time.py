import time as wall_clock
from datetime import UTC, datetime

import pytest

from sdk import time

# The instant of AppSync's examples in "Time helpers in util.time".
NOW = datetime(2018, 2, 6, 19, 1, 35, 749_000, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(time, "_now", lambda: NOW)


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("call", "expected"),
    [
        pytest.param(time.now_iso8601, "2018-02-06T19:01:35.749Z", id="iso8601"),
        pytest.param(time.now_epoch_seconds, 1517943695, id="epoch-seconds"),
        pytest.param(time.now_epoch_milli_seconds, 1517943695749, id="epoch-millis"),
        pytest.param(
            lambda: time.now_formatted("yyyy-MM-dd HH:mm:ssZ"),
            "2018-02-06 19:01:35+0000",
            id="formatted-utc",
        ),
        pytest.param(
            lambda: time.now_formatted("yyyy-MM-dd HH:mm:ssZ", "Australia/Perth"),
            "2018-02-07 03:01:35+0800",
            id="formatted-perth",
        ),
    ],
)
def test_now_helpers(call, expected):
    assert call() == expected


def test_the_real_clock_is_now():
    before = wall_clock.time_ns() // 1_000_000
    millis = time.now_epoch_milli_seconds()
    after = wall_clock.time_ns() // 1_000_000
    assert before <= millis <= after
    assert time.parse_iso8601_to_epoch_milli_seconds(time.now_iso8601()) >= before


@pytest.mark.parametrize(
    ("text", "pattern", "zone", "expected"),
    [
        pytest.param(
            "2018-02-01 17:21:05.180+0800",
            "yyyy-MM-dd HH:mm:ss.SSSZ",
            None,
            1517476865180,
            id="appsync-example",
        ),
        pytest.param(
            "2018-02-01 17:21:05.180+0800",
            "yyyy-MM-dd HH:mm:ss.SSSZ",
            "Australia/Perth",
            1517476865180,
            id="appsync-example-with-zone",
        ),
        pytest.param(
            "2018-02-01 17:21:05",
            "yyyy-MM-dd HH:mm:ss",
            "Australia/Perth",
            1517476865000,
            id="zone",
        ),
        pytest.param("2018-02-01 09:21:05", "yyyy-MM-dd HH:mm:ss", None, 1517476865000, id="utc"),
    ],
)
def test_parse_formatted(text, pattern, zone, expected):
    assert time.parse_formatted_to_epoch_milli_seconds(text, pattern, zone) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2018-02-01T17:21:05.180+08:00", 1517476865180, id="appsync-example"),
        pytest.param("2018-02-01T09:21:05.180Z", 1517476865180, id="zulu"),
        pytest.param("2018-02-01T09:21:05.180", 1517476865180, id="no-offset-is-utc"),
        pytest.param("2018-02-01", 1517443200000, id="date-only"),
        pytest.param("1969-12-31T23:59:59.999Z", -1, id="before-epoch"),
    ],
)
def test_parse_iso8601(text, expected):
    assert time.parse_iso8601_to_epoch_milli_seconds(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "", "2018-13-01", "2018-02-01 17:21:05 PST"])
def test_parse_iso8601_rejects_bad_text(text):
    with pytest.raises(ValueError, match="is not an ISO 8601 timestamp"):
        time.parse_iso8601_to_epoch_milli_seconds(text)


@pytest.mark.parametrize(
    ("millis", "seconds"),
    [
        pytest.param(1517943695750, 1517943695, id="appsync-example"),
        pytest.param(0, 0, id="epoch"),
        pytest.param(-1, -1, id="rounds-down"),
        pytest.param(1517943695750.0, 1517943695, id="whole-float"),
    ],
)
def test_epoch_milli_seconds_to_seconds(millis, seconds):
    assert time.epoch_milli_seconds_to_seconds(millis) == seconds


@pytest.mark.parametrize(
    ("millis", "error", "message"),
    [
        pytest.param("1517943695750", TypeError, "must be a number, got str", id="str"),
        pytest.param(True, TypeError, "got bool", id="bool"),
        pytest.param(1.5, ValueError, "must be whole", id="fraction"),
    ],
)
def test_epoch_milli_seconds_reject_non_numbers(millis, error, message):
    with pytest.raises(error, match=message):
        time.epoch_milli_seconds_to_seconds(millis)


@pytest.mark.parametrize(
    ("millis", "expected"),
    [
        pytest.param(1517943695750, "2018-02-06T19:01:35.750Z", id="appsync-example"),
        pytest.param(0, "1970-01-01T00:00:00.000Z", id="epoch"),
        pytest.param(-62135596800000, "0001-01-01T00:00:00.000Z", id="year-one"),
    ],
)
def test_epoch_milli_seconds_to_iso8601(millis, expected):
    assert time.epoch_milli_seconds_to_iso8601(millis) == expected


def test_epoch_milli_seconds_out_of_range():
    with pytest.raises(ValueError, match="out of range"):
        time.epoch_milli_seconds_to_iso8601(10**18)


@pytest.mark.parametrize(
    ("pattern", "zone", "expected"),
    [
        pytest.param("yyyy-MM-dd HH:mm:ssZ", None, "2018-02-06 19:01:35+0000", id="appsync-utc"),
        pytest.param(
            "yyyy-MM-dd HH:mm:ssZ",
            "Australia/Perth",
            "2018-02-07 03:01:35+0800",
            id="appsync-perth",
        ),
        pytest.param("HH:mm xxx", "+05:30", "00:31 +05:30", id="offset-zone"),
        pytest.param("EEE d MMM h a", "UTC-8", "Tue 6 Feb 11 AM", id="utc-minus"),
    ],
)
def test_epoch_milli_seconds_to_formatted(pattern, zone, expected):
    assert time.epoch_milli_seconds_to_formatted(1517943695750, pattern, zone) == expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda: time.now_formatted("yyyy", "Mars/Base"), "unknown time zone", id="zone"
        ),
        pytest.param(lambda: time.now_formatted("yyyy-MM-dd Q"), "'Q'", id="format"),
        pytest.param(
            lambda: time.parse_formatted_to_epoch_milli_seconds("2018", "yyyy-MM"),
            "does not match",
            id="text",
        ),
    ],
)
def test_bad_arguments_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
