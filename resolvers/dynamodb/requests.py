"""Reading the fields of AppSync's DynamoDB request objects.

Field names and meanings follow the AppSync developer guide, "JavaScript resolver function
reference for DynamoDB". A field of the wrong shape is AppSync's ``MappingTemplate`` error
(``InvalidRequest``); a value DynamoDB itself would refuse is a ``ValidationError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import InvalidRequest, ValidationError
from resolvers.dynamodb.expressions import (
    Condition,
    ExpressionKind,
    Path,
    Placeholders,
    parse_condition,
    parse_projection,
)
from resolvers.dynamodb.model import IndexView
from resolvers.dynamodb.values import Item

Request = Mapping[str, Any]
MAX_SEGMENTS = 1_000_000


class Select(StrEnum):
    """``select`` of Query and Scan; ``COUNT`` is DynamoDB's, beyond AppSync's three."""

    ALL_ATTRIBUTES = "ALL_ATTRIBUTES"
    ALL_PROJECTED_ATTRIBUTES = "ALL_PROJECTED_ATTRIBUTES"
    SPECIFIC_ATTRIBUTES = "SPECIFIC_ATTRIBUTES"
    COUNT = "COUNT"


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidRequest(f"'{what}' must be an object")
    return value


def sequence(value: Any, what: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise InvalidRequest(f"'{what}' must be a list")
    return value


def key(request: Request, field: str = "key") -> Item:
    value = request.get(field)
    if not isinstance(value, Mapping) or not value:
        raise InvalidRequest(f"'{field}' is required: the item's key as DynamoDB-typed values")
    return v.validate_item(value, field)


def section(
    request: Request, field: str, placeholders: Placeholders, *, required: bool = False
) -> Mapping[str, Any]:
    """An expression section (``{expression, expressionNames, expressionValues}``) or ``{}``."""
    value = request.get(field)
    if value is None:
        if required:
            raise InvalidRequest(f"'{field}' is required: {{expression, expressionNames, ...}}")
        return {}
    if not isinstance(value, Mapping) or "expression" not in value:
        raise InvalidRequest(f"'{field}' must be an object with an 'expression'")
    placeholders.add(value.get("expressionNames"), value.get("expressionValues"), field)
    return value


def condition(request: Request, placeholders: Placeholders) -> Condition | None:
    found = section(request, "condition", placeholders)
    if not found:
        return None
    return parse_condition(found["expression"], placeholders, ExpressionKind.CONDITION)


def filter_(request: Request, placeholders: Placeholders) -> Condition | None:
    found = section(request, "filter", placeholders)
    if not found:
        return None
    return parse_condition(found["expression"], placeholders, ExpressionKind.FILTER)


def projection(request: Request, placeholders: Placeholders) -> tuple[Path, ...] | None:
    found = section(request, "projection", placeholders)
    if not found:
        return None
    if found.get("expressionValues"):
        raise InvalidRequest("'projection' takes expressionNames only")
    return parse_projection(found["expression"], placeholders)


def own_projection(request: Request) -> tuple[Path, ...] | None:
    """A projection with placeholders of its own (batch and transaction entries)."""
    placeholders = Placeholders()
    paths = projection(request, placeholders)
    placeholders.check_all_used()
    return paths


def boolean(request: Request, field: str, default: bool) -> bool:
    value = request.get(field, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise InvalidRequest(f"'{field}' must be true or false")
    return value


def consistent_read(request: Request, view: IndexView | None = None) -> bool:
    """``consistentRead``: every embedded read is strongly consistent; GSIs refuse it."""
    consistent = boolean(request, "consistentRead", False)
    if consistent and view is not None and view.is_global:
        raise ValidationError("Consistent reads are not supported on global secondary indexes")
    return consistent


def limit(request: Request) -> int | None:
    value: Any = request.get("limit")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest("'limit' must be an integer")
    if value < 1:
        raise ValidationError(
            f"1 validation error detected: Value '{value}' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"
        )
    return int(value)


def next_token(request: Request) -> str | None:
    token = request.get("nextToken")
    if token is None:
        return None
    if not isinstance(token, str):
        raise ValidationError("Invalid nextToken: expected a token returned by a previous page")
    return token


def segment(request: Request) -> tuple[int, int] | None:
    number, total = request.get("segment"), request.get("totalSegments")
    if number is None and total is None:
        return None
    if number is None or total is None:
        raise ValidationError("The Segment and TotalSegments parameters must be specified together")
    for name, value in (("segment", number), ("totalSegments", total)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequest(f"'{name}' must be an integer")
    if not 1 <= total <= MAX_SEGMENTS:
        raise ValidationError(
            f"The TotalSegments parameter must be between 1 and {MAX_SEGMENTS}: {total}"
        )
    if not 0 <= number < total:
        raise ValidationError(
            f"The Segment parameter must be between 0 and TotalSegments - 1: {number}"
        )
    return number, total


def select(request: Request) -> Select | None:
    value = request.get("select")
    if value is None:
        return None
    try:
        return Select(value)
    except ValueError:
        raise InvalidRequest(
            f"'select' must be one of {', '.join(s.value for s in Select)}"
        ) from None


def table_name(entry: Request, field: str = "table") -> str:
    name = entry.get(field)
    if not isinstance(name, str) or not name:
        raise InvalidRequest(f"'{field}' must name a table")
    return name
