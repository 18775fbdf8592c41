"""``util.time``: timestamps, and conversions between epoch milliseconds, ISO 8601 and formats.

AppSync developer guide, "Time helpers in util.time" (APPSYNC_JS):
https://docs.aws.amazon.com/appsync/latest/devguide/time-helpers-in-util-time-js.html

``format`` arguments are Java ``DateTimeFormatter`` patterns (``yyyy-MM-dd HH:mm:ssZ``; the
supported subset is listed in ``sdk.java_datetime``); ``timezone`` arguments are zone IDs
(``Australia/Perth``, ``UTC``, ``+08:00``) and default to UTC. Bad formats, zones or input text
raise ``ValueError``.

Every "now" reads the clock through ``_now()``, so a test can pin time with
``monkeypatch.setattr(sdk.time, "_now", lambda: ...)``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from sdk.java_datetime import JavaDateTimeFormat, resolve_zone

__all__ = [
    "epoch_milli_seconds_to_formatted",
    "epoch_milli_seconds_to_iso8601",
    "epoch_milli_seconds_to_seconds",
    "now_epoch_milli_seconds",
    "now_epoch_seconds",
    "now_formatted",
    "now_iso8601",
    "parse_formatted_to_epoch_milli_seconds",
    "parse_iso8601_to_epoch_milli_seconds",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)


def _now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def now_iso8601() -> str:
    """``util.time.nowISO8601()``: e.g. ``2018-02-06T19:01:35.749Z``."""
    return _iso8601(_now())


def now_epoch_seconds() -> int:
    """``util.time.nowEpochSeconds()``."""
    return _to_millis(_now()) // 1000


def now_epoch_milli_seconds() -> int:
    """``util.time.nowEpochMilliSeconds()``."""
    return _to_millis(_now())


def now_formatted(format: str, timezone: str | None = None) -> str:
    """``util.time.nowFormatted(format, timezone?)``: e.g. ``2018-02-06 19:01:35+0000``."""
    return JavaDateTimeFormat(format).format(_now().astimezone(_zone(timezone)))


def parse_formatted_to_epoch_milli_seconds(
    time: str, format: str, timezone: str | None = None
) -> int:
    """``util.time.parseFormattedToEpochMilliSeconds(time, format, timezone?)``.

    A zone or offset in ``time`` (pattern letters ``Z X x VV z``) wins; otherwise ``time`` is
    read in ``timezone`` (default UTC).
    """
    return _to_millis(JavaDateTimeFormat(format).parse(time, _zone(timezone)))


def parse_iso8601_to_epoch_milli_seconds(time: str) -> int:
    """``util.time.parseISO8601ToEpochMilliSeconds``: e.g. ``2018-02-01T17:21:05.180+08:00``.

    Accepts what ``datetime.fromisoformat`` accepts (``Z`` included); a timestamp without an
    offset, or a bare date, is read as UTC.
    """
    try:
        moment = datetime.fromisoformat(time)
    except (TypeError, ValueError):
        raise ValueError(f"{time!r} is not an ISO 8601 timestamp") from None
    return _to_millis(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def epoch_milli_seconds_to_seconds(epoch_ms: int) -> int:
    """``util.time.epochMilliSecondsToSeconds``: whole seconds, rounded down (as Java's
    ``Instant.getEpochSecond``)."""
    return _millis(epoch_ms) // 1000


def epoch_milli_seconds_to_iso8601(epoch_ms: int) -> str:
    """``util.time.epochMilliSecondsToISO8601``: UTC, always with milliseconds."""
    return _iso8601(_from_millis(epoch_ms))


def epoch_milli_seconds_to_formatted(
    epoch_ms: int, format: str, timezone: str | None = None
) -> str:
    """``util.time.epochMilliSecondsToFormatted(epochMs, format, timezone?)``."""
    return JavaDateTimeFormat(format).format(_from_millis(epoch_ms).astimezone(_zone(timezone)))


def _zone(timezone: str | None) -> tzinfo:
    return UTC if timezone is None else resolve_zone(timezone)


def _iso8601(moment: datetime) -> str:
    m = moment.astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


def _to_millis(moment: datetime) -> int:
    return (moment - _EPOCH) // _MILLISECOND


def _millis(epoch_ms: object) -> int:
    """Epoch milliseconds as an ``int``; a whole ``float`` (a JSON number) is accepted."""
    if isinstance(epoch_ms, bool) or not isinstance(epoch_ms, int | float):
        raise TypeError(f"epoch milliseconds must be a number, got {type(epoch_ms).__name__}")
    if isinstance(epoch_ms, float) and not epoch_ms.is_integer():
        raise ValueError(f"epoch milliseconds must be whole, got {epoch_ms}")
    return int(epoch_ms)


def _from_millis(epoch_ms: int) -> datetime:
    try:
        return _EPOCH + _millis(epoch_ms) * _MILLISECOND
    except OverflowError:
        raise ValueError(f"epoch milliseconds {epoch_ms} are out of range") from None
