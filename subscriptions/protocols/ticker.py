"""One task drives every connection's timers: keep-alives, init and idle timeouts.

A task (or a timer handle) per connection would cost memory on every idle connection; instead each
connection registers here and gets ``tick(now)`` once per ``interval``. The task runs only while
some connection is registered.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Protocol


class Ticking(Protocol):
    def tick(self, now: float) -> None: ...


class Ticker:
    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._watched: dict[Ticking, None] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, connection: Ticking) -> None:
        self._watched[connection] = None
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    def unwatch(self, connection: Ticking) -> None:
        self._watched.pop(connection, None)

    async def _run(self) -> None:
        try:
            while self._watched:
                await asyncio.sleep(self.interval)
                now = time.monotonic()
                for connection in list(self._watched):
                    connection.tick(now)
        finally:
            self._task = None

    async def stop(self) -> None:
        task = self._task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
