"""The AMAZON_DYNAMODB data source: AppSync's DynamoDB request objects on the table store.

AppSync developer guide, "JavaScript resolver function reference for DynamoDB": resolver code
returns a request object with DynamoDB-typed values, and ``ctx.result`` gets plain values ("Type
system (response mapping)"): the item for GetItem/PutItem/UpdateItem (the new item) and
DeleteItem (the old one); ``{items, nextToken, scannedCount}`` for Query and Scan; the batch and
transaction shapes of ``batch.py`` and ``transactions.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Any

from resolvers.context import ResolverContext
from resolvers.dynamodb import requests as r
from resolvers.dynamodb import values as v
from resolvers.dynamodb.batch import batch_delete_item, batch_get_item, batch_put_item
from resolvers.dynamodb.conditions import InvokeFunction, conditional_write
from resolvers.dynamodb.errors import (
    InvalidRequest,
    UnsupportedOperation,
    ValidationError,
)
from resolvers.dynamodb.expressions import (
    Path,
    Placeholders,
    parse_key_condition,
    parse_update,
    project,
)
from resolvers.dynamodb.model import IndexView, Page, Projection
from resolvers.dynamodb.requests import Request, Select
from resolvers.dynamodb.store import TableStore
from resolvers.dynamodb.tokens import PageTokens
from resolvers.dynamodb.transactions import transact_get_items, transact_write_items
from resolvers.dynamodb.values import Item
from schema.model import Table


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


Handler = Callable[[Request, "ResolverContext | None"], Awaitable[Any]]


async def dispatch(
    handlers: Mapping[Operation, Handler], request: Any, ctx: ResolverContext | None
) -> Any:
    """Run an AppSync DynamoDB request object with the handler for its ``operation``.

    Shared by the embedded and the boto3 data sources, so both refuse the same bad requests.
    """
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
    handler = handlers.get(operation)
    if handler is None:
        raise UnsupportedOperation(
            operation.value, "it needs a versioned data source (conflict detection)"
        )
    return await handler(request, ctx)


class DynamoDBDataSource:
    """Executes AppSync DynamoDB request objects; single-item operations and pages go to
    ``table``, batches and transactions to the tables they name.

    ``invoke_function`` runs a ``conditionalCheckFailedHandler``'s ``lambdaArn`` (None: a
    ``Custom`` strategy is a ``MappingTemplate`` error).
    """

    def __init__(
        self,
        name: str,
        table: Table,
        store: TableStore,
        invoke_function: InvokeFunction | None = None,
    ) -> None:
        self.name = name
        self.table = table
        self.store = store
        self.invoke_function = invoke_function

        def on_store(
            operation: Callable[[TableStore, Request], Awaitable[Any]],
        ) -> Handler:
            return lambda request, ctx: operation(store, request)

        self._handlers: dict[Operation, Handler] = {
            Operation.GET_ITEM: self.get_item,
            Operation.PUT_ITEM: self.put_item,
            Operation.UPDATE_ITEM: self.update_item,
            Operation.DELETE_ITEM: self.delete_item,
            Operation.QUERY: self.query,
            Operation.SCAN: self.scan,
            Operation.BATCH_GET_ITEM: on_store(batch_get_item),
            Operation.BATCH_PUT_ITEM: on_store(batch_put_item),
            Operation.BATCH_DELETE_ITEM: on_store(batch_delete_item),
            Operation.TRANSACT_GET_ITEMS: on_store(transact_get_items),
            Operation.TRANSACT_WRITE_ITEMS: on_store(transact_write_items),
        }

    async def invoke(self, request: Any, ctx: ResolverContext | None) -> Any:
        return await dispatch(self._handlers, request, ctx)

    # --- single items (AppSync: "GetItem", "PutItem", "UpdateItem", "DeleteItem") --------

    async def get_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        placeholders = Placeholders()
        projection = r.projection(request, placeholders)
        placeholders.check_all_used()
        r.consistent_read(request)
        key = r.key(request)
        if projection is None:
            return await self.store.get_plain_item(self.table.name, key)
        item = await self.store.get_item(self.table.name, key)
        return v.item_to_plain(None if item is None else project(item, projection))

    async def put_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        key = r.key(request)
        attributes = request.get("attributeValues")
        item = {**(v.validate_item(attributes, "attributeValues") if attributes else {}), **key}
        placeholders = Placeholders()
        condition = r.condition(request, placeholders)
        placeholders.check_all_used()

        async def attempt() -> Any:
            written = await self.store.put_item(self.table.name, item, condition)
            return v.item_to_plain(written.new)

        return await self._conditional(Operation.PUT_ITEM, request, ctx, attempt, item)

    async def update_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        key = r.key(request)
        placeholders = Placeholders()
        section = r.section(request, "update", placeholders, required=True)
        update = parse_update(section["expression"], placeholders)
        condition = r.condition(request, placeholders)
        placeholders.check_all_used()

        async def attempt() -> Any:
            written = await self.store.update_item(self.table.name, key, update, condition)
            return v.item_to_plain(written.new)

        return await self._conditional(Operation.UPDATE_ITEM, request, ctx, attempt, None)

    async def delete_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        key = r.key(request)
        placeholders = Placeholders()
        condition = r.condition(request, placeholders)
        placeholders.check_all_used()

        async def attempt() -> Any:
            written = await self.store.delete_item(self.table.name, key, condition)
            return v.item_to_plain(written.old)

        return await self._conditional(Operation.DELETE_ITEM, request, ctx, attempt, None)

    async def _conditional(
        self,
        operation: Operation,
        request: Request,
        ctx: ResolverContext | None,
        attempt: Callable[[], Awaitable[Any]],
        expected: Item | None,
    ) -> Any:
        return await conditional_write(
            attempt,
            operation=operation.value,
            request=request,
            expected=expected,
            table=self.table.name,
            ctx=ctx,
            invoke=self.invoke_function,
            writers={
                Operation.PUT_ITEM.value: self.put_item,
                Operation.UPDATE_ITEM.value: self.update_item,
                Operation.DELETE_ITEM.value: self.delete_item,
            },
        )

    # --- pages (AppSync: "Query", "Scan") ------------------------------------------------

    def _view(self, request: Request, projection: tuple[Path, ...] | None) -> IndexView:
        index = request.get("index")
        if index is not None and not isinstance(index, str):
            raise InvalidRequest("'index' must be the name of an index")
        view = self.store.view(self.table.name, index)
        r.consistent_read(request, view)
        choice = r.select(request)
        if choice is Select.SPECIFIC_ATTRIBUTES and projection is None:
            raise ValidationError(
                "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES "
                "requires a ProjectionExpression"
            )
        if choice is Select.COUNT and projection is not None:
            raise ValidationError(
                "Cannot specify the ProjectionExpression when choosing to get COUNT"
            )
        if choice is Select.ALL_ATTRIBUTES:
            if projection is not None:
                raise ValidationError(
                    "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
                )
            if view.is_global and view.projection is not Projection.ALL:
                raise ValidationError(
                    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                    f"not supported for global secondary index {view.name} because its "
                    "projection type is not ALL"
                )
            # A local index fetches the whole item from its table (DynamoDB "Query — Select").
            return dataclasses.replace(view, projection=Projection.ALL)
        return view

    async def query(self, request: Request, ctx: ResolverContext | None = None) -> dict[str, Any]:
        placeholders = Placeholders()
        projection = r.projection(request, placeholders)
        view = self._view(request, projection)
        section = r.section(request, "query", placeholders, required=True)
        key_condition = parse_key_condition(
            section["expression"], placeholders, view.key.partition_key, view.key.sort_key
        )
        filter = r.filter_(request, placeholders)
        placeholders.check_all_used()
        tokens = await self.store.page_tokens()
        select = r.select(request)
        page = await self.store.query(
            view,
            key_condition,
            filter=filter,
            limit=r.limit(request),
            forward=r.boolean(request, "scanIndexForward", True),
            start_key=_start_key(tokens, view, request),
            plain=_plain_page(projection, select),
        )
        return _page_result(page, view, projection, tokens, select)

    async def scan(self, request: Request, ctx: ResolverContext | None = None) -> dict[str, Any]:
        placeholders = Placeholders()
        projection = r.projection(request, placeholders)
        view = self._view(request, projection)
        filter = r.filter_(request, placeholders)
        placeholders.check_all_used()
        tokens = await self.store.page_tokens()
        select = r.select(request)
        page = await self.store.scan(
            view,
            filter=filter,
            limit=r.limit(request),
            start_key=_start_key(tokens, view, request),
            segment=r.segment(request),
            plain=_plain_page(projection, select),
        )
        return _page_result(page, view, projection, tokens, select)


def _start_key(tokens: PageTokens, view: IndexView, request: Request) -> Item | None:
    token = r.next_token(request)
    return None if token is None else tokens.open(view.scope, token)


def _plain_page(projection: tuple[Path, ...] | None, select: Select | None) -> bool:
    """Whether the store can hand over plain items (no projection expression, items wanted)."""
    return projection is None and select is not Select.COUNT


def _page_result(
    page: Page,
    view: IndexView,
    projection: tuple[Path, ...] | None,
    tokens: PageTokens,
    select: Select | None,
) -> dict[str, Any]:
    next_token = None if page.last_key is None else tokens.issue(view.scope, page.last_key)
    result: dict[str, Any] = {"nextToken": next_token, "scannedCount": page.scanned_count}
    if select is Select.COUNT:
        # DynamoDB's Select COUNT, which AppSync does not list: no items, just how many.
        return {"items": [], "count": page.count, **result}
    if projection is None:  # read with plain=True
        return {"items": page.items, **result}
    items = [v.item_to_plain(project(item, projection)) for item in page.items]
    return {"items": items, **result}
