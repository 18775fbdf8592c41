"""Server frames built as bytes (RFC 6455 §5.2), checked against the websockets library's parser."""

from __future__ import annotations

from collections.abc import Generator

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from subscriptions.engine import Message
from subscriptions.frames import frame_header, text_frame, wrapped_frame
from subscriptions.protocols.operations import message_prefix


def parse(data: bytes) -> Frame:
    """One frame as a client reads it (server frames are unmasked)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser: Generator[None, None, Frame] = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame: Frame = done.value
        assert not reader.buffer  # nothing left over
        return frame
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize(
    "length",
    [
        pytest.param(0, id="empty"),
        pytest.param(125, id="7-bit-max"),
        pytest.param(126, id="16-bit-min"),
        pytest.param(65535, id="16-bit-max"),
        pytest.param(65536, id="64-bit-min"),
    ],
)
def test_text_frame_lengths(length: int) -> None:
    payload = b"x" * length
    frame = parse(text_frame(payload))
    assert (frame.opcode, frame.fin, frame.data) == (Opcode.TEXT, True, payload)


def test_header_sizes() -> None:
    assert [len(frame_header(n)) for n in (125, 126, 65535, 65536)] == [2, 4, 4, 10]


def test_a_subscription_message_is_prefix_event_and_brace() -> None:
    message = Message('{"data":{"onTicket":{"title":"ünï"}}}')
    prefix = message_prefix('a"1', "next")
    frame = parse(wrapped_frame(prefix, message.data, b"}"))
    assert bytes(frame.data).decode() == (
        '{"id":"a\\"1","type":"next","payload":{"data":{"onTicket":{"title":"ünï"}}}}'
    )


def test_a_message_is_its_text() -> None:
    message = Message('{"data":"é"}')
    assert message == '{"data":"é"}'
    assert message.data == '{"data":"é"}'.encode()
