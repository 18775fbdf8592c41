"""Errors the AMAZON_DYNAMODB data source and the table store report, with AppSync's ``errorType``.

Tree::

    schema.errors.ResolverError
    ├── InvalidRequest          the request object is malformed (errorType ``MappingTemplate``)
    ├── UnsupportedOperation    an AppSync operation Syncline does not execute (``Sync``)
    ├── ValidationError         what DynamoDB rejects with ``ValidationException``
    │   └── KeyTypeMismatch     a key value of the wrong type (a transaction cancels on it)
    ├── ResourceNotFound        the table does not exist (``ResourceNotFoundException``)
    ├── ConditionalCheckFailed  a ``condition`` was false; ``item`` (typed) / ``data`` (plain) is
    │                           the item as it is now
    ├── TransactionCanceled     a TransactWriteItems/TransactGetItems was cancelled; ``reasons``
    │                           has one ``CancellationReason`` per action, in request order
    └── StoreUnavailable        the data file failed under the request (locked by another process
                                past the busy timeout, disk full, I/O error); retryable

AppSync passes DynamoDB's exception name through as ``DynamoDB:<Exception>`` (AppSync developer
guide, "JavaScript resolver function reference for DynamoDB — Condition expressions": "returns an
error for the mutation and the current value of the object in DynamoDB in a data field").
The wire endpoint maps the same classes to DynamoDB's ``__type`` (``error_code``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from schema.errors import ResolverError

Item = dict[str, dict[str, Any]]


class DynamoDBErrorType(StrEnum):
    VALIDATION = "DynamoDB:ValidationException"
    CONDITIONAL_CHECK_FAILED = "DynamoDB:ConditionalCheckFailedException"
    TRANSACTION_CANCELED = "DynamoDB:TransactionCanceledException"
    RESOURCE_NOT_FOUND = "DynamoDB:ResourceNotFoundException"
    INTERNAL_SERVER_ERROR = "DynamoDB:InternalServerError"
    MAPPING_TEMPLATE = "MappingTemplate"
    """AppSync's errorType for a request object it cannot turn into a DynamoDB call."""

    @property
    def error_code(self) -> str:
        """DynamoDB's own exception name (the wire protocol's ``__type`` suffix)."""
        return self.value.removeprefix("DynamoDB:")


class InvalidRequest(ResolverError):
    def __init__(self, message: str) -> None:
        super().__init__(message, DynamoDBErrorType.MAPPING_TEMPLATE)


class UnsupportedOperation(ResolverError):
    def __init__(self, operation: str, why: str) -> None:
        super().__init__(
            f"operation {operation} is not supported: {why}", DynamoDBErrorType.MAPPING_TEMPLATE
        )
        self.operation = operation


class ValidationError(ResolverError):
    def __init__(self, message: str) -> None:
        super().__init__(message, DynamoDBErrorType.VALIDATION)


class ResourceNotFound(ResolverError):
    """DynamoDB ``ResourceNotFoundException``: no table of that name (AppSync reports it as
    ``DynamoDB:ResourceNotFoundException``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, DynamoDBErrorType.RESOURCE_NOT_FOUND)


class KeyTypeMismatch(ValidationError):
    """A key value whose type is not the table's (``index`` None) or an index's key type.

    Inside TransactWriteItems DynamoDB reports it as the action's ``ValidationError``
    cancellation reason, where other validation failures fail the whole call.
    """

    def __init__(self, message: str, index: str | None) -> None:
        super().__init__(message)
        self.index = index


class StoreUnavailable(ResolverError):
    """DynamoDB's ``InternalServerError`` (HTTP 500, retryable) for a failing SQLite file.

    The typical case: another process (``syncline tables import``, a second server) held the
    write lock longer than the busy timeout. The request changed nothing; retrying may succeed.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Internal server error: the table store could not complete the request ({reason})",
            DynamoDBErrorType.INTERNAL_SERVER_ERROR,
        )


class ConditionalCheckFailed(ResolverError):
    """``item`` is the typed item as it is now (None if absent); ``data`` its plain twin."""

    def __init__(self, item: Item | None, data: dict[str, Any] | None) -> None:
        super().__init__(
            "The conditional request failed",
            DynamoDBErrorType.CONDITIONAL_CHECK_FAILED,
            data=data,
        )
        self.item = item


class CancellationCode(StrEnum):
    """DynamoDB ``CancellationReason.Code`` values Syncline produces."""

    NONE = "None"
    CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailed"
    VALIDATION_ERROR = "ValidationError"


@dataclass(frozen=True)
class CancellationReason:
    """Why one action of a transaction failed (``code`` None: it did not)."""

    code: CancellationCode = CancellationCode.NONE
    message: str | None = None
    item: Item | None = None
    """With ``ReturnValuesOnConditionCheckFailure``: the typed item as it is now."""


class TransactionCanceled(ResolverError):
    """DynamoDB ``TransactionCanceledException``.

    ``ctx.result`` keeps AppSync's shape beside the error ("TransactWriteItems — Error
    handling"): ``{"keys": None, "cancellationReasons": [{"type", "message", "item"?}]}`` with
    ``type`` the DynamoDB code and ``item`` the plain item (only with a failed condition whose
    ``returnValuesOnConditionCheckFailure`` is on). ``to_plain`` converts items for it.
    """

    def __init__(
        self,
        reasons: Sequence[CancellationReason],
        to_plain: Callable[[Item | None], Any],
        *,
        keys_field: str = "keys",
    ) -> None:
        codes = ", ".join(r.code.value for r in reasons)
        super().__init__(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons "
            f"[{codes}]",
            DynamoDBErrorType.TRANSACTION_CANCELED,
        )
        self.reasons = list(reasons)
        appsync_reasons = []
        for reason in reasons:
            entry: dict[str, Any] = {"type": reason.code.value, "message": reason.message}
            if reason.item is not None:
                entry["item"] = to_plain(reason.item)
            appsync_reasons.append(entry)
        self.result = {keys_field: None, "cancellationReasons": appsync_reasons}
