"""A connection's bounded, ordered send queue: the fan-out never waits for a slow client.

The fan-out appends a message and returns; one writer task per connection (started when there is
something to send, gone when the queue is empty) sends in order. A client that stops reading
makes its transport stop accepting writes; the queue then fills to ``limit`` and the connection
is dropped with a logged reason instead of memory growing without bound. An idle connection
holds no queue and no task.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable

#: Messages one connection may have waiting before it counts as a slow consumer.
DEFAULT_LIMIT = 1_000


class Outbox:
    __slots__ = ("_limit", "_on_overflow", "_queue", "_send", "_writer", "closed")

    def __init__(
        self,
        send: Callable[[str], Awaitable[None]],
        on_overflow: Callable[[int], None],
        limit: int = DEFAULT_LIMIT,
    ) -> None:
        self._send = send
        self._on_overflow = on_overflow
        self._limit = limit
        self._queue: deque[str] | None = None
        self._writer: asyncio.Task[None] | None = None
        self.closed = False

    def put(self, text: str) -> None:
        if self.closed:
            return
        queue = self._queue
        if queue is None:
            queue = self._queue = deque()
        elif len(queue) >= self._limit:
            self.closed = True
            self._queue = None
            self._on_overflow(self._limit)
            return
        queue.append(text)
        if self._writer is None:
            self._writer = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._queue:
                await self._send(self._queue.popleft())
        except Exception:
            # The peer is gone (the connection's receive loop sees the disconnect and cleans up).
            self.closed = True
        finally:
            self._queue = None
            self._writer = None

    async def flush(self) -> None:
        """Wait until everything queued so far was handed to the transport."""
        while self._writer is not None:
            await asyncio.shield(self._writer)

    def close(self) -> None:
        """Stop sending: drop what is queued and cancel the writer."""
        self.closed = True
        self._queue = None
        if self._writer is not None:
            self._writer.cancel()
            self._writer = None

    @property
    def pending(self) -> int:
        return len(self._queue) if self._queue is not None else 0
