"""Errors about an API definition, and the one place exceptions become AppSync-shaped GraphQL errors.

Tree::

    SynclineError
    ├── DefinitionError        one problem in syncline.yml / schema / code, with file:line
    ├── InvalidDefinition      all DefinitionErrors found while loading (raised once, reported together)
    └── ResolverError          a field failed in a way AppSync reports (util.error, data source errors)
        └── UnauthorizedError  util.unauthorized() and auth-directive denials

AppSync's error shape (AppSync developer guide, "Resolver mapping template context reference —
util.error"): ``{message, errorType, errorInfo, data, path, locations}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from graphql import GraphQLError

from schema.model import Location


class SynclineError(Exception):
    """Base of every error Syncline raises on purpose."""


class DefinitionError(SynclineError):
    def __init__(self, location: Location | None, message: str) -> None:
        super().__init__(f"{location}: {message}" if location else message)
        self.location = location
        self.message = message


class InvalidDefinition(SynclineError):
    def __init__(self, errors: Iterable[DefinitionError]) -> None:
        self.errors = sorted(errors, key=lambda e: (e.location is None, e.location or 0, e.message))
        lines = "\n".join(str(e) for e in self.errors)
        super().__init__(f"{len(self.errors)} error(s) in the API definition:\n{lines}")


class ResolverError(SynclineError):
    """An error reported on a field with AppSync's ``errorType``, ``data`` and ``errorInfo``."""

    def __init__(
        self,
        message: str,
        error_type: str | None = None,
        data: Any = None,
        error_info: Any = None,
        result: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.data = data
        self.error_info = error_info
        self.result = result
        """What ``ctx.result`` still holds beside ``ctx.error`` (AppSync sets both for some data
        source errors, e.g. a DynamoDB transaction's ``cancellationReasons``)."""

    @property
    def type(self) -> str | None:
        """``ctx.error.type``, as APPSYNC_JS spells ``errorType`` on ``ctx.error``."""
        return self.error_type


class UnauthorizedError(ResolverError):
    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message, "Unauthorized")


def format_error(error: GraphQLError) -> dict[str, Any]:
    """Turn a located GraphQL error into AppSync's error object.

    An exception raised in resolver code keeps its message and becomes ``errorType`` = its class
    name; no stack trace is sent (AppSync does the same for Lambda ``errorType``).
    """
    formatted: dict[str, Any] = {
        "message": error.message,
        "path": list(error.path) if error.path is not None else None,
        "locations": (
            [{"line": loc.line, "column": loc.column} for loc in error.locations]
            if error.locations is not None
            else None
        ),
    }
    original = error.original_error
    if isinstance(original, ResolverError):
        formatted["errorType"] = original.error_type
        formatted["data"] = original.data
        formatted["errorInfo"] = original.error_info
    elif original is not None:
        formatted["errorType"] = type(original).__name__
        formatted["data"] = None
        formatted["errorInfo"] = None
    elif error.extensions and "errorType" in error.extensions:
        formatted["errorType"] = error.extensions["errorType"]
    return formatted


def format_errors(errors: Sequence[GraphQLError]) -> list[dict[str, Any]]:
    return [format_error(e) for e in errors]


def request_error(message: str, error_type: str) -> dict[str, Any]:
    """A request-level error (no path), as AppSync returns for auth and request failures."""
    return {"errorType": error_type, "message": message}


UNAUTHORIZED_BODY: Mapping[str, Any] = {
    "errors": [request_error("You are not authorized to make this call.", "UnauthorizedException")]
}
