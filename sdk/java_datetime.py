"""Java ``DateTimeFormatter`` patterns, the format language of ``util.time``.

AppSync developer guide, "Time helpers in util.time": "The syntax for datetime formats is based
on DateTimeFormatter" (https://docs.aws.amazon.com/appsync/latest/devguide/time-helpers-in-util-time-js.html,
pattern letters: https://docs.oracle.com/javase/8/docs/api/java/time/format/DateTimeFormatter.html).
This module implements the commonly used subset, in English (Java's ``Locale.US``):

=======  ==============================  ================================================
letter   meaning                         counts
=======  ==============================  ================================================
G        era                             G-GGG ``AD``, GGGG ``Anno Domini``
y, u     year                            yy ``18``; y, yyy, yyyy: at least that many digits
M, L     month                           M ``2``, MM ``02``, MMM ``Feb``, MMMM ``February``
d        day of month                    d ``7``, dd ``07``
D        day of year                     D, DD, DDD (minimum width)
E        day of week                     E-EEE ``Tue``, EEEE ``Tuesday``
a        AM/PM                           a ``PM``
H k K h  hour 0-23, 1-24, 0-11, 1-12     one letter: no padding; two: two digits
m, s     minute, second                  m/mm, s/ss
S        fraction of second              S … SSSSSSSSS, that many digits (SSS: milliseconds)
VV       time-zone ID                    ``Australia/Perth``
z        time-zone name                  z-zzz ``AWST`` (parsing: a zone ID, ``UTC``, ``GMT``)
Z        offset                          Z-ZZZ ``+0800``, ZZZZ ``GMT+08:00``, ZZZZZ ``+08:00``/``Z``
X, x     offset (X: ``Z`` for zero)      X ``+08``, XX ``+0800``, XXX ``+08:00``
=======  ==============================  ================================================

Text in single quotes is literal (``'T'``; ``''`` is one quote); other non-letters are literal.
Any other letter, too many letters, and Java's optional sections (``[ ]``) raise ``ValueError``
naming the pattern. Parsing is strict: impossible dates such as ``2018-02-30`` raise instead of
being adjusted (Java's default "smart" resolver would move them to the month's last day), and
fields the pattern lacks default to 1970-01-01T00:00:00.000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo

__all__ = ["JavaDateTimeFormat", "resolve_zone"]

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MAX_COUNT = {
    "G": 4, "y": 4, "u": 4, "M": 4, "L": 4, "d": 2, "D": 3, "E": 4, "a": 1, "H": 2,
    "k": 2, "K": 2, "h": 2, "m": 2, "s": 2, "S": 9, "V": 2, "z": 3, "Z": 5, "X": 3, "x": 3,
}  # fmt: skip
_ZONE_TEXT = r"[A-Za-z][A-Za-z0-9_+\-/]*"
_OFFSET_ID = re.compile(r"(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?")


@dataclass(frozen=True, slots=True)
class Field:
    """One run of a pattern letter, e.g. ``yyyy`` is ``Field("y", 4)``."""

    letter: str
    count: int


def resolve_zone(name: str) -> tzinfo:
    """A Java-style zone ID: an IANA name (``Australia/Perth``), ``UTC``/``GMT``/``Z``, or an
    offset (``+08:00``, ``-0530``, ``UTC+8``)."""
    if name in ("Z", "UTC", "GMT", "UT"):
        return UTC
    offset = _OFFSET_ID.fullmatch(name)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta > timedelta(hours=18):
            raise ValueError(f"time zone offset {name!r} is beyond ±18:00")
        return timezone(-delta if sign == "-" else delta)
    # zoneinfo loads with the first named zone: importing it reads sysconfig for the zone
    # search path, work a resolver that never names a zone should not pay at start-up.
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


class JavaDateTimeFormat:
    """A compiled pattern: ``format`` an aware datetime, or ``parse`` text into one."""

    __slots__ = ("_regex", "_tokens", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._tokens = _tokenize(pattern)
        self._regex = re.compile(
            "".join(
                f"(?P<f{i}>{_field_regex(token)})" if isinstance(token, Field) else re.escape(token)
                for i, token in enumerate(self._tokens)
            )
        )

    def format(self, moment: datetime) -> str:
        return "".join(
            _format_field(token, moment) if isinstance(token, Field) else token
            for token in self._tokens
        )

    def parse(self, text: str, default_zone: tzinfo) -> datetime:
        """``text`` as an aware datetime; a zone or offset in the text beats ``default_zone``."""
        match = self._regex.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} does not match the date-time format {self.pattern!r}")
        fields: dict[str, int] = {}
        zone: tzinfo | None = None
        try:
            for i, token in enumerate(self._tokens):
                if isinstance(token, Field):
                    zone = _read_field(token, match[f"f{i}"], fields) or zone
            return _resolve(fields, zone or default_zone)
        except ValueError as exc:
            raise ValueError(f"cannot parse {text!r} with format {self.pattern!r}: {exc}") from None


def _tokenize(pattern: str) -> list[str | Field]:
    tokens: list[str | Field] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "'":
            literal, i = _quoted(pattern, i)
            tokens.append(literal)
        elif char.isascii() and char.isalpha():
            end = i
            while end < n and pattern[end] == char:
                end += 1
            tokens.append(_field(pattern, char, end - i))
            i = end
        elif char in "[]{}#":
            raise ValueError(f"{char!r} in date-time format {pattern!r} is not supported")
        else:
            tokens.append(char)
            i += 1
    return tokens


def _quoted(pattern: str, start: int) -> tuple[str, int]:
    """The literal text of the quote starting at ``start``, and the index after it."""
    if pattern.startswith("''", start):
        return "'", start + 2
    out, i = [], start + 1
    while i < len(pattern):
        if pattern.startswith("''", i):
            out.append("'")
            i += 2
        elif pattern[i] == "'":
            return "".join(out), i + 1
        else:
            out.append(pattern[i])
            i += 1
    raise ValueError(f"unterminated quote in date-time format {pattern!r}")


def _field(pattern: str, letter: str, count: int) -> Field:
    if letter not in MAX_COUNT:
        supported = " ".join(MAX_COUNT)
        raise ValueError(
            f"pattern letter {letter!r} in date-time format {pattern!r} is not supported "
            f"(supported: {supported}; quote literal text: 'T')"
        )
    if count > MAX_COUNT[letter] or (letter == "V" and count != 2):
        raise ValueError(f"{letter * count!r} in date-time format {pattern!r}: wrong letter count")
    return Field(letter, count)


def _format_field(field: Field, moment: datetime) -> str:
    letter, n = field.letter, field.count
    match letter:
        case "G":
            return "AD" if n < 4 else "Anno Domini"
        case "y" | "u":
            return f"{moment.year % 100:02d}" if n == 2 else f"{moment.year:0{n}d}"
        case "M" | "L" if n >= 3:
            name = MONTHS[moment.month - 1]
            return name[:3] if n == 3 else name
        case "E":
            name = DAYS[moment.weekday()]
            return name[:3] if n < 4 else name
        case "a":
            return "AM" if moment.hour < 12 else "PM"
        case "S":
            return f"{moment.microsecond:06d}000"[:n]
        case "V":
            return _zone_id(moment)
        case "z":
            return moment.tzname() or _zone_id(moment)
        case "Z" | "X" | "x":
            return _format_offset(field, moment.utcoffset() or timedelta(0))
    number = {
        "M": moment.month,
        "L": moment.month,
        "d": moment.day,
        "D": moment.timetuple().tm_yday,
        "H": moment.hour,
        "k": moment.hour or 24,
        "K": moment.hour % 12,
        "h": moment.hour % 12 or 12,
        "m": moment.minute,
        "s": moment.second,
    }[letter]
    return f"{number:0{n}d}"


def _zone_id(moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    zone = moment.tzinfo
    return zone.key if isinstance(zone, ZoneInfo) else moment.tzname() or "UTC"


def _format_offset(field: Field, offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hh, mm = divmod(abs(minutes), 60)
    if field.letter == "Z" and field.count <= 3:
        return f"{sign}{hh:02d}{mm:02d}"
    if field.letter == "Z" and field.count == 4:
        return "GMT" if minutes == 0 else f"GMT{sign}{hh:02d}:{mm:02d}"
    if minutes == 0 and (field.letter == "X" or field.count == 5):
        return "Z"
    if field.count == 1:
        return f"{sign}{hh:02d}" + (f"{mm:02d}" if mm else "")
    if field.count == 2:
        return f"{sign}{hh:02d}{mm:02d}"
    return f"{sign}{hh:02d}:{mm:02d}"


def _field_regex(field: Field) -> str:
    letter, n = field.letter, field.count
    match letter:
        case "G":
            return "AD|Anno Domini"
        case "y" | "u":
            return {1: r"\d{1,4}", 2: r"\d{2}", 3: r"\d{3,4}", 4: r"\d{4}"}[n]
        case "M" | "L" if n >= 3:
            return "|".join(name[:3] if n == 3 else name for name in MONTHS)
        case "E":
            return "|".join(name[:3] if n < 4 else name for name in DAYS)
        case "D":
            return rf"\d{{{n},3}}"
        case "a":
            return "AM|PM"
        case "S":
            return rf"\d{{{n}}}"
        case "V" | "z":
            return _ZONE_TEXT
        case "Z" if n <= 3:
            return r"[+-]\d{4}"
        case "Z" if n == 4:
            return r"GMT(?:[+-]\d{2}:\d{2})?"
        case "Z" | "X" | "x":
            numeric = {1: r"[+-]\d{2}(?:\d{2})?", 2: r"[+-]\d{4}", 3: r"[+-]\d{2}:\d{2}"}
            offset = numeric[min(n, 3)]
            return f"Z|{offset}" if letter == "X" or n == 5 else offset
    return r"\d{1,2}" if n == 1 else r"\d{2}"


def _read_field(field: Field, text: str, fields: dict[str, int]) -> tzinfo | None:
    """Record the value of one parsed field in ``fields``; return the zone if it names one."""
    letter, n = field.letter, field.count
    match letter:
        case "G":
            return None
        case "y" | "u":
            _put(fields, "year", int(text) + (2000 if n == 2 else 0))
        case "M" | "L":
            months = MONTHS if n == 4 else tuple(name[:3] for name in MONTHS)
            _put(fields, "month", int(text) if n <= 2 else months.index(text) + 1)
        case "E":
            days = DAYS if n == 4 else tuple(name[:3] for name in DAYS)
            _put(fields, "weekday", days.index(text))
        case "a":
            _put(fields, "pm", text == "PM")
        case "S":
            _put(fields, "microsecond", int(text.ljust(6, "0")[:6]))
        case "V" | "z":
            return resolve_zone(text)
        case "Z" | "X" | "x":
            return UTC if text in ("Z", "GMT") else resolve_zone(text.removeprefix("GMT"))
        case "k" | "h" | "K":
            low, high = {"k": (1, 24), "h": (1, 12), "K": (0, 11)}[letter]
            if not low <= int(text) <= high:
                raise ValueError(f"{letter!r} must be {low}-{high}, got {text}")
            key = "hour" if letter == "k" else "hour_of_ampm"
            _put(fields, key, int(text) % (24 if letter == "k" else 12))
        case _:
            keys = {"d": "day", "D": "day_of_year", "H": "hour", "m": "minute", "s": "second"}
            _put(fields, keys[letter], int(text))
    return None


def _put(fields: dict[str, int], key: str, value: int) -> None:
    if fields.setdefault(key, value) != value:
        raise ValueError(f"conflicting values for the {key.replace('_', ' ')}")


def _resolve(fields: dict[str, int], zone: tzinfo) -> datetime:
    year = fields.get("year", 1970)
    day = date(year, fields.get("month", 1), fields.get("day", 1))
    if "day_of_year" in fields:
        by_ordinal = date(year, 1, 1) + timedelta(days=fields["day_of_year"] - 1)
        if by_ordinal.year != year or ({"month", "day"} & fields.keys() and by_ordinal != day):
            raise ValueError("the day of year does not fit the date")
        day = by_ordinal
    if "weekday" in fields and day.weekday() != fields["weekday"]:
        raise ValueError(f"{day.isoformat()} is not a {DAYS[fields['weekday']]}")
    hour = fields.get("hour", 0)
    if "hour_of_ampm" in fields:
        hour12 = fields["hour_of_ampm"] + (12 if fields.get("pm") else 0)
        if "hour" in fields and hour != hour12:
            raise ValueError("conflicting values for the hour")
        hour = hour12
    elif "hour" in fields and "pm" in fields and (hour >= 12) != bool(fields["pm"]):
        raise ValueError("the hour does not fit AM/PM")
    return datetime(
        day.year,
        day.month,
        day.day,
        hour,
        fields.get("minute", 0),
        fields.get("second", 0),
        fields.get("microsecond", 0),
        tzinfo=zone,
    )
