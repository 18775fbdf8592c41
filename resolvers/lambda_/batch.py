"""``BatchInvoke``: sibling resolutions of one field, within one request, in as few invocations
as ``maxBatchSize`` allows.

AppSync developer guide, "AWS AppSync JavaScript resolver function reference for Lambda —
Operation": ``BatchInvoke`` batches the requests of the current GraphQL field, and the function
answers with a list aligned with the list of payloads it received. One ``BatchLoader`` exists
per request, data source, resolver (or pipeline function) and field; it lives in the request's
``RequestState``, so batches never mix requests.

A batch goes out as soon as it holds ``maxBatchSize`` payloads; a partial batch goes out once
the event loop has run a full turn without a new sibling arriving — by then graphql-core has
started every sibling it can, since it starts the items of a list together.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

BatchOutcome = Any
"""A field's value, or the ``BaseException`` that fails that field alone."""
InvokeBatch = Callable[[list[Any]], Awaitable[Sequence[BatchOutcome]]]

_MAX_SETTLE_TURNS = 64


class BatchLoader:
    def __init__(self, invoke_batch: InvokeBatch, max_batch_size: int) -> None:
        self.invoke_batch = invoke_batch
        self.max_batch_size = max_batch_size
        self.invocations = 0
        self._pending: list[tuple[Any, asyncio.Future[Any]]] = []
        self._flush_scheduled = False
        self._seen_at_last_turn = 0
        self._turns = 0
        self._running: set[asyncio.Task[None]] = set()

    async def load(self, payload: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((payload, future))
        if len(self._pending) >= self.max_batch_size:
            self._dispatch()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            self._seen_at_last_turn, self._turns = len(self._pending), 0
            loop.call_soon(self._settle)
        return await future

    def _settle(self) -> None:
        """Dispatch once a loop turn adds no sibling (or after a bounded number of turns)."""
        if not self._pending:
            self._flush_scheduled = False
            return
        self._turns += 1
        if len(self._pending) != self._seen_at_last_turn and self._turns < _MAX_SETTLE_TURNS:
            self._seen_at_last_turn = len(self._pending)
            asyncio.get_running_loop().call_soon(self._settle)
            return
        self._flush_scheduled = False
        self._dispatch()

    def _dispatch(self) -> None:
        batch = self._pending[: self.max_batch_size]
        del self._pending[: self.max_batch_size]
        self.invocations += 1
        task = asyncio.ensure_future(self._run(batch))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        if self._pending and not self._flush_scheduled:
            self._flush_scheduled = True
            self._seen_at_last_turn, self._turns = len(self._pending), 0
            asyncio.get_running_loop().call_soon(self._settle)

    async def _run(self, batch: list[tuple[Any, asyncio.Future[Any]]]) -> None:
        try:
            outcomes = await self.invoke_batch([payload for payload, _ in batch])
        except BaseException as error:  # the whole batch failed: every field gets the error
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # that field's resolution was cancelled
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
