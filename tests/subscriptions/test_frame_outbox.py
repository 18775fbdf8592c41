"""``FrameOutbox`` and ``Flusher`` against a fake transport: ordering, batching, backpressure.

The wire-level slow-consumer tests (a real server, a client that stops reading) are in
``test_outbox.py``; these pin the rules one step at a time, without a server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from subscriptions.engine import Message
from subscriptions.frames import text_frame, wrapped_frame
from subscriptions.outbox import FLUSH_SLICE, Flusher, FrameOutbox
from subscriptions.protocols.operations import message_prefix

PREFIX = message_prefix("1", "next")


class FakeWriter:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.paused = False
        self.callback: Callable[[], None] | None = None
        self.fail = False
        self.aborted = False

    @property
    def writing_paused(self) -> bool:
        return self.paused

    def write_frames(self, data: bytes | bytearray) -> None:
        if self.fail:
            raise ConnectionResetError
        self.writes.append(bytes(data))

    def on_writable(self, callback: Callable[[], None] | None) -> None:
        self.callback = callback

    def abort(self) -> None:
        self.aborted = True

    def resume(self) -> None:
        self.paused = False
        if self.callback is not None:
            self.callback()


def outbox(
    writer: FakeWriter, flusher: Flusher | None = None, limit: int = 10
) -> tuple[FrameOutbox, list[int]]:
    overflows: list[int] = []
    return FrameOutbox(writer, flusher or Flusher(), overflows.append, limit), overflows


async def next_iteration() -> None:
    await asyncio.sleep(0)


def test_what_one_iteration_queues_leaves_in_one_write_in_order() -> None:
    async def run() -> None:
        writer = FakeWriter()
        box, _ = outbox(writer)
        message = Message('{"data":1}')
        box.put_text('{"type":"connection_ack"}')
        box.put_message(PREFIX, message)
        box.put_text('{"type":"pong"}')
        assert writer.writes == []  # nothing is written during the fan-out itself
        await next_iteration()
        assert writer.writes == [
            text_frame(b'{"type":"connection_ack"}')
            + wrapped_frame(PREFIX, message.data, b"}")
            + text_frame(b'{"type":"pong"}')
        ]
        assert box.pending == 0

    asyncio.run(run())


def test_a_paused_transport_keeps_messages_until_it_resumes() -> None:
    async def run() -> None:
        writer = FakeWriter()
        writer.paused = True
        box, overflows = outbox(writer)
        box.put_text("a")
        box.put_text("b")
        await next_iteration()
        assert (writer.writes, box.pending) == ([], 2)
        writer.resume()
        await next_iteration()
        assert writer.writes == [text_frame(b"a") + text_frame(b"b")]
        assert overflows == []

    asyncio.run(run())


def test_a_client_that_stays_paused_past_the_limit_overflows() -> None:
    async def run() -> None:
        writer = FakeWriter()
        writer.paused = True
        box, overflows = outbox(writer, limit=3)
        for n in range(3):
            box.put_text(str(n))
        assert (overflows, box.closed) == ([], False)
        box.put_text("3")
        assert (overflows, box.closed, box.pending) == ([3], True, 0)
        box.put_text("4")  # ignored once closed
        assert writer.callback is None  # a closed outbox leaves the transport alone
        writer.resume()
        await next_iteration()
        assert writer.writes == []

    asyncio.run(run())


def test_a_reading_client_is_never_dropped_for_a_busy_iteration() -> None:
    """The limit counts messages kept for a paused transport, not one iteration's batch."""

    async def run() -> None:
        writer = FakeWriter()
        box, overflows = outbox(writer, limit=2)
        for n in range(5):
            box.put_text(str(n))
        await next_iteration()
        assert overflows == []
        assert writer.writes == [b"".join(text_frame(str(n).encode()) for n in range(5))]

    asyncio.run(run())


def test_flush_waits_until_queued_frames_are_written() -> None:
    async def run() -> None:
        writer = FakeWriter()
        box, _ = outbox(writer)
        box.put_text("a")
        await box.flush()
        assert writer.writes == [text_frame(b"a")]
        await box.flush()  # nothing queued: returns at once

    asyncio.run(run())


def test_close_drops_what_is_queued_and_wakes_flush() -> None:
    async def run() -> None:
        writer = FakeWriter()
        writer.paused = True
        box, _ = outbox(writer)
        box.put_text("a")
        waiting = asyncio.ensure_future(box.flush())
        await next_iteration()
        box.close()
        await waiting
        assert (writer.writes, writer.callback) == ([], None)

    asyncio.run(run())


def test_a_failed_write_closes_the_outbox() -> None:
    async def run() -> None:
        writer = FakeWriter()
        writer.fail = True
        box, overflows = outbox(writer)
        box.put_text("a")
        await next_iteration()
        assert (box.closed, overflows) == (True, [])

    asyncio.run(run())


def test_abort_drops_the_connection() -> None:
    async def run() -> None:
        writer = FakeWriter()
        writer.paused = True
        box, _ = outbox(writer)
        box.put_text("a")
        box.abort()
        assert (box.closed, box.pending, writer.aborted) == (True, 0, True)

    asyncio.run(run())


def test_the_flusher_writes_a_slice_of_connections_per_iteration() -> None:
    """A large fan-out lets the loop run between slices; a message queued meanwhile joins the
    frames still waiting on a connection."""

    async def run() -> None:
        flusher = Flusher()
        writers = [FakeWriter() for _ in range(FLUSH_SLICE + 1)]
        boxes = [outbox(writer, flusher)[0] for writer in writers]
        for box in boxes:
            box.put_text("first")
        await next_iteration()
        assert [len(w.writes) for w in writers] == [1] * FLUSH_SLICE + [0]
        boxes[-1].put_text("second")
        await next_iteration()
        assert writers[-1].writes == [text_frame(b"first") + text_frame(b"second")]

    asyncio.run(run())
