"""Server-to-client WebSocket text frames, built as bytes and written straight to the transport.

RFC 6455 §5.2: frames a server sends are not masked, so a text message's frame is a 2-, 4- or
10-byte header followed by the UTF-8 payload. A subscription message is its protocol's prefix
(``{"id":"…","type":"next","payload":``), the event rendered once for the whole group, and ``}``:
three byte strings, joined under a header — no JSON encoding per subscriber.

A WebSocket server that lets the application write such frames itself, synchronously, offers a
``FrameWriter`` as the ASGI scope extension ``FRAME_WRITER_EXTENSION``; ``syncline serve``'s
protocol does (``subscriptions/uvicorn_ws.py``). Under another ASGI server connections use the
ASGI ``send`` coroutine instead (``subscriptions/outbox.py``). This module imports no server.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Protocol

FRAME_WRITER_EXTENSION = "syncline.websocket.frames"

_FIN_TEXT = 0x81
"""FIN set, opcode 1 (text)."""

_SHORT_HEADERS = tuple(bytes((_FIN_TEXT, length)) for length in range(126))
_MEDIUM_HEADER = struct.Struct(">BBH").pack
_LONG_HEADER = struct.Struct(">BBQ").pack


def frame_header(length: int) -> bytes:
    """The header of an unmasked, unfragmented text frame whose payload is ``length`` bytes."""
    if length < 126:
        return _SHORT_HEADERS[length]
    if length < 65536:
        return _MEDIUM_HEADER(_FIN_TEXT, 126, length)
    return _LONG_HEADER(_FIN_TEXT, 127, length)


def text_frame(payload: bytes) -> bytes:
    return frame_header(len(payload)) + payload


def wrapped_frame(prefix: bytes, body: bytes, suffix: bytes) -> bytes:
    """The frame of ``prefix + body + suffix``, copied once."""
    length = len(prefix) + len(body) + len(suffix)
    header = _SHORT_HEADERS[length] if length < 126 else frame_header(length)
    return b"".join((header, prefix, body, suffix))


class FrameWriter(Protocol):
    """Synchronous frame writes into one connection's transport, with its flow control."""

    @property
    def writing_paused(self) -> bool:
        """True while the transport's buffer is over its high-water mark (the client is not
        reading fast enough): queue instead of writing."""
        ...

    def write_frames(self, data: bytes | bytearray) -> None:
        """Write whole frames; ignored once the connection is closing."""
        ...

    def on_writable(self, callback: Callable[[], None] | None) -> None:
        """Call ``callback`` whenever a paused transport resumes writing."""
        ...

    def abort(self) -> None:
        """Drop the TCP connection at once, discarding what is buffered."""
        ...
