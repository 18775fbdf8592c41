"""AppSync's batch request objects: ``BatchGetItem``, ``BatchPutItem``, ``BatchDeleteItem``.

AppSync developer guide, "JavaScript resolver function reference for DynamoDB":

- ``BatchGetItem``: ``tables: {Name: {keys: [...], consistentRead?, projection?}}`` (at most 100
  keys in all) → ``{data: {Name: [item | null, ...]}, unprocessedKeys: {Name: []}}``, items in
  the order of the keys, ``null`` where there is none;
- ``BatchPutItem``: ``tables: {Name: [item, ...]}`` (at most 25) →
  ``{data: {Name: [item, ...]}, unprocessedItems: {Name: []}}``;
- ``BatchDeleteItem``: ``tables: {Name: [key, ...]}`` (at most 25) →
  ``{data: {Name: [key, ...]}, unprocessedKeys: {Name: []}}`` (the keys, not the deleted items).

The tables may be any of the store's, not only the data source's. The embedded store processes a
whole batch in one transaction, so ``unprocessedKeys``/``unprocessedItems`` are always empty
lists; a batch DynamoDB would reject as a whole (duplicate keys, too many, a bad key) fails the
field with ``DynamoDB:ValidationException`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from resolvers.dynamodb import requests as r
from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import InvalidRequest
from resolvers.dynamodb.expressions import project
from resolvers.dynamodb.model import BatchWrite
from resolvers.dynamodb.store import TableStore
from resolvers.dynamodb.values import Item


def _tables(request: r.Request) -> Mapping[str, Any]:
    tables = request.get("tables")
    if not isinstance(tables, Mapping) or not tables:
        raise InvalidRequest("'tables' is required: an object of table names")
    return tables


def _items(entries: Any, where: str) -> list[Item]:
    return [
        v.validate_item(entry, f"{where}[{i}]")
        for i, entry in enumerate(r.sequence(entries, where))
    ]


async def batch_get_item(store: TableStore, request: r.Request) -> dict[str, Any]:
    keys: dict[str, list[Item]] = {}
    projections = {}
    for name, entry in _tables(request).items():
        table = r.mapping(entry, f"tables.{name}")
        keys[name] = _items(table.get("keys"), f"tables.{name}.keys")
        r.consistent_read(table)
        projections[name] = r.own_projection(table)
    found = await store.batch_get(keys)
    data = {}
    for name, items in found.items():
        paths = projections[name]
        data[name] = [
            v.item_to_plain(project(item, paths) if item is not None and paths else item)
            for item in items
        ]
    return {"data": data, "unprocessedKeys": {name: [] for name in data}}


def _writes(request: r.Request) -> dict[str, list[Item]]:
    return {name: _items(entries, f"tables.{name}") for name, entries in _tables(request).items()}


async def batch_put_item(store: TableStore, request: r.Request) -> dict[str, Any]:
    tables = _writes(request)
    await store.batch_write(_flatten(tables, BatchWrite.put))
    return {
        "data": {name: [v.item_to_plain(item) for item in items] for name, items in tables.items()},
        "unprocessedItems": {name: [] for name in tables},
    }


async def batch_delete_item(store: TableStore, request: r.Request) -> dict[str, Any]:
    tables = _writes(request)
    await store.batch_write(_flatten(tables, BatchWrite.delete))
    return {
        "data": {name: [v.item_to_plain(key) for key in keys] for name, keys in tables.items()},
        "unprocessedKeys": {name: [] for name in tables},
    }


def _flatten(tables: Mapping[str, Sequence[Item]], make: Any) -> list[BatchWrite]:
    return [make(name, item) for name, items in tables.items() for item in items]
