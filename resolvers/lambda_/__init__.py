"""The AWS_LAMBDA data source: AppSync's ``Invoke`` request against a local handler.

AppSync developer guide, "AWS AppSync JavaScript resolver function reference for Lambda": the
request is ``{operation: "Invoke", invocationType?: "RequestResponse" | "Event", payload}``;
``ctx.result`` is the function's return value. ``Event`` invocations return ``null`` at once
and their failures are logged.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from resolvers.context import ResolverContext
from resolvers.lambda_.local import LocalHandler, load_handlers, log
from resolvers.registry import DataSourceClient, Runtime, register
from schema.errors import DefinitionError, ResolverError
from schema.model import DataSource, DataSourceKind


class LambdaDataSource:
    def __init__(self, handler: LocalHandler) -> None:
        self.handler = handler
        self._background: set[asyncio.Task[Any]] = set()

    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        if not isinstance(request, Mapping):
            raise ResolverError("a Lambda request must be an object", "MappingTemplate")
        operation = request.get("operation", "Invoke")
        if operation != "Invoke":
            raise ResolverError(
                f"Lambda operation {operation!r} is not supported by this runtime",
                "MappingTemplate",
            )
        payload = request.get("payload")
        if request.get("invocationType") == "Event":
            task = asyncio.create_task(self._event(payload))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return None
        return await self.handler.invoke(payload)

    async def _event(self, payload: Any) -> None:
        try:
            await self.handler.invoke(payload)
        except ResolverError as error:
            log.error(
                "Event invocation of %s failed: %s: %s",
                self.handler.function.name,
                error.error_type,
                error.message,
            )


@register(DataSourceKind.AWS_LAMBDA)
def lambda_data_source(config: DataSource, runtime: Runtime) -> DataSourceClient:
    handlers: dict[str, LocalHandler] | None = runtime.shared.get("lambda_handlers")
    if handlers is None:
        handlers = load_handlers(runtime.api.root, runtime.api.functions)
        runtime.shared["lambda_handlers"] = handlers
    name = config.config.get("functionName")
    if not isinstance(name, str) or name not in handlers:
        raise DefinitionError(
            config.location, f"data source '{config.name}': no local function {name!r}"
        )
    return LambdaDataSource(handlers[name])
