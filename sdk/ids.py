"""ID generation utils: ``util.autoId()``, ``util.autoUlid()``, ``util.autoKsuid()``.

AppSync developer guide, "Built-in utilities" (APPSYNC_JS), section "ID generation utils":
https://docs.aws.amazon.com/appsync/latest/devguide/built-in-util-js.html

- ULID (https://github.com/ulid/spec): 48-bit Unix time in milliseconds + 80 random bits, as
  26 characters of Crockford base32. IDs from different milliseconds sort by time; within one
  millisecond the order is random, because the spec's "monotonic" mode needs state shared
  between calls, which Syncline does not keep.
- KSUID (https://github.com/segmentio/ksuid): 32-bit seconds since 2014-05-13T16:53:20Z +
  128 random bits, as 27 characters of base62 (``0-9A-Za-z``), which sort by second.

The ``encode_*`` functions are pure, so tests pin exact outputs.
"""

from __future__ import annotations

import os
import time
import uuid

__all__ = ["KSUID_EPOCH", "auto_id", "auto_ksuid", "auto_ulid", "encode_ksuid", "encode_ulid"]

CROCKFORD_BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KSUID_EPOCH = 1_400_000_000
"""KSUID timestamps count seconds from this Unix time (2014-05-13T16:53:20Z)."""

_ULID_LENGTH = 26
_KSUID_LENGTH = 27


def auto_id() -> str:
    """``util.autoId()``: a random (version 4) UUID, e.g. ``"1f0b6f2e-…"``."""
    return str(uuid.uuid4())


def auto_ulid() -> str:
    """``util.autoUlid()``: a 26-character ULID, ordered by millisecond."""
    return encode_ulid(time.time_ns() // 1_000_000, os.urandom(10))


def auto_ksuid() -> str:
    """``util.autoKsuid()``: a 27-character base62 KSUID, ordered by second."""
    return encode_ksuid(time.time_ns() // 1_000_000_000, os.urandom(16))


def encode_ulid(timestamp_ms: int, randomness: bytes) -> str:
    """The ULID of a Unix time in milliseconds and 10 random bytes."""
    if not 0 <= timestamp_ms < 1 << 48:
        raise ValueError(f"a ULID timestamp is 48 bits of milliseconds, got {timestamp_ms}")
    if len(randomness) != 10:
        raise ValueError(f"a ULID takes 10 random bytes, got {len(randomness)}")
    value = timestamp_ms << 80 | int.from_bytes(randomness, "big")
    chars = []
    for _ in range(_ULID_LENGTH):
        value, digit = divmod(value, 32)
        chars.append(CROCKFORD_BASE32[digit])
    return "".join(reversed(chars))


def encode_ksuid(unix_seconds: int, payload: bytes) -> str:
    """The KSUID of a Unix time in seconds and a 16-byte random payload."""
    offset = unix_seconds - KSUID_EPOCH
    if not 0 <= offset < 1 << 32:
        raise ValueError(
            f"a KSUID covers Unix seconds {KSUID_EPOCH} to {KSUID_EPOCH + (1 << 32) - 1}"
        )
    if len(payload) != 16:
        raise ValueError(f"a KSUID takes a 16-byte payload, got {len(payload)}")
    value = offset << 128 | int.from_bytes(payload, "big")
    chars = []
    for _ in range(_KSUID_LENGTH):
        value, digit = divmod(value, 62)
        chars.append(BASE62[digit])
    return "".join(reversed(chars))
