"""Data source kinds: one ``DataSourceClient`` per configured data source, built at start-up.

A kind plugs in by registering a factory for its ``DataSourceKind``; registering a kind twice
raises. The factory is called once per configured data source at boot, so a bad ``config`` is a
start-up error, never a request-time surprise.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from resolvers.context import ResolverContext
from schema.model import ApiDefinition, DataSource, DataSourceKind


class DataSourceClient(Protocol):
    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        """Execute AppSync's request object for this data source and return ``ctx.result``.

        Failures raise ``schema.errors.ResolverError`` with AppSync's ``errorType``.
        """
        ...


@dataclass
class Runtime:
    """What data source factories may use: the definition, where data lives, and cleanup."""

    api: ApiDefinition
    data_dir: Path | None = None
    exit_stack: AsyncExitStack = field(default_factory=AsyncExitStack)
    """Resources to close when the server stops (clients, pools, files)."""
    shared: dict[str, Any] = field(default_factory=dict)
    """Objects shared by the data sources of one kind (for example the embedded table store)."""


DataSourceFactory = Callable[[DataSource, Runtime], DataSourceClient]

_FACTORIES: dict[DataSourceKind, DataSourceFactory] = {}


def register(kind: DataSourceKind) -> Callable[[DataSourceFactory], DataSourceFactory]:
    def decorator(factory: DataSourceFactory) -> DataSourceFactory:
        if kind in _FACTORIES:
            raise RuntimeError(f"data source kind {kind} is registered twice")
        _FACTORIES[kind] = factory
        return factory

    return decorator


def factory_for(kind: DataSourceKind) -> DataSourceFactory:
    _load_builtin_kinds()
    try:
        return _FACTORIES[kind]
    except KeyError:
        raise LookupError(f"no data source kind {kind} is registered") from None


def _load_builtin_kinds() -> None:
    # Imported for their @register side effect; each module is one data source kind.
    import resolvers.dynamodb
    import resolvers.http
    import resolvers.lambda_
    import resolvers.none  # noqa: F401
