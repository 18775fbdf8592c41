"""The ``ctx`` object resolver code receives: the Python twin of APPSYNC_JS's context.

AppSync developer guide, "Context object reference (APPSYNC_JS)": ``ctx.arguments`` (alias
``ctx.args``), ``ctx.source``, ``ctx.identity``, ``ctx.stash``, ``ctx.prev.result``,
``ctx.result``, ``ctx.error``, ``ctx.request.headers`` / ``domainName``, ``ctx.info`` and
``ctx.env``. Attribute names are snake_case twins where the JS name is camelCase.

One ``RequestState`` lives for one GraphQL request; one ``ResolverContext`` for one field
resolution (a pipeline's functions share it, so ``stash`` is shared).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    InlineFragmentNode,
    ResponsePath,
    SelectionSetNode,
    print_ast,
)

from schema.errors import ResolverError
from schema.model import AuthMode, FieldCoordinate


@dataclass(slots=True)
class Request:
    """``ctx.request``. Read-only by convention, not frozen: one is built for every request,
    and a frozen dataclass's ``__init__`` costs 2.5 times as much."""

    headers: Mapping[str, str]
    domain_name: str | None = None

    @property
    def domainName(self) -> str | None:
        return self.domain_name


class Info:
    """``ctx.info``: the field being resolved. Selection sets are computed only when read."""

    __slots__ = ("_resolve_info", "_selection_set_graphql", "_selection_set_list")

    def __init__(self, resolve_info: GraphQLResolveInfo[Any]) -> None:
        self._resolve_info = resolve_info
        self._selection_set_list: list[str] | None = None
        self._selection_set_graphql: str | None = None

    @property
    def field_name(self) -> str:
        return self._resolve_info.field_name

    @property
    def parent_type_name(self) -> str:
        return self._resolve_info.parent_type.name

    @property
    def variables(self) -> Mapping[str, Any]:
        return self._resolve_info.variable_values.coerced

    @property
    def selection_set_list(self) -> list[str]:
        """AppSync's ``selectionSetList``: field paths, nested ones joined with ``/``."""
        if self._selection_set_list is None:
            self._selection_set_list = _selection_paths(self._resolve_info)
        return self._selection_set_list

    @property
    def selection_set_graphql(self) -> str:
        """AppSync's ``selectionSetGraphQL``: the field's selection set as GraphQL text."""
        if self._selection_set_graphql is None:
            node = self._resolve_info.field_nodes[0].selection_set
            self._selection_set_graphql = print_ast(node) if node is not None else ""
        return self._selection_set_graphql

    def as_event(self) -> dict[str, Any]:
        """The ``info`` object of AppSync's Lambda event, in AppSync's camelCase."""
        return {
            "fieldName": self.field_name,
            "parentTypeName": self.parent_type_name,
            "variables": dict(self.variables),
            "selectionSetList": list(self.selection_set_list),
            "selectionSetGraphQL": self.selection_set_graphql,
        }


def _selection_paths(info: GraphQLResolveInfo[Any]) -> list[str]:
    paths: list[str] = []

    def walk(selection_set: SelectionSetNode | None, prefix: str) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue
                paths.append(prefix + name)
                walk(selection.selection_set, f"{prefix}{name}/")
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set, prefix)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                walk(fragment.selection_set if fragment else None, prefix)

    for node in info.field_nodes:
        walk(node.selection_set, "")
    return list(dict.fromkeys(paths))


@dataclass(slots=True)
class Prev:
    result: Any = None


@dataclass(slots=True)
class SubscriptionExtensions:
    """What resolver code asked of the real-time engine through ``extensions`` (AppSync developer
    guide, "Extensions"): filters set by a subscription resolver, invalidations by a mutation."""

    filter: Any = None
    invalidation_filter: Any = None
    invalidations: list[Any] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Batching:
    """Which resolver or pipeline function runs its data source now, and its ``maxBatchSize``.

    Built once per resolver or function, set on the context by
    ``resolvers.unit.call_data_source``; a Lambda data source batches ``BatchInvoke``
    requests of the same ``owner`` and field (AppSync developer guide, "AWS AppSync JavaScript
    resolver function reference for Lambda").
    """

    owner: object
    max_batch_size: int | None


class ApiCacheRequest(Protocol):
    """What resolver code may ask of the API cache during one operation."""

    def evict(self, coordinate: FieldCoordinate, keys: Mapping[str, Any]) -> None:
        """``extensions.evict_from_api_cache``: queue the removal of the entry ``keys`` name
        (raises ``ResolverError`` if they name none)."""
        ...


@dataclass(slots=True)
class RequestState:
    """What lives for one GraphQL request: its headers, caller identity and appended errors."""

    request: Request
    identity: Any = None
    auth_mode: AuthMode | None = None
    """The authorization mode the request is in (``util.auth_type()``)."""
    denied_fields: frozenset[FieldCoordinate] = frozenset()
    """Fields a Lambda authorizer denied this caller (``auth.directives`` enforces them)."""
    env: Mapping[str, str] = field(default_factory=dict)
    appended_errors: list[GraphQLError] = field(default_factory=list)
    resolver_count: int = 0
    batch_loaders: dict[Hashable, Any] = field(default_factory=dict)
    """Per-request ``BatchInvoke`` loaders (``resolvers.lambda_.batch``), never shared."""
    extensions: SubscriptionExtensions | None = None
    """Created on first use by ``syncline.extensions``; read by ``subscriptions.engine``."""
    api_cache: ApiCacheRequest | None = None
    """Set by the API cache (``cache.operation``) when the API has one."""

    def subscription_extensions(self) -> SubscriptionExtensions:
        if self.extensions is None:
            self.extensions = SubscriptionExtensions()
        return self.extensions


class ResolverContext:
    """``ctx`` for one field resolution. Built for every resolver call (100 a request for a
    list with a per-item resolver), so it is a slotted class whose ``stash`` and ``prev`` are
    made on first use: most resolvers read neither."""

    __slots__ = (
        "_prev",
        "_stash",
        "arguments",
        "batching",
        "error",
        "info",
        "path",
        "request_state",
        "result",
        "source",
    )

    def __init__(
        self,
        arguments: dict[str, Any],
        source: Any,
        info: Info,
        request_state: RequestState,
        path: ResponsePath | None = None,
        stash: dict[str, Any] | None = None,
        prev: Prev | None = None,
        result: Any = None,
        error: ResolverError | None = None,
        batching: Batching | None = None,
    ) -> None:
        self.arguments = arguments
        self.source = source
        self.info = info
        self.request_state = request_state
        self.path = path
        self._stash = stash
        self._prev = prev
        self.result = result
        self.error = error
        self.batching = batching

    def __repr__(self) -> str:
        return (
            f"ResolverContext(arguments={self.arguments!r}, source={self.source!r}, "
            f"path={self.path!r}, result={self.result!r}, error={self.error!r})"
        )

    @property
    def stash(self) -> dict[str, Any]:
        if self._stash is None:
            self._stash = {}
        return self._stash

    @stash.setter
    def stash(self, value: dict[str, Any]) -> None:
        self._stash = value

    @property
    def prev(self) -> Prev:
        if self._prev is None:
            self._prev = Prev()
        return self._prev

    @prev.setter
    def prev(self, value: Prev) -> None:
        self._prev = value

    @property
    def args(self) -> dict[str, Any]:
        return self.arguments

    @property
    def identity(self) -> Any:
        return self.request_state.identity

    @property
    def request(self) -> Request:
        return self.request_state.request

    @property
    def env(self) -> Mapping[str, str]:
        return self.request_state.env

    def append_error(self, error: ResolverError) -> None:
        """``util.appendError``: report an error on this field without failing it."""
        self.request_state.appended_errors.append(
            GraphQLError(
                error.message,
                path=self.path.as_list() if self.path is not None else None,
                original_error=error,
            )
        )


current_context: ContextVar[ResolverContext] = ContextVar("syncline_resolver_context")
"""The context of the resolver running now, so ``util.append_error`` needs no ``ctx``: set
once per resolver call (``resolvers.unit.UnitResolver``, ``resolvers.pipeline``), for its
handlers and data sources."""


class SkipTo(StrEnum):
    END = "END"
    NEXT = "NEXT"


class EarlyReturn(Exception):
    """``runtime.earlyReturn(value, {skipTo})`` (AppSync developer guide, "Runtime utilities").

    From a unit resolver's request handler: the data source and response handler are skipped
    and ``value`` is the field's result. From a pipeline function's request handler (or with
    ``skip_to=NEXT``): that function's data source and response are skipped, ``value`` becomes
    ``ctx.prev.result`` and the pipeline goes on. From the pipeline's *before* handler (or with
    ``skip_to=END``): the functions are skipped and the *after* handler runs at once.
    """

    def __init__(self, value: Any, skip_to: SkipTo | None = None) -> None:
        super().__init__("early return")
        self.value = value
        self.skip_to = skip_to
