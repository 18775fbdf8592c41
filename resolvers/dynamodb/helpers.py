"""The Python twin of ``@aws-appsync/utils/dynamodb``: builders of DynamoDB request objects.

AppSync developer guide, "Built-in modules — DynamoDB module functions": ``get``, ``put``,
``remove``, ``update``, ``query`` and ``scan`` take one payload object and return the request
object of "JavaScript resolver function reference for DynamoDB", values converted with
``util.dynamodb.toMapValues``; ``operations`` builds the special values of an ``update``.
Payload keys are accepted in AppSync's camelCase (``nextToken``) and as snake_case twins
(``next_token``); an unknown key is a ``TypeError``, so a typo never silently drops a field.

Filter and condition objects follow ``util.transform.toDynamoDBFilterExpression`` /
``toDynamoDBConditionExpression`` ("Transformation helpers in util.transform"):
``{field: {eq|ne|lt|le|gt|ge|between|beginsWith|contains|notContains|in|attributeExists|
attributeType: value}, and: [...], or: [...], not: {...}}``; fields and operators are ANDed.

Choices where AppSync's documentation leaves room (Syncline's, documented in docs/dynamodb.md):
``operations.add`` and ``operations.replace`` both ``SET`` the whole value; ``increment`` and
``decrement`` start from 0 when the attribute is missing; ``append``/``prepend`` start from an
empty list. JavaScript has no sets, so ``util.dynamodb.toDynamoDB`` never makes one; these
builders turn a Python ``set``/``frozenset`` of strings, numbers or bytes into ``SS``/``NS``/``BS``
wherever a value goes (items, keys, conditions, updates).

Beyond the JS module, Syncline adds ``batch_get``, ``batch_put``, ``batch_delete``,
``transact_get`` and ``transact_write`` (``batch_helpers``), the same way round.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.dynamodb.batch_helpers import (
    batch_delete,
    batch_get,
    batch_put,
    transact_get,
    transact_write,
)
from resolvers.dynamodb.builders import (
    OPERATOR_ALIASES,
    Expression,
    UpdateOperation,
    condition_of,
    key_of,
    operations,
    payload_fields,
    projection_of,
    request_of,
    to_condition_expression,
    to_filter_expression,
    typed,
    typed_map,
    update_section,
)

__all__ = [
    "UpdateOperation",
    "batch_delete",
    "batch_get",
    "batch_put",
    "get",
    "operations",
    "put",
    "query",
    "remove",
    "scan",
    "to_condition_expression",
    "to_filter_expression",
    "transact_get",
    "transact_write",
    "typed",
    "typed_map",
    "update",
]


# --- request builders ------------------------------------------------------------------------


def get(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``get({key, consistentRead?, projection?})`` → a GetItem request."""
    fields = payload_fields(payload, ("key", "consistentRead", "projection"), "get")
    return request_of(
        "GetItem",
        key=key_of(fields, "get"),
        consistentRead=fields.get("consistentRead"),
        projection=projection_of(fields),
    )


def put(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``put({key, item, condition?})`` → a PutItem request."""
    fields = payload_fields(payload, ("key", "item", "condition"), "put")
    return request_of(
        "PutItem",
        key=key_of(fields, "put"),
        attributeValues=typed_map(fields.get("item") or {}),
        condition=condition_of(fields),
    )


def remove(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``remove({key, condition?})`` → a DeleteItem request."""
    fields = payload_fields(payload, ("key", "condition"), "remove")
    return request_of("DeleteItem", key=key_of(fields, "remove"), condition=condition_of(fields))


def update(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``update({key, update, condition?})`` → an UpdateItem request.

    ``update`` maps attributes to new values: a plain value is ``SET``, a nested object updates
    the attributes inside a map, and ``operations`` values add, remove, replace, increment,
    decrement, append, prepend or update list items.
    """
    fields = payload_fields(payload, ("key", "update", "condition"), "update")
    return request_of(
        "UpdateItem",
        key=key_of(fields, "update"),
        update=update_section(fields.get("update"), "update"),
        condition=condition_of(fields),
    )


_KEY_OPERATORS = {"eq": "=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _key_condition(conditions: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(conditions, Mapping) or not conditions:
        raise TypeError("query() needs a 'query' object such as {'id': {'eq': 1}}")
    expr = Expression()
    clauses = []
    for attribute, ops in conditions.items():
        if not isinstance(ops, Mapping):
            raise TypeError(f"query condition on {attribute!r} must be an object of operators")
        target = expr.name(attribute)
        for raw_op, operand in ops.items():
            op = OPERATOR_ALIASES.get(raw_op, raw_op)
            if op in _KEY_OPERATORS:
                value = expr.value(f"{attribute}_{op}", operand)
                clauses.append(f"{target} {_KEY_OPERATORS[op]} {value}")
            elif op == "between":
                low, high = operand
                clauses.append(
                    f"{target} BETWEEN {expr.value(f'{attribute}_between_0', low)} "
                    f"AND {expr.value(f'{attribute}_between_1', high)}"
                )
            elif op == "beginsWith":
                value = expr.value(f"{attribute}_beginsWith", operand)
                clauses.append(f"begins_with({target}, {value})")
            else:
                raise TypeError(f"{raw_op!r} cannot be used in a key condition")
    return expr.section(" AND ".join(clauses))


_PAGE_FIELDS = ("filter", "index", "limit", "nextToken", "consistentRead", "select", "projection")


def query(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``query({query, filter?, index?, limit?, nextToken?, scanIndexForward?, ...})``."""
    fields = payload_fields(payload, ("query", "scanIndexForward", *_PAGE_FIELDS), "query")
    filter = fields.get("filter")
    return request_of(
        "Query",
        query=_key_condition(fields.get("query") or {}),
        filter=to_filter_expression(filter) if filter else None,
        index=fields.get("index"),
        limit=fields.get("limit"),
        nextToken=fields.get("nextToken"),
        scanIndexForward=fields.get("scanIndexForward"),
        consistentRead=fields.get("consistentRead"),
        select=fields.get("select"),
        projection=projection_of(fields),
    )


def scan(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``scan({filter?, index?, limit?, nextToken?, totalSegments?, segment?, ...})``."""
    fields = payload_fields(payload, ("totalSegments", "segment", *_PAGE_FIELDS), "scan")
    filter = fields.get("filter")
    return request_of(
        "Scan",
        filter=to_filter_expression(filter) if filter else None,
        index=fields.get("index"),
        limit=fields.get("limit"),
        nextToken=fields.get("nextToken"),
        consistentRead=fields.get("consistentRead"),
        totalSegments=fields.get("totalSegments"),
        segment=fields.get("segment"),
        select=fields.get("select"),
        projection=projection_of(fields),
    )
