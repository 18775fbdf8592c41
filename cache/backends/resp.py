"""RESP2, the Redis wire protocol, for the cache's Redis client (``cache.backends.redis_client``).

Redis protocol specification ("RESP protocol spec", RESP2): a command is an array of bulk
strings; a reply is a simple string (``+``), an error (``-``), an integer (``:``), a bulk string
(``$``, length -1 for nil) or an array (``*``, of replies; count -1 for nil).

Replies are parsed from ``bytes`` at a position and return the next one, so one read holding
many pipelined replies is parsed without copying it. A reply cut off at the end of the read
raises ``Incomplete`` with the number of bytes it needs at least, so a large value that arrives
in many reads is parsed once, when it is whole.

Errors (the Redis client raises these; ``cache.api_cache.ApiCache`` catches every one)::

    RedisError
    ├── ReplyError            Redis answered a command with an error reply (``-ERR …``)
    ├── ProtocolError         bytes that are not RESP2: the connection is dropped
    └── RedisConnectionError  cannot connect, or the connection was lost with replies awaited
        └── RedisTimeoutError no connection, or no reply, within the client's timeout
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Union

Reply = Union[bytes, int, None, "ReplyError", list["Reply"]]
"""A parsed reply; simple strings are ``bytes`` like bulk strings."""

Argument = bytes | str | int

_CRLF = b"\r\n"
_BULK, _ARRAY, _INTEGER, _SIMPLE, _ERROR = b"$*:+-"


class RedisError(Exception):
    """Anything the cache's Redis client raises."""


class ReplyError(RedisError):
    """An error reply. Inside an array it is the element's value, not raised."""


class ProtocolError(RedisError):
    pass


class RedisConnectionError(RedisError):
    pass


class RedisTimeoutError(RedisConnectionError):
    pass


class Incomplete(Exception):
    """The reply at the position is not whole yet; ``needed`` bytes from it, at least."""

    def __init__(self, needed: int) -> None:
        super().__init__(needed)
        self.needed = needed


def encode_command(arguments: Sequence[Argument]) -> bytes:
    """One command as a RESP array of bulk strings (``str`` as UTF-8, ``int`` in decimal)."""
    parts = [b"*%d\r\n" % len(arguments)]
    for argument in arguments:
        if isinstance(argument, str):
            argument = argument.encode()
        elif isinstance(argument, int):
            argument = b"%d" % argument
        parts.append(b"$%d\r\n%b\r\n" % (len(argument), argument))
    return b"".join(parts)


def parse_reply(data: bytes, start: int) -> tuple[Reply, int]:
    """The reply that begins at ``data[start]`` and the position after it.

    Raises ``Incomplete`` when ``data`` ends inside it, ``ProtocolError`` when it is not RESP2.
    """
    end = data.find(_CRLF, start)
    if end < 0:
        raise Incomplete(len(data) - start + 1)
    kind = data[start]
    if kind == _BULK:
        length = _integer(data, start + 1, end)
        if length < 0:
            return None, end + 2
        stop = end + 2 + length
        if len(data) < stop + 2:
            raise Incomplete(stop + 2 - start)
        return data[end + 2 : stop], stop + 2
    if kind == _ARRAY:
        count = _integer(data, start + 1, end)
        if count < 0:
            return None, end + 2
        items: list[Reply] = []
        position = end + 2
        try:
            for _ in range(count):
                item, position = parse_reply(data, position)
                items.append(item)
        except Incomplete as incomplete:
            raise Incomplete(position - start + incomplete.needed) from None
        return items, position
    if kind == _INTEGER:
        return _integer(data, start + 1, end), end + 2
    if kind == _SIMPLE:
        return data[start + 1 : end], end + 2
    if kind == _ERROR:
        return ReplyError(data[start + 1 : end].decode(errors="replace")), end + 2
    raise ProtocolError(f"not a RESP2 reply: {data[start : start + 32]!r}")


def _integer(data: bytes, start: int, end: int) -> int:
    try:
        return int(data[start:end])
    except ValueError:
        raise ProtocolError(f"not a RESP2 integer: {data[start:end][:32]!r}") from None
