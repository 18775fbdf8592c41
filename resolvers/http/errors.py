"""Errors the HTTP data source reports, each a field error with a clear ``errorType``.

Tree::

    schema.errors.ResolverError
    └── HttpError            the request could not be made or completed (``HttpErrorType``)
        └── InvalidHttpRequest   the request object is malformed (``MappingTemplate``)

Only failures to get a complete response are errors. A response with any status, 5xx included,
is ``ctx.result = {statusCode, headers, body}`` for the response handler to judge, as in AppSync
(developer guide, "AWS AppSync JavaScript resolver function reference for HTTP", "Response").
"""

from __future__ import annotations

from enum import StrEnum

from schema.errors import ResolverError


class HttpErrorType(StrEnum):
    MAPPING_TEMPLATE = "MappingTemplate"
    CONNECTION_REFUSED = "HTTP:ConnectionRefused"
    """No connection could be made: refused, unreachable, or the name does not resolve."""
    TIMEOUT = "HTTP:Timeout"
    """No complete response within the data source's ``timeout``."""
    CONNECTION_RESET = "HTTP:ConnectionReset"
    """The upstream closed or reset the connection before the response was complete."""
    RESPONSE_TOO_LARGE = "HTTP:ResponseTooLarge"
    """The response body is larger than ``maxResponseBytes``."""
    SIGNING = "HTTP:SigningError"
    """``AWS_IAM`` authorization was asked for but no credentials could be found."""
    ERROR = "HTTP:Error"
    """Any other transport failure."""


class HttpError(ResolverError):
    def __init__(self, error_type: HttpErrorType, message: str) -> None:
        super().__init__(message, error_type)


class InvalidHttpRequest(HttpError):
    def __init__(self, message: str) -> None:
        super().__init__(HttpErrorType.MAPPING_TEMPLATE, message)
