"""Pipeline resolvers: before → each function (request → data source → response) → after.

AppSync developer guide, "Pipeline resolvers (JavaScript)": the resolver's ``request`` (the
*before* step) runs first and its return value is the first function's ``ctx.prev.result``;
each function's result becomes the next one's ``ctx.prev.result``; the resolver's ``response``
(the *after* step) shapes the field's value. ``ctx.stash`` is shared by every step. At most 10
functions (an AppSync quota, enforced when the definition loads).

``runtime.early_return`` follows "Runtime utilities": from the *before* step (or with
``skip_to="END"``) the functions are skipped and the *after* step runs at once; from a
function's request (or with ``skip_to="NEXT"``) that function's data source and response are
skipped and the pipeline goes on with the returned value as ``ctx.prev.result``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resolvers.code import CodeModule
from resolvers.context import Batching, EarlyReturn, ResolverContext, SkipTo, current_context
from resolvers.registry import DataSourceClient
from resolvers.unit import call_data_source


@dataclass(frozen=True, slots=True)
class FunctionStep:
    name: str
    data_source: DataSourceClient
    code: CodeModule | None
    max_batch_size: int | None = None
    batching: Batching = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "batching", Batching(self, self.max_batch_size))


@dataclass(frozen=True, slots=True)
class PipelineResolver:
    code: CodeModule | None
    functions: tuple[FunctionStep, ...]

    async def resolve(self, ctx: ResolverContext) -> Any:
        token = current_context.set(ctx)
        try:
            return await self._run(ctx)
        finally:
            current_context.reset(token)

    async def _run(self, ctx: ResolverContext) -> Any:
        skip_functions = False
        try:
            before = (
                self.code.request(ctx)
                if self.code is not None and self.code.request is not None
                else {}
            )
        except EarlyReturn as early:
            before = early.value
            skip_functions = True
        ctx.prev.result = before
        if not skip_functions:
            for step in self.functions:
                try:
                    ctx.prev.result = await call_data_source(
                        step.code, step.data_source, ctx, step.batching
                    )
                except EarlyReturn as early:
                    ctx.prev.result = early.value
                    if early.skip_to is SkipTo.END:
                        break
                ctx.result = None
                ctx.error = None
        if self.code is None or self.code.response is None:
            return ctx.prev.result
        try:
            return self.code.response(ctx)
        except EarlyReturn as early:
            return early.value
