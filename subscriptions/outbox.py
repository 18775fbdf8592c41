"""A connection's bounded, ordered send queue: the fan-out never waits for a slow client.

The fan-out calls ``put`` for each subscriber; ``put`` never blocks. Sending one message costs one
call into the ASGI ``send`` coroutine, driven here by hand instead of by a task: with uvicorn's
sans-I/O protocol that coroutine completes without suspending whenever the transport accepts
writes, so the common case creates no task and no future (a task per delivered message was most
of the fan-out's cost). When ``send`` does suspend — the client stopped reading and the transport
paused writing — the driver resumes it from the awaited future's callback, exactly as a task
would, and later messages wait in a queue, in order.

A client that stays paused fills the queue to ``limit``; the connection is then dropped with a
logged reason (``on_overflow``) instead of memory growing without bound. An idle connection holds
no queue.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

#: Messages one connection may have waiting before it counts as a slow consumer.
DEFAULT_LIMIT = 1_000

Send = Callable[[str], Coroutine[Any, Any, None]]


class Outbox:
    __slots__ = ("_limit", "_on_overflow", "_queue", "_send", "_sending", "_waiters", "closed")

    def __init__(
        self, send: Send, on_overflow: Callable[[int], None], limit: int = DEFAULT_LIMIT
    ) -> None:
        self._send = send
        self._on_overflow = on_overflow
        self._limit = limit
        self._queue: deque[str] | None = None
        self._sending: Coroutine[Any, Any, None] | None = None
        """The send that is suspended, waiting for the transport."""
        self._waiters: list[asyncio.Future[None]] | None = None
        self.closed = False

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
        """Wait until everything queued so far was handed to the transport."""
        if self._sending is None and not self._queue:
            return
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        await waiter

    def close(self) -> None:
        """Stop sending: drop what is queued and abandon a suspended send."""
        self.closed = True
        self._queue = None
        coroutine, self._sending = self._sending, None
        if coroutine is not None:
            coroutine.close()
        self._wake_waiters()

    @property
    def pending(self) -> int:
        return len(self._queue) if self._queue is not None else 0
