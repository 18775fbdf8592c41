"""The AMAZON_DYNAMODB data source, on Syncline's embedded table store.

Resolver code returns AppSync's DynamoDB request objects (AppSync developer guide, "JavaScript
resolver function reference for DynamoDB": GetItem, PutItem, UpdateItem, DeleteItem, Query,
Scan) with DynamoDB-typed values, and gets back plain values ("Type system (response
mapping)"): the item for GetItem/PutItem/UpdateItem (the new item) and DeleteItem (the old one),
``{items, nextToken, scannedCount}`` for Query and Scan.

One ``TableStore`` serves every DynamoDB data source of an API (kept in ``Runtime.shared``);
each data source is bound to its ``config.tableName`` at start-up, so an undeclared table is a
definition error, not a request-time surprise.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any

from resolvers.context import ResolverContext
from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import InvalidRequest, UnsupportedOperation, ValidationError
from resolvers.dynamodb.expressions import (
    Condition,
    ExpressionKind,
    Path,
    Placeholders,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project,
)
from resolvers.dynamodb.store import IndexView, Page, TableStore
from resolvers.dynamodb.values import Item
from resolvers.registry import Runtime, register
from schema.errors import DefinitionError, ResolverError
from schema.model import DataSource, DataSourceKind, Table

__all__ = ["DynamoDBDataSource", "Operation", "TableStore", "create_dynamodb_data_source"]

_STORE_KEY = "dynamodb.table_store"
_MAX_SEGMENTS = 1_000_000


class Operation(StrEnum):
    """The ``operation`` values of AppSync's DynamoDB request objects."""

    GET_ITEM = "GetItem"
    PUT_ITEM = "PutItem"
    UPDATE_ITEM = "UpdateItem"
    DELETE_ITEM = "DeleteItem"
    QUERY = "Query"
    SCAN = "Scan"
    BATCH_GET_ITEM = "BatchGetItem"
    BATCH_PUT_ITEM = "BatchPutItem"
    BATCH_DELETE_ITEM = "BatchDeleteItem"
    TRANSACT_GET_ITEMS = "TransactGetItems"
    TRANSACT_WRITE_ITEMS = "TransactWriteItems"
    SYNC = "Sync"


class Select(StrEnum):
    ALL_ATTRIBUTES = "ALL_ATTRIBUTES"
    ALL_PROJECTED_ATTRIBUTES = "ALL_PROJECTED_ATTRIBUTES"
    SPECIFIC_ATTRIBUTES = "SPECIFIC_ATTRIBUTES"


Request = Mapping[str, Any]


class DynamoDBDataSource:
    """Executes AppSync DynamoDB request objects against one table of the embedded store."""

    def __init__(self, name: str, table: Table, store: TableStore) -> None:
        self.name = name
        self.table = table
        self.store = store
        self._handlers: dict[Operation, Callable[[Request], Awaitable[Any]]] = {
            Operation.GET_ITEM: self.get_item,
            Operation.PUT_ITEM: self.put_item,
            Operation.UPDATE_ITEM: self.update_item,
            Operation.DELETE_ITEM: self.delete_item,
            Operation.QUERY: self.query,
            Operation.SCAN: self.scan,
        }

    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        if not isinstance(request, Mapping):
            raise InvalidRequest("a DynamoDB request must be an object with an 'operation'")
        raw = request.get("operation")
        try:
            operation = Operation(str(raw))
        except ValueError:
            raise InvalidRequest(
                f"unknown DynamoDB operation {raw!r}; expected one of "
                + ", ".join(o.value for o in Operation)
            ) from None
        handler = self._handlers.get(operation)
        if handler is None:
            raise UnsupportedOperation(operation.value)
        return await handler(request)

    # --- single items (AppSync: "GetItem", "PutItem", "UpdateItem", "DeleteItem") --------

    async def get_item(self, request: Request) -> Any:
        placeholders = Placeholders()
        projection = _projection(request, placeholders)
        placeholders.check_all_used()
        item = await self.store.get_item(self.table.name, _key(request))
        if item is not None and projection is not None:
            item = project(item, projection)
        return v.item_to_plain(item)

    async def put_item(self, request: Request) -> Any:
        key = _key(request)
        attributes = request.get("attributeValues")
        item = {**(v.validate_item(attributes, "attributeValues") if attributes else {}), **key}
        placeholders = Placeholders()
        condition = _condition(request, placeholders)
        placeholders.check_all_used()
        return v.item_to_plain(await self.store.put_item(self.table.name, item, condition))

    async def update_item(self, request: Request) -> Any:
        key = _key(request)
        placeholders = Placeholders()
        section = _section(request, "update", placeholders, required=True)
        update = parse_update(section["expression"], placeholders)
        condition = _condition(request, placeholders)
        placeholders.check_all_used()
        item = await self.store.update_item(self.table.name, key, update, condition)
        return v.item_to_plain(item)

    async def delete_item(self, request: Request) -> Any:
        key = _key(request)
        placeholders = Placeholders()
        condition = _condition(request, placeholders)
        placeholders.check_all_used()
        return v.item_to_plain(await self.store.delete_item(self.table.name, key, condition))

    # --- pages (AppSync: "Query", "Scan") ------------------------------------------------

    def _view(self, request: Request, projection: tuple[Path, ...] | None) -> IndexView:
        index = request.get("index")
        if index is not None and not isinstance(index, str):
            raise InvalidRequest("'index' must be the name of an index")
        view = self.store.view(self.table.name, index)
        if request.get("consistentRead") is True and view.is_global:
            raise ValidationError("Consistent reads are not supported on global secondary indexes")
        select = request.get("select")
        if select is None:
            return view
        try:
            choice = Select(select)
        except ValueError:
            raise InvalidRequest(
                f"'select' must be one of {', '.join(s.value for s in Select)}"
            ) from None
        if choice is Select.SPECIFIC_ATTRIBUTES and projection is None:
            raise ValidationError(
                "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES "
                "requires a ProjectionExpression"
            )
        if choice is Select.ALL_ATTRIBUTES:
            if projection is not None:
                raise ValidationError(
                    "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
                )
            if view.is_global and view.projection != "ALL":
                raise ValidationError(
                    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                    f"not supported for global secondary index {view.name} because its "
                    "projection type is not ALL"
                )
            # A local index fetches the whole item from its table (DynamoDB "Query — Select").
            return dataclasses.replace(view, projection="ALL")
        return view

    async def query(self, request: Request) -> dict[str, Any]:
        placeholders = Placeholders()
        projection = _projection(request, placeholders)
        view = self._view(request, projection)
        section = _section(request, "query", placeholders, required=True)
        key_condition = parse_key_condition(
            section["expression"], placeholders, view.key.partition_key, view.key.sort_key
        )
        filter = _filter(request, placeholders)
        placeholders.check_all_used()
        forward = request.get("scanIndexForward", True)
        if not isinstance(forward, bool):
            raise InvalidRequest("'scanIndexForward' must be true or false")
        page = await self.store.query(
            view,
            key_condition,
            filter=filter,
            limit=_limit(request),
            forward=forward,
            next_token=_next_token(request),
        )
        return _page_result(page, projection)

    async def scan(self, request: Request) -> dict[str, Any]:
        placeholders = Placeholders()
        projection = _projection(request, placeholders)
        view = self._view(request, projection)
        filter = _filter(request, placeholders)
        placeholders.check_all_used()
        page = await self.store.scan(
            view,
            filter=filter,
            limit=_limit(request),
            next_token=_next_token(request),
            segment=_segment(request),
        )
        return _page_result(page, projection)


# --- request fields --------------------------------------------------------------------------


def _key(request: Request) -> Item:
    key = request.get("key")
    if not isinstance(key, Mapping) or not key:
        raise InvalidRequest("'key' is required: the item's key as DynamoDB-typed values")
    return v.validate_item(key, "key")


def _section(
    request: Request, field: str, placeholders: Placeholders, *, required: bool = False
) -> Mapping[str, Any]:
    section = request.get(field)
    if section is None:
        if required:
            raise InvalidRequest(f"'{field}' is required: {{expression, expressionNames, ...}}")
        return {}
    if not isinstance(section, Mapping) or "expression" not in section:
        raise InvalidRequest(f"'{field}' must be an object with an 'expression'")
    placeholders.add(section.get("expressionNames"), section.get("expressionValues"), field)
    return section


def _condition(request: Request, placeholders: Placeholders) -> Condition | None:
    section = _section(request, "condition", placeholders)
    if not section:
        return None
    for unsupported in ("equalsIgnore", "conditionalCheckFailedHandler"):
        if section.get(unsupported) is not None:
            raise ResolverError(f"condition.{unsupported} is not supported yet", "MappingTemplate")
    return parse_condition(section["expression"], placeholders, ExpressionKind.CONDITION)


def _filter(request: Request, placeholders: Placeholders) -> Condition | None:
    section = _section(request, "filter", placeholders)
    if not section:
        return None
    return parse_condition(section["expression"], placeholders, ExpressionKind.FILTER)


def _projection(request: Request, placeholders: Placeholders) -> tuple[Path, ...] | None:
    section = _section(request, "projection", placeholders)
    if not section:
        return None
    if section.get("expressionValues"):
        raise InvalidRequest("'projection' takes expressionNames only")
    return parse_projection(section["expression"], placeholders)


def _limit(request: Request) -> int | None:
    limit: Any = request.get("limit")
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidRequest("'limit' must be an integer")
    if limit < 1:
        raise ValidationError(
            f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"
        )
    return int(limit)


def _next_token(request: Request) -> str | None:
    token = request.get("nextToken")
    if token is None:
        return None
    if not isinstance(token, str):
        raise ValidationError("Invalid nextToken: expected a token returned by a previous page")
    return token


def _segment(request: Request) -> tuple[int, int] | None:
    segment, total = request.get("segment"), request.get("totalSegments")
    if segment is None and total is None:
        return None
    if segment is None or total is None:
        raise ValidationError("The Segment and TotalSegments parameters must be specified together")
    for name, number in (("segment", segment), ("totalSegments", total)):
        if isinstance(number, bool) or not isinstance(number, int):
            raise InvalidRequest(f"'{name}' must be an integer")
    if not 1 <= total <= _MAX_SEGMENTS:
        raise ValidationError(
            f"The TotalSegments parameter must be between 1 and {_MAX_SEGMENTS}: {total}"
        )
    if not 0 <= segment < total:
        raise ValidationError(
            f"The Segment parameter must be between 0 and TotalSegments - 1: {segment}"
        )
    return segment, total


def _page_result(page: Page, projection: tuple[Path, ...] | None) -> dict[str, Any]:
    items = page.items if projection is None else [project(i, projection) for i in page.items]
    return {
        "items": [v.item_to_plain(item) for item in items],
        "nextToken": page.next_token,
        "scannedCount": page.scanned_count,
    }


# --- registration ----------------------------------------------------------------------------


def table_store(runtime: Runtime) -> TableStore:
    """The API's one embedded store, created on first use and closed with the runtime."""
    store = runtime.shared.get(_STORE_KEY)
    if store is None:
        store = TableStore(runtime.api.tables, runtime.data_dir)
        runtime.shared[_STORE_KEY] = store
        runtime.exit_stack.push_async_callback(store.close)
    assert isinstance(store, TableStore)
    return store


@register(DataSourceKind.AMAZON_DYNAMODB)
def create_dynamodb_data_source(data_source: DataSource, runtime: Runtime) -> DynamoDBDataSource:
    table_name = data_source.config.get("tableName")
    if not isinstance(table_name, str) or not table_name:
        raise DefinitionError(
            data_source.location,
            f"data source {data_source.name}: config.tableName is required for AMAZON_DYNAMODB",
        )
    table = runtime.api.tables.get(table_name)
    if table is None:
        raise DefinitionError(
            data_source.location,
            f"data source {data_source.name}: table {table_name} is not declared in the "
            "tables: block, and the embedded store only holds declared tables",
        )
    return DynamoDBDataSource(data_source.name, table, table_store(runtime))
