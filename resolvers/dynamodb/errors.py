"""Errors the AMAZON_DYNAMODB data source reports, with AppSync's ``errorType`` strings.

Tree::

    schema.errors.ResolverError
    ├── InvalidRequest          the request object is malformed (errorType ``MappingTemplate``)
    ├── UnsupportedOperation    a DynamoDB operation Syncline does not execute yet
    ├── ValidationError         what DynamoDB rejects with ``ValidationException``
    └── ConditionalCheckFailed  a ``condition`` was false; ``data`` is the item as it is now

AppSync passes DynamoDB's exception name through as ``DynamoDB:<Exception>`` (AppSync developer
guide, "JavaScript resolver function reference for DynamoDB — Condition expressions": "returns an
error for the mutation and the current value of the object in DynamoDB in a data field").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from schema.errors import ResolverError


class DynamoDBErrorType(StrEnum):
    VALIDATION = "DynamoDB:ValidationException"
    CONDITIONAL_CHECK_FAILED = "DynamoDB:ConditionalCheckFailedException"
    MAPPING_TEMPLATE = "MappingTemplate"
    """AppSync's errorType for a request object it cannot turn into a DynamoDB call."""


class InvalidRequest(ResolverError):
    def __init__(self, message: str) -> None:
        super().__init__(message, DynamoDBErrorType.MAPPING_TEMPLATE)


class UnsupportedOperation(ResolverError):
    def __init__(self, operation: str) -> None:
        super().__init__(
            f"operation {operation} is not supported yet", DynamoDBErrorType.MAPPING_TEMPLATE
        )
        self.operation = operation


class ValidationError(ResolverError):
    def __init__(self, message: str) -> None:
        super().__init__(message, DynamoDBErrorType.VALIDATION)


class ConditionalCheckFailed(ResolverError):
    def __init__(self, current_item: dict[str, Any] | None) -> None:
        super().__init__(
            "The conditional request failed",
            DynamoDBErrorType.CONDITIONAL_CHECK_FAILED,
            data=current_item,
        )
