"""DynamoDB's JSON 1.0 wire format: operation names, error shapes and request field checks.

Request bodies are JSON objects whose members are named as in the DynamoDB API reference
(``TableName``, ``Key``, ``ExpressionAttributeValues``); error messages name them in DynamoDB's
lowerCamel form (``Value null at 'tableName' failed to satisfy constraint``), as DynamoDB does.
A member of the wrong JSON type is a ``SerializationException``, as AWS's request parser
reports it; a missing or out-of-range one a ``ValidationException``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import ValidationError
from resolvers.dynamodb.values import Item

TARGET_PREFIX = "DynamoDB_20120810"
CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_REQUEST_BYTES = 16 * 1024 * 1024
"""DynamoDB's largest request (a full BatchWriteItem)."""

Body = Mapping[str, Any]

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.-]{3,255}")


class Target(StrEnum):
    """The operations the endpoint answers (``X-Amz-Target: DynamoDB_20120810.<Target>``)."""

    GET_ITEM = "GetItem"
    PUT_ITEM = "PutItem"
    UPDATE_ITEM = "UpdateItem"
    DELETE_ITEM = "DeleteItem"
    QUERY = "Query"
    SCAN = "Scan"
    BATCH_GET_ITEM = "BatchGetItem"
    BATCH_WRITE_ITEM = "BatchWriteItem"
    TRANSACT_GET_ITEMS = "TransactGetItems"
    TRANSACT_WRITE_ITEMS = "TransactWriteItems"
    CREATE_TABLE = "CreateTable"
    DESCRIBE_TABLE = "DescribeTable"
    LIST_TABLES = "ListTables"
    DELETE_TABLE = "DeleteTable"
    UPDATE_TIME_TO_LIVE = "UpdateTimeToLive"
    DESCRIBE_TIME_TO_LIVE = "DescribeTimeToLive"


class Namespace(StrEnum):
    """The ``__type`` prefix of an error, as AWS sends it (botocore keeps the part after #)."""

    DYNAMODB = "com.amazonaws.dynamodb.v20120810"
    VALIDATE = "com.amazon.coral.validate"
    SERVICE = "com.amazon.coral.service"


_NAMESPACES = {
    "ValidationException": Namespace.VALIDATE,
    "SerializationException": Namespace.SERVICE,
    "UnknownOperationException": Namespace.SERVICE,
    "MissingAuthenticationTokenException": Namespace.SERVICE,
}


class WireError(Exception):
    """An error answer: DynamoDB's exception name, message, HTTP status and extra members.

    Direction: server → client, ``{"__type": "<namespace>#<code>", "message": ..., **extra}``
    (``extra``: ``Item`` of a failed condition, ``CancellationReasons`` of a transaction).
    """

    def __init__(
        self, code: str, message: str, status: int = 400, extra: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extra = dict(extra or {})

    def payload(self) -> dict[str, Any]:
        namespace = _NAMESPACES.get(self.code, Namespace.DYNAMODB)
        return {"__type": f"{namespace}#{self.code}", "message": self.message, **self.extra}


def _serialization(member: str, expected: str) -> WireError:
    return WireError("SerializationException", f"Expected {expected} for '{member}'", 400)


def _missing(member: str) -> ValidationError:
    return ValidationError(
        f"1 validation error detected: Value null at '{member}' failed to satisfy constraint: "
        "Member must not be null"
    )


def _too_short(member: str, low: int) -> ValidationError:
    return ValidationError(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must have length greater than or equal to {low}"
    )


def string(value: Any, member: str) -> str:
    if value is None:
        raise _missing(member)
    if not isinstance(value, str):
        raise _serialization(member, "a string")
    return value


def mapping(value: Any, member: str, *, low: int = 0) -> Mapping[str, Any]:
    if value is None:
        raise _missing(member)
    if not isinstance(value, Mapping):
        raise _serialization(member, "an object")
    if len(value) < low:
        raise _too_short(member, low)
    return value


def sequence(value: Any, member: str, *, low: int = 0) -> list[Any]:
    if value is None:
        raise _missing(member)
    if not isinstance(value, list):
        raise _serialization(member, "a list")
    if len(value) < low:
        raise _too_short(member, low)
    return value


def boolean(body: Body, field: str) -> bool:
    value = body.get(field)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _serialization(field, "true or false")
    return value


def integer(body: Body, field: str, *, low: int, high: int | None = None) -> int | None:
    value = body.get(field)
    if value is None:
        return None
    member = field[0].lower() + field[1:]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _serialization(member, "an integer")
    if value < low:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must have value greater than or equal to {low}"
        )
    if high is not None and value > high:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
            f"constraint: Member must have value less than or equal to {high}"
        )
    return int(value)


def item_of(value: Any, member: str) -> Item:
    """A typed item or key, validated and normalized (numbers canonical, sets unique)."""
    return v.validate_item(mapping(value, member), member)


def table_name(body: Body, member: str = "tableName") -> str:
    """``TableName``: 3 to 255 of ``a-z A-Z 0-9 _ - .`` (DynamoDB "Naming rules")."""
    name = string(body.get("TableName"), member)
    if _TABLE_NAME.fullmatch(name) is None:
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at '{member}' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and "
            "have length between 3 and 255"
        )
    return name
