"""``ctx`` for one resolver call: lazily made ``stash`` and ``prev``, the current context set
once for the resolver's handlers and data sources, one ``Batching`` per resolver."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, cast

import pytest

from resolvers.code import CodeModule
from resolvers.context import Info, Prev, Request, RequestState, ResolverContext, current_context
from resolvers.pipeline import FunctionStep, PipelineResolver
from resolvers.unit import UnitResolver


def _ctx() -> ResolverContext:
    return ResolverContext({"id": "1"}, None, cast(Info, None), RequestState(Request({})))


def test_stash_and_prev_are_made_once_and_can_be_replaced():
    ctx = _ctx()
    ctx.stash["a"] = 1
    assert ctx.stash == {"a": 1}
    assert ctx.stash is ctx.stash
    ctx.prev.result = "r"
    assert ctx.prev.result == "r"
    ctx.stash = {"b": 2}
    ctx.prev = Prev("p")
    assert (ctx.stash, ctx.prev.result) == ({"b": 2}, "p")
    assert (ctx.args, ctx.result, ctx.error) == ({"id": "1"}, None, None)


class Recorder:
    """A data source that records the current context while it runs."""

    never_suspends = False

    def __init__(self) -> None:
        self.seen: list[tuple[ResolverContext, object]] = []

    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        await asyncio.sleep(0)
        self.seen.append((current_context.get(), ctx.batching))
        return request["payload"]


def _recording_code(seen: list[ResolverContext]) -> CodeModule:
    def request(ctx: ResolverContext) -> Any:
        seen.append(current_context.get())
        return {"payload": ctx.args["id"]}

    def response(ctx: ResolverContext) -> Any:
        seen.append(current_context.get())
        return ctx.result

    return CodeModule(Path("t.py"), request, response)


def test_a_unit_resolver_is_the_current_context_for_its_handlers_and_data_source_only():
    handlers: list[ResolverContext] = []
    source = Recorder()
    resolver = UnitResolver(source, _recording_code(handlers), max_batch_size=5)
    first, second = _ctx(), _ctx()

    async def run() -> list[Any]:
        return [await resolver.resolve(first), await resolver.resolve(second)]

    assert asyncio.run(run()) == ["1", "1"]
    assert handlers == [first, first, second, second]
    assert [ctx for ctx, _ in source.seen] == [first, second]
    # One Batching for the resolver, whatever the number of calls.
    (batching,) = {id(b): b for _, b in source.seen}.values()
    assert batching is resolver.batching
    assert (resolver.batching.owner, resolver.batching.max_batch_size) == (resolver, 5)
    with pytest.raises(LookupError):
        current_context.get()


def test_a_pipeline_is_the_current_context_for_every_step():
    handlers: list[ResolverContext] = []
    source = Recorder()
    step = FunctionStep("f", source, _recording_code(handlers), max_batch_size=2)
    before_after = _recording_code(handlers)
    resolver = PipelineResolver(before_after, (step, step))
    ctx = _ctx()
    asyncio.run(resolver.resolve(ctx))
    assert handlers == [ctx] * 6
    assert source.seen == [(ctx, step.batching), (ctx, step.batching)]
    assert step.batching.owner is step
    with pytest.raises(LookupError):
        current_context.get()
