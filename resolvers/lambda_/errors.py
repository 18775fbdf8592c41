"""Errors of Lambda invocations, with the ``errorType`` each becomes on the GraphQL error.

Tree::

    schema.errors.ResolverError
    ├── InvalidLambdaRequest     the request object is malformed (``MappingTemplate``)
    └── LambdaError
        ├── FunctionError        the function ran and failed: Lambda's error object
        │                        (``errorType``/``errorMessage``, ``X-Amz-Function-Error``)
        ├── InvokeError          the invocation could not happen: the Lambda service's exception
        │                        (``ResourceNotFoundException``, ``RequestTooLargeException``, …),
        │                        reported as ``Lambda:<exception>`` with the Invoke API's status
        └── InvalidBatchResponse a ``BatchInvoke`` answer that is not a list aligned with its input

AppSync developer guide, "Direct Lambda resolvers": a function error surfaces on the field with
the function's ``errorType`` and ``errorMessage``; without an ``errorType`` AppSync reports
``Lambda:Unhandled``. The ``errorType`` values the Lambda runtime itself produces (a timeout, a
process exit, an unserializable result) are those of the Lambda developer guide,
"Troubleshoot invocation issues in Lambda".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from schema.errors import ResolverError


class LambdaErrorType(StrEnum):
    MAPPING_TEMPLATE = "MappingTemplate"
    """AppSync's errorType for a request object it cannot turn into an invocation."""
    UNHANDLED = "Lambda:Unhandled"
    """A function error that names no ``errorType``."""
    TIMEOUT = "Sandbox.Timedout"
    """The function ran past its ``timeout``; its execution environment was stopped."""
    EXIT = "Runtime.ExitError"
    """The function's process exited (``os._exit``, a signal such as a segfault)."""
    MARSHAL = "Runtime.MarshalError"
    """The function's return value is not JSON serializable."""
    IMPORT_MODULE = "Runtime.ImportModuleError"
    SYNTAX = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge"
    INVALID_BATCH_RESPONSE = "Lambda:InvalidBatchResponse"
    """Syncline's own: a ``BatchInvoke`` answer of the wrong shape (AppSync names none)."""


class InvalidLambdaRequest(ResolverError):
    def __init__(self, message: str) -> None:
        super().__init__(message, LambdaErrorType.MAPPING_TEMPLATE)


class LambdaError(ResolverError):
    """Base of the failures of an invocation."""


class FunctionError(LambdaError):
    """The function failed; ``error_object`` is Lambda's ``{errorType, errorMessage, …}``."""

    def __init__(self, error_object: Mapping[str, Any], data: Any = None) -> None:
        message = error_object.get("errorMessage")
        error_type = error_object.get("errorType")
        super().__init__(
            str(message) if message is not None else "Unknown error",
            str(error_type) if error_type else LambdaErrorType.UNHANDLED,
            data=data,
        )
        self.error_object = dict(error_object)

    @classmethod
    def from_payload(cls, payload: bytes) -> FunctionError:
        """The error object Lambda answers with ``X-Amz-Function-Error`` set."""
        try:
            error_object = json.loads(payload)
        except ValueError:
            error_object = None
        if not isinstance(error_object, Mapping):
            text = payload.decode("utf-8", "replace")
            return cls({"errorMessage": text or "Unknown error"})
        return cls(error_object)


class InvokeError(LambdaError):
    """The Lambda service refused or failed the invocation (AWS error ``code``, HTTP status)."""

    def __init__(self, code: str, message: str, status_code: int = 500) -> None:
        super().__init__(message, f"Lambda:{code}")
        self.code = code
        self.status_code = status_code


class InvalidBatchResponse(LambdaError):
    def __init__(self, message: str) -> None:
        super().__init__(message, LambdaErrorType.INVALID_BATCH_RESPONSE)


def runtime_error(error_type: LambdaErrorType, message: str, request_id: str) -> bytes:
    """An error object as the Lambda runtime writes it: ``RequestId: … Error: …``."""
    return json.dumps(
        {"errorType": error_type.value, "errorMessage": f"RequestId: {request_id} Error: {message}"}
    ).encode()
