from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sdk.java_datetime import JavaDateTimeFormat, resolve_zone

# 2018-02-06T19:01:35.750Z, a Tuesday, the 37th day of the year (AppSync's own example instant).
INSTANT = datetime(2018, 2, 6, 19, 1, 35, 750_000, tzinfo=UTC)
MIDNIGHT = datetime(1970, 1, 1, tzinfo=UTC)


def _in(zone: str, moment: datetime = INSTANT) -> datetime:
    return moment.astimezone(resolve_zone(zone))


@pytest.mark.parametrize(
    ("pattern", "moment", "expected"),
    [
        pytest.param("yyyy-MM-dd HH:mm:ssZ", INSTANT, "2018-02-06 19:01:35+0000", id="appsync-utc"),
        pytest.param(
            "yyyy-MM-dd HH:mm:ssZ",
            _in("Australia/Perth"),
            "2018-02-07 03:01:35+0800",
            id="appsync-perth",
        ),
        pytest.param(
            "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", INSTANT, "2018-02-06T19:01:35.750Z", id="iso-like"
        ),
        pytest.param("yy/M/d", INSTANT, "18/2/6", id="short-numbers"),
        pytest.param("y yyy yyyy uuuu", INSTANT, "2018 2018 2018 2018", id="years"),
        pytest.param("yyyy", datetime(987, 1, 1, tzinfo=UTC), "0987", id="year-padding"),
        pytest.param("MM MMM MMMM LLL", INSTANT, "02 Feb February Feb", id="months"),
        pytest.param("d dd D DD DDD", INSTANT, "6 06 37 37 037", id="days"),
        pytest.param("E EE EEE EEEE", INSTANT, "Tue Tue Tue Tuesday", id="weekdays"),
        pytest.param("H HH k h hh K a", INSTANT, "19 19 19 7 07 7 PM", id="hours-pm"),
        pytest.param("H k h K a", MIDNIGHT, "0 24 12 0 AM", id="hours-midnight"),
        pytest.param("m mm s ss", INSTANT, "1 01 35 35", id="minutes-seconds"),
        pytest.param("S SS SSS SSSS SSSSSSSSS", INSTANT, "7 75 750 7500 750000000", id="fractions"),
        pytest.param("G GGGG", INSTANT, "AD Anno Domini", id="era"),
        pytest.param("VV z", _in("Australia/Perth"), "Australia/Perth AWST", id="zone-perth"),
        pytest.param("VV z", INSTANT, "UTC UTC", id="zone-utc"),
        pytest.param(
            "Z ZZZZ ZZZZZ X XX XXX x xx xxx",
            INSTANT,
            "+0000 GMT Z Z Z Z +00 +0000 +00:00",
            id="offsets-zero",
        ),
        pytest.param(
            "Z ZZZZ ZZZZZ X XX XXX x xx xxx",
            _in("Asia/Kolkata"),
            "+0530 GMT+05:30 +05:30 +0530 +0530 +05:30 +0530 +0530 +05:30",
            id="offsets-half-hour",
        ),
        pytest.param("X xx z", _in("America/New_York"), "-05 -0500 EST", id="offsets-negative"),
        pytest.param("'at' h 'o''clock' ''", INSTANT, "at 7 o'clock '", id="quoted-literals"),
        pytest.param(
            "yyyy.MM.dd, HH:mm:ss (VV)", INSTANT, "2018.02.06, 19:01:35 (UTC)", id="punct"
        ),
    ],
)
def test_format(pattern, moment, expected):
    assert JavaDateTimeFormat(pattern).format(moment) == expected


def _utc(year, month, day, hour=0, minute=0, second=0, microsecond=0):
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "pattern", "zone", "expected"),
    [
        pytest.param(
            "2018-02-01 17:21:05.180+0800",
            "yyyy-MM-dd HH:mm:ss.SSSZ",
            UTC,
            _utc(2018, 2, 1, 9, 21, 5, 180_000),
            id="appsync-offset",
        ),
        pytest.param(
            "2018-02-01 17:21:05.180+0800",
            "yyyy-MM-dd HH:mm:ss.SSSZ",
            ZoneInfo("America/New_York"),
            _utc(2018, 2, 1, 9, 21, 5, 180_000),
            id="offset-beats-default-zone",
        ),
        pytest.param(
            "2018-02-01 17:21:05",
            "yyyy-MM-dd HH:mm:ss",
            ZoneInfo("Australia/Perth"),
            _utc(2018, 2, 1, 9, 21, 5),
            id="default-zone",
        ),
        pytest.param("20180201", "yyyyMMdd", UTC, _utc(2018, 2, 1), id="adjacent-numbers"),
        pytest.param("18-2-1", "yy-M-d", UTC, _utc(2018, 2, 1), id="short-year"),
        pytest.param(
            "Thu, 1 Feb 2018 5:21 PM",
            "EEE, d MMM yyyy h:mm a",
            UTC,
            _utc(2018, 2, 1, 17, 21),
            id="text-fields",
        ),
        pytest.param(
            "Thursday 1 February 2018", "EEEE d MMMM yyyy", UTC, _utc(2018, 2, 1), id="full-text"
        ),
        pytest.param("12:30 AM", "hh:mm a", UTC, _utc(1970, 1, 1, 0, 30), id="midnight-hour"),
        pytest.param("24:00", "kk:mm", UTC, _utc(1970, 1, 1, 0, 0), id="clock-hour-24"),
        pytest.param("2018-037", "yyyy-DDD", UTC, _utc(2018, 2, 6), id="day-of-year"),
        pytest.param("12:00:00.1", "HH:mm:ss.S", UTC, _utc(1970, 1, 1, 12, 0, 0, 100_000), id="S"),
        pytest.param(
            "2018-02-01T17:21:05+05:30",
            "yyyy-MM-dd'T'HH:mm:ssXXX",
            UTC,
            _utc(2018, 2, 1, 11, 51, 5),
            id="XXX",
        ),
        pytest.param(
            "2018-02-01T17:21:05Z",
            "yyyy-MM-dd'T'HH:mm:ssX",
            UTC,
            _utc(2018, 2, 1, 17, 21, 5),
            id="X-Z",
        ),
        pytest.param(
            "2018-02-01 17:21 America/New_York",
            "yyyy-MM-dd HH:mm VV",
            UTC,
            _utc(2018, 2, 1, 22, 21),
            id="VV",
        ),
        pytest.param(
            "2018-02-01 17:21 UTC",
            "yyyy-MM-dd HH:mm z",
            ZoneInfo("Asia/Tokyo"),
            _utc(2018, 2, 1, 17, 21),
            id="z",
        ),
        pytest.param(
            "2018-02-01 17:21 GMT+08:00",
            "yyyy-MM-dd HH:mm ZZZZ",
            UTC,
            _utc(2018, 2, 1, 9, 21),
            id="ZZZZ",
        ),
    ],
)
def test_parse(text, pattern, zone, expected):
    assert JavaDateTimeFormat(pattern).parse(text, zone) == expected


@pytest.mark.parametrize(
    ("text", "pattern", "message"),
    [
        pytest.param("2018/02/01", "yyyy-MM-dd", "does not match", id="shape"),
        pytest.param("2018-02-30", "yyyy-MM-dd", "day is out of range", id="impossible-date"),
        pytest.param("Wed, 1 Feb 2018", "EEE, d MMM yyyy", "is not a Wednesday", id="weekday"),
        pytest.param("13:00 PM", "hh:mm a", "'h' must be 1-12", id="clock-hour"),
        pytest.param("25:00", "HH:mm", "hour must be in 0..23", id="hour"),
        pytest.param("2018-02-01 Mars/Base", "yyyy-MM-dd VV", "unknown time zone", id="zone"),
        pytest.param("2018-02-06 038", "yyyy-MM-dd DDD", "day of year", id="day-of-year"),
        pytest.param("2018 2019", "yyyy yyyy", "conflicting values for the year", id="conflict"),
        pytest.param("13 AM", "HH a", "does not fit AM/PM", id="ampm"),
    ],
)
def test_parse_rejects_bad_text(text, pattern, message):
    with pytest.raises(ValueError, match=message):
        JavaDateTimeFormat(pattern).parse(text, UTC)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        pytest.param("yyyy-MM-dd Q", "pattern letter 'Q' .* is not supported", id="unknown-letter"),
        pytest.param("yyyy-MM-ddTHH:mm", "pattern letter 'T' .* quote literal", id="unquoted-T"),
        pytest.param("ddd", "'ddd' .* wrong letter count", id="too-many"),
        pytest.param("V", "'V' .* wrong letter count", id="single-V"),
        pytest.param("yyyy[-MM]", r"'\[' .* not supported", id="optional-section"),
        pytest.param("'unterminated", "unterminated quote", id="quote"),
    ],
)
def test_bad_patterns_raise_value_error(pattern, message):
    with pytest.raises(ValueError, match=message):
        JavaDateTimeFormat(pattern)


@pytest.mark.parametrize(
    ("name", "offset"),
    [
        pytest.param("UTC", timedelta(0), id="utc"),
        pytest.param("Z", timedelta(0), id="z"),
        pytest.param("+08:00", timedelta(hours=8), id="colon"),
        pytest.param("-0530", -timedelta(hours=5, minutes=30), id="compact"),
        pytest.param("UTC+8", timedelta(hours=8), id="utc-prefix"),
        pytest.param("GMT-03", -timedelta(hours=3), id="gmt-prefix"),
    ],
)
def test_resolve_zone_offsets(name, offset):
    assert INSTANT.astimezone(resolve_zone(name)).utcoffset() == offset


@pytest.mark.parametrize("name", ["Mars/Base", "../etc/passwd", "+19:00", ""])
def test_resolve_zone_rejects_unknown(name):
    with pytest.raises(ValueError, match="time zone"):
        resolve_zone(name)


ROUND_TRIP_PATTERNS = [
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "EEEE, dd MMMM yyyy hh:mm:ss.SSS a xx",
    "yyyyDDD HHmmssSSS Z",
]


@pytest.mark.parametrize("pattern", ROUND_TRIP_PATTERNS)
@given(
    moment=st.datetimes(
        # From 1970: older local mean times have offsets with seconds, which patterns drop.
        min_value=datetime(1970, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from(
            [
                UTC,
                ZoneInfo("Australia/Perth"),
                ZoneInfo("America/St_Johns"),
                timezone(-timedelta(hours=7)),
            ]
        ),
        allow_imaginary=False,
    )
)
def test_format_then_parse_round_trips(pattern, moment):
    expected = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    parsed = JavaDateTimeFormat(pattern).parse(JavaDateTimeFormat(pattern).format(moment), UTC)
    # Compared in UTC: PEP 495 makes inter-zone == False for times in a repeated (DST) hour.
    assert parsed.astimezone(UTC) == expected.astimezone(UTC)
