"""The NONE data source: the request's ``payload`` is the result.

AppSync developer guide, "Resolver reference for None data sources": the request object is
``{"payload": ...}`` and ``ctx.result`` is that payload, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.context import ResolverContext
from resolvers.registry import DataSourceClient, Runtime, register
from schema.errors import ResolverError
from schema.model import DataSource, DataSourceKind


class NoneDataSource:
    never_suspends = True
    """``invoke`` awaits nothing, so resolvers on NONE sources can run synchronously."""

    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        if type(request) is dict:
            return request.get("payload")
        if request is None:
            return None
        if not isinstance(request, Mapping):
            raise ResolverError(
                f"a NONE data source request must be an object, got {type(request).__name__}",
                "MappingTemplate",
            )
        return request.get("payload")


@register(DataSourceKind.NONE)
def none_data_source(_config: DataSource, _runtime: Runtime) -> DataSourceClient:
    return NoneDataSource()
