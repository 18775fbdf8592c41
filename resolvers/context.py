"""The ``ctx`` object resolver code receives: the Python twin of APPSYNC_JS's context.

AppSync developer guide, "Context object reference (APPSYNC_JS)": ``ctx.arguments`` (alias
``ctx.args``), ``ctx.source``, ``ctx.identity``, ``ctx.stash``, ``ctx.prev.result``,
``ctx.result``, ``ctx.error``, ``ctx.request.headers`` / ``domainName``, ``ctx.info`` and
``ctx.env``. Attribute names are snake_case twins where the JS name is camelCase.

One ``RequestState`` lives for one GraphQL request; one ``ResolverContext`` for one field
resolution (a pipeline's functions share it, so ``stash`` is shared).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from graphql import GraphQLError

from schema.errors import ResolverError


@dataclass(frozen=True, slots=True)
class Request:
    headers: Mapping[str, str]
    domain_name: str | None = None

    @property
    def domainName(self) -> str | None:  # noqa: N802 - AppSync's own spelling
        return self.domain_name


@dataclass(frozen=True, slots=True)
class Info:
    field_name: str
    parent_type_name: str
    variables: Mapping[str, Any]
    selection_set_list: list[str]
    selection_set_graphql: str

    def as_event(self) -> dict[str, Any]:
        """The ``info`` object of AppSync's Lambda event, in AppSync's camelCase."""
        return {
            "fieldName": self.field_name,
            "parentTypeName": self.parent_type_name,
            "variables": dict(self.variables),
            "selectionSetList": list(self.selection_set_list),
            "selectionSetGraphQL": self.selection_set_graphql,
        }


@dataclass(slots=True)
class Prev:
    result: Any = None


@dataclass(slots=True)
class RequestState:
    """What lives for one GraphQL request: its headers, caller identity and appended errors."""

    request: Request
    identity: Any = None
    env: Mapping[str, str] = field(default_factory=dict)
    appended_errors: list[GraphQLError] = field(default_factory=list)


@dataclass(slots=True)
class ResolverContext:
    arguments: dict[str, Any]
    source: Any
    info: Info
    request_state: RequestState
    path: tuple[str | int, ...] = ()
    stash: dict[str, Any] = field(default_factory=dict)
    prev: Prev = field(default_factory=Prev)
    result: Any = None
    error: ResolverError | None = None

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
            GraphQLError(error.message, path=list(self.path), original_error=error)
        )


current_context: ContextVar[ResolverContext] = ContextVar("syncline_resolver_context")
"""The context of the resolver code running now, so ``util.append_error`` needs no ``ctx``."""


class SkipTo(StrEnum):
    END = "END"
    NEXT = "NEXT"


class EarlyReturn(Exception):  # noqa: N818 - control flow, not an error
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
