"""A connection's bounded, ordered send queue: the fan-out never waits for a slow client.

The fan-out calls ``put_message`` for each subscriber and protocol handlers call ``put_text``;
neither blocks. Two implementations, picked per connection by ``Socket``:

- ``FrameOutbox``, when the server offers a ``FrameWriter`` (``syncline serve``): a message becomes
  a WebSocket frame by joining bytes (``subscriptions.frames``) and is written synchronously into
  the transport — no coroutine, no task, no future per message. The writes are left to one
  ``Flusher`` for all connections, after the fan-out: frames that several events queue on a
  connection before its turn leave in one ``write`` (one system call instead of one per
  message; each message is still its own frame, in order).
- ``SendOutbox``, under any other ASGI server: each message is one call into the ASGI ``send``
  coroutine, driven by hand instead of by a task; when ``send`` suspends (the transport paused
  writing) the driver resumes it from the awaited future's callback and later messages queue.

Either way, a client that stops reading leaves messages waiting; past ``limit`` of them the
connection is dropped with a logged reason (``on_overflow``) instead of memory growing without
bound. An idle connection holds no queue.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from subscriptions.frames import FrameWriter, text_frame, wrapped_frame

if TYPE_CHECKING:
    from subscriptions.engine import Message

#: Messages one connection may have waiting before it counts as a slow consumer.
DEFAULT_LIMIT = 1_000

#: Connections the ``Flusher`` writes to per event-loop iteration.
FLUSH_SLICE = 500

Send = Callable[[str], Coroutine[Any, Any, None]]
Overflow = Callable[[int], None]


class Outbox(Protocol):
    closed: bool

    def put_text(self, text: str) -> None:
        """Queue one protocol message (acknowledgements, errors, keep-alives)."""
        ...

    def put_message(self, prefix: bytes, message: Message) -> None:
        """Queue ``prefix + message + "}"``: a subscription message in its protocol envelope."""
        ...

    async def flush(self) -> None:
        """Wait until everything queued so far was handed to the transport."""
        ...

    def close(self) -> None:
        """Stop sending: drop what is queued."""
        ...

    def abort(self) -> None:
        """Drop the connection itself, where the server allows it."""
        ...

    @property
    def pending(self) -> int: ...


class Flusher:
    """Writes what ``FrameOutbox``es queued, a slice of connections per event-loop iteration.

    One per served API (``RealtimeContext``). A fan-out queues a frame on each subscriber's
    outbox; the writes follow, ``FLUSH_SLICE`` connections per iteration, so a fan-out to 10,000
    sockets never holds the loop for all 10,000 writes: requests keep being served between
    slices, and an event published meanwhile joins the frames still waiting — those connections
    then get both in one ``write``.
    """

    __slots__ = ("_dirty", "_scheduled")

    def __init__(self) -> None:
        self._dirty: deque[FrameOutbox] = deque()
        self._scheduled = False

    def add(self, outbox: FrameOutbox) -> None:
        self._dirty.append(outbox)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        dirty = self._dirty
        for _ in range(min(len(dirty), FLUSH_SLICE)):
            dirty.popleft().write_pending()
        if dirty:
            asyncio.get_running_loop().call_soon(self.flush)
        else:
            self._scheduled = False


class FrameOutbox:
    __slots__ = (
        "_count",
        "_flusher",
        "_limit",
        "_on_overflow",
        "_pending",
        "_waiters",
        "_writer",
        "closed",
    )

    def __init__(
        self, writer: FrameWriter, flusher: Flusher, on_overflow: Overflow, limit: int
    ) -> None:
        self._writer = writer
        self._flusher = flusher
        self._on_overflow = on_overflow
        self._limit = limit
        self._pending: bytes | bytearray | None = None
        """Frames not yet written, back to back: one frame as is, several in a ``bytearray``.
        Neither is an object the garbage collector tracks, so a fan-out that leaves frames
        waiting on 10,000 connections does not bring on full collections over every
        connection's objects (as 10,000 lists would, promoted while they wait)."""
        self._count = 0
        """Messages in ``_pending``."""
        self._waiters: list[asyncio.Future[None]] | None = None
        self.closed = False
        writer.on_writable(self._resumed)

    def put_text(self, text: str) -> None:
        self._put(text_frame(text.encode()))

    def put_message(self, prefix: bytes, message: Message) -> None:
        frame = wrapped_frame(prefix, message.data, b"}")
        if self._pending is None and not self.closed:  # the fan-out's usual case, inlined
            self._pending = frame
            self._count = 1
            self._flusher.add(self)
        else:
            self._put(frame)

    def _put(self, frame: bytes) -> None:
        if self.closed:
            return
        pending = self._pending
        if pending is None:
            self._pending = frame
            self._count = 1
            self._flusher.add(self)
            return
        if self._count >= self._limit and self._writer.writing_paused:
            self.close()
            self._on_overflow(self._limit)
            return
        if isinstance(pending, bytes):
            self._pending = bytearray(pending) + frame
        else:
            pending += frame
        self._count += 1

    def write_pending(self) -> None:
        """Hand what is queued to the transport (the ``Flusher`` calls this); while the
        transport is paused it stays queued until ``_resumed``."""
        pending = self._pending
        if pending is None or self.closed or self._writer.writing_paused:
            return
        self._pending = None
        self._count = 0
        try:
            self._writer.write_frames(pending)
        except Exception:
            # The peer is gone; the connection's receive loop sees it and cleans up.
            self.close()
        if self._waiters is not None:
            self._wake_waiters()

    def _resumed(self) -> None:
        if self._pending is not None and not self.closed:
            self._flusher.add(self)

    def _wake_waiters(self) -> None:
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    async def flush(self) -> None:
        if self._pending is None or self.closed:
            return
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter

    def close(self) -> None:
        self.closed = True
        self._pending = None
        self._count = 0
        self._writer.on_writable(None)
        self._wake_waiters()

    def abort(self) -> None:
        self.close()
        self._writer.abort()

    @property
    def pending(self) -> int:
        return self._count


class SendOutbox:
    """Sends through the ASGI ``send`` coroutine (servers without a ``FrameWriter``).

    Sending one message costs one call into ``send``, driven here by hand instead of by a task:
    with uvicorn's sans-I/O protocol that coroutine completes without suspending whenever the
    transport accepts writes, so the common case creates no task and no future.
    """

    __slots__ = ("_limit", "_on_overflow", "_queue", "_send", "_sending", "_waiters", "closed")

    def __init__(self, send: Send, on_overflow: Overflow, limit: int = DEFAULT_LIMIT) -> None:
        self._send = send
        self._on_overflow = on_overflow
        self._limit = limit
        self._queue: deque[str] | None = None
        self._sending: Coroutine[Any, Any, None] | None = None
        """The send that is suspended, waiting for the transport."""
        self._waiters: list[asyncio.Future[None]] | None = None
        self.closed = False

    def put_text(self, text: str) -> None:
        self.put(text)

    def put_message(self, prefix: bytes, message: Message) -> None:
        self.put(f"{prefix.decode()}{message}}}")

    def put(self, text: str) -> None:
        if self.closed:
            return
        if self._sending is None and not self._queue:
            self._start(text)
            return
        queue = self._queue
        if queue is None:
            queue = self._queue = deque()
        elif len(queue) >= self._limit:
            self.close()
            self._on_overflow(self._limit)
            return
        queue.append(text)

    def _start(self, text: str) -> None:
        """Send ``text`` and then whatever is queued, until a send suspends or all is sent."""
        while True:
            self._step(self._send(text))
            if self._sending is not None or self.closed:
                return
            queue = self._queue
            if not queue:
                self._queue = None
                self._wake_waiters()
                return
            text = queue.popleft()

    def _step(self, coroutine: Coroutine[Any, Any, None]) -> None:
        """Run ``coroutine`` until it finishes or suspends (then resume it on its future)."""
        try:
            awaited = coroutine.send(None)
        except StopIteration:
            self._sending = None
            return
        except Exception:
            # The peer is gone; the connection's receive loop sees it and cleans up.
            self._sending = None
            self.closed = True
            self._queue = None
            self._wake_waiters()
            return
        self._sending = coroutine
        if isinstance(awaited, asyncio.Future):
            # What a Task does with a future its coroutine yields (asyncio.tasks.Task.__step).
            awaited._asyncio_future_blocking = False
            awaited.add_done_callback(self._resume)
        else:
            asyncio.get_running_loop().call_soon(self._resume, None)

    def _resume(self, _future: object) -> None:
        coroutine = self._sending
        if coroutine is None:
            return
        self._step(coroutine)
        if self._sending is None and not self.closed:
            queue = self._queue
            if queue:
                self._start(queue.popleft())
            else:
                self._queue = None
                self._wake_waiters()

    def _wake_waiters(self) -> None:
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    async def flush(self) -> None:
        if self._sending is None and not self._queue:
            return
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter

    def close(self) -> None:
        self.closed = True
        self._queue = None
        coroutine, self._sending = self._sending, None
        if coroutine is not None:
            coroutine.close()
        self._wake_waiters()

    def abort(self) -> None:
        """The ASGI interface has no way to drop a connection: only stop sending."""
        self.close()

    @property
    def pending(self) -> int:
        return len(self._queue) if self._queue is not None else 0
