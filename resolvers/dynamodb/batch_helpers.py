"""Builders for AppSync's batch and transaction request objects (Syncline's, beyond the JS module).

``@aws-appsync/utils/dynamodb`` has no batch or transaction builders; these follow the same
rules as ``helpers.get``/``put``/``update``: plain values in (Python sets become DynamoDB sets),
the request object of "JavaScript resolver function reference for DynamoDB" out, camelCase keys
or their snake_case twins, unknown keys refused::

    batch_get({"tables": {"Orders": {"keys": [{"id": 1}, {"id": 2}], "projection": ["id"]}}})
    batch_put({"tables": {"Orders": [{"id": 1, "total": 5}]}})
    batch_delete({"tables": {"Orders": [{"id": 1}]}})
    transact_get({"transactItems": [{"table": "Orders", "key": {"id": 1}}]})
    transact_write({"transactItems": [
        {"table": "Orders", "operation": "PutItem", "key": {"id": 1}, "item": {"total": 5},
         "condition": {"id": {"attributeExists": False}}},
        {"table": "Stock", "operation": "UpdateItem", "key": {"sku": "a"},
         "update": {"count": operations.decrement()}, "condition": {"count": {"gt": 0}}},
        {"table": "Orders", "operation": "ConditionCheck", "key": {"id": 2},
         "condition": {"status": {"eq": "OPEN"}}},
    ]})
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.dynamodb.builders import (
    condition_of,
    key_of,
    payload_fields,
    projection_of,
    request_of,
    typed_map,
    update_section,
)


def _tables(fields: Mapping[str, Any], function: str) -> Mapping[str, Any]:
    tables = fields.get("tables")
    if not isinstance(tables, Mapping) or not tables:
        raise TypeError(f"{function}() needs a 'tables' object of table names")
    return tables


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list | tuple) or not value:
        raise TypeError(f"{what} must be a non-empty list")
    return list(value)


def batch_get(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``batch_get({tables: {Name: {keys, consistentRead?, projection?}}})`` → BatchGetItem."""
    fields = payload_fields(payload, ("tables",), "batch_get")
    tables = {}
    for name, entry in _tables(fields, "batch_get").items():
        table = payload_fields(entry, ("keys", "consistentRead", "projection"), "batch_get")
        keys = _list(table.get("keys"), f"tables.{name}.keys")
        tables[name] = {
            k: v
            for k, v in {
                "keys": [typed_map(key) for key in keys],
                "consistentRead": table.get("consistentRead"),
                "projection": projection_of(table),
            }.items()
            if v is not None
        }
    return request_of("BatchGetItem", tables=tables)


def batch_put(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``batch_put({tables: {Name: [item, ...]}})`` → BatchPutItem (items include their keys)."""
    fields = payload_fields(payload, ("tables",), "batch_put")
    tables = {
        name: [typed_map(item) for item in _list(items, f"tables.{name}")]
        for name, items in _tables(fields, "batch_put").items()
    }
    return request_of("BatchPutItem", tables=tables)


def batch_delete(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``batch_delete({tables: {Name: [key, ...]}})`` → BatchDeleteItem."""
    fields = payload_fields(payload, ("tables",), "batch_delete")
    tables = {
        name: [typed_map(key) for key in _list(keys, f"tables.{name}")]
        for name, keys in _tables(fields, "batch_delete").items()
    }
    return request_of("BatchDeleteItem", tables=tables)


def transact_get(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``transact_get({transactItems: [{table, key, projection?}]})`` → TransactGetItems."""
    fields = payload_fields(payload, ("transactItems",), "transact_get")
    items = []
    for entry in _list(fields.get("transactItems"), "transactItems"):
        item = payload_fields(entry, ("table", "key", "projection"), "transact_get")
        read = {"table": item.get("table"), "key": key_of(item, "transact_get")}
        projection = projection_of(item)
        items.append(read if projection is None else {**read, "projection": projection})
    return request_of("TransactGetItems", transactItems=items)


_WRITE_FIELDS = ("table", "operation", "key", "item", "update", "condition")
_OPERATIONS = ("PutItem", "UpdateItem", "DeleteItem", "ConditionCheck")


def transact_write(payload: Mapping[str, Any]) -> dict[str, Any]:
    """``transact_write({transactItems: [{table, operation, key, item?, update?, condition?}]})``.

    ``item`` (PutItem) and ``update`` (UpdateItem, an object as for ``update()``) are plain;
    ``condition`` is a filter object; a ConditionCheck needs one.
    """
    fields = payload_fields(payload, ("transactItems",), "transact_write")
    actions = []
    for entry in _list(fields.get("transactItems"), "transactItems"):
        action = payload_fields(entry, _WRITE_FIELDS, "transact_write")
        operation = action.get("operation")
        if operation not in _OPERATIONS:
            raise TypeError(f"transact_write() operation must be one of {', '.join(_OPERATIONS)}")
        if operation == "ConditionCheck" and not action.get("condition"):
            raise TypeError("transact_write() needs a 'condition' for a ConditionCheck")
        actions.append(
            {
                "table": action.get("table"),
                **request_of(
                    operation,
                    key=key_of(action, "transact_write"),
                    attributeValues=(
                        typed_map(action.get("item") or {}) if operation == "PutItem" else None
                    ),
                    update=(
                        update_section(action.get("update"), "transact_write")
                        if operation == "UpdateItem"
                        else None
                    ),
                    condition=condition_of(action),
                ),
            }
        )
    return request_of("TransactWriteItems", transactItems=actions)
