"""Error utils: ``util.error``, ``util.appendError`` and ``util.unauthorized``.

AppSync developer guide, "Built-in utilities" (APPSYNC_JS), sections "Error utils" and
"Resolver authorization utils":
https://docs.aws.amazon.com/appsync/latest/devguide/built-in-util-js.html

``error`` and ``unauthorized`` raise; the engine turns the exception into the field's error with
``errorType``, ``data`` and ``errorInfo`` (``schema.errors.format_error``). ``append_error``
records an error on the running resolver's context and lets the handler go on returning data.
"""

from __future__ import annotations

from typing import Any, NoReturn

from resolvers.context import current_context
from schema.errors import ResolverError, UnauthorizedError

__all__ = ["append_error", "error", "unauthorized"]


def error(
    message: str, error_type: str | None = None, data: Any = None, error_info: Any = None
) -> NoReturn:
    """``util.error(message, errorType?, data?, errorInfo?)``: fail the field with this error."""
    raise ResolverError(message, error_type, data, error_info)


def append_error(
    message: str, error_type: str | None = None, data: Any = None, error_info: Any = None
) -> None:
    """``util.appendError(message, errorType?, data?, errorInfo?)``: report an error on the
    field being resolved without stopping the handler."""
    try:
        ctx = current_context.get()
    except LookupError:
        raise RuntimeError(
            "util.append_error() works only inside resolver code that Syncline is running "
            "(a request or response handler)"
        ) from None
    ctx.append_error(ResolverError(message, error_type, data, error_info))


def unauthorized() -> NoReturn:
    """``util.unauthorized()``: fail the field being resolved as ``Unauthorized``."""
    raise UnauthorizedError()
