"""Unit resolvers: ``request(ctx)`` → data source → ``response(ctx)``.

AppSync developer guide, "Resolver anatomy (JavaScript)": the request handler builds the data
source request, the data source runs it, and the response handler shapes ``ctx.result``. A data
source failure sets ``ctx.error`` and still calls the response handler, which decides whether
to raise it (``util.error(ctx.error.message, ctx.error.type)``) — as AppSync does. Without
code (a direct Lambda resolver) the error fails the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from resolvers.code import CodeModule
from resolvers.context import Batching, EarlyReturn, ResolverContext, current_context
from resolvers.registry import DataSourceClient
from schema.errors import ResolverError


def lambda_event(ctx: ResolverContext) -> dict[str, Any]:
    """AppSync's context event for direct Lambda resolvers ("Direct Lambda resolvers")."""
    return {
        "arguments": ctx.arguments,
        "identity": ctx.identity,
        "source": ctx.source,
        "request": {"headers": dict(ctx.request.headers), "domainName": ctx.request.domain_name},
        "prev": {"result": ctx.prev.result} if ctx.prev.result is not None else None,
        "info": ctx.info.as_event(),
        "stash": ctx.stash,
    }


async def call_data_source(
    code: CodeModule | None,
    data_source: DataSourceClient,
    ctx: ResolverContext,
    batching: Batching | None = None,
) -> Any:
    """One request → data source → response round, shared by unit resolvers and functions.

    ``batching`` names the resolver or function and its ``maxBatchSize``. Raises
    ``EarlyReturn`` when the request handler returns early. The caller has made ``ctx`` the
    current context (``resolvers.context.current_context``), once for the whole resolver.
    """
    ctx.batching = batching
    if code is None:
        # Direct Lambda resolver: the whole context is the event, the result is the value.
        # With maxBatchSize set, AppSync batches direct resolvers ("BatchInvoke").
        batched = batching is not None and bool(batching.max_batch_size)
        operation = "BatchInvoke" if batched else "Invoke"
        return await data_source.invoke({"operation": operation, "payload": lambda_event(ctx)}, ctx)
    request = code.request(ctx) if code.request is not None else {}
    ctx.error = None
    try:
        ctx.result = await data_source.invoke(request, ctx)
    except ResolverError as error:
        ctx.result = error.result
        ctx.error = error
    if code.response is None:
        if ctx.error is not None:
            raise ctx.error
        return ctx.result
    try:
        return code.response(ctx)
    except EarlyReturn as early:
        return early.value


@dataclass(frozen=True, slots=True)
class UnitResolver:
    data_source: DataSourceClient
    code: CodeModule | None
    max_batch_size: int | None = None
    batching: Batching = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "batching", Batching(self, self.max_batch_size))

    async def resolve(self, ctx: ResolverContext) -> Any:
        token = current_context.set(ctx)
        try:
            return await call_data_source(self.code, self.data_source, ctx, self.batching)
        except EarlyReturn as early:
            return early.value
        finally:
            current_context.reset(token)
