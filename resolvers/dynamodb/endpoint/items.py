"""The endpoint's item operations: the wire's requests as ``TableStore`` calls, and back.

GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem,
TransactGetItems and TransactWriteItems, with the parameters the DynamoDB API reference gives
them, expressions only: the legacy ``KeyConditions``, ``Expected``, ``AttributeUpdates``,
``QueryFilter``/``ScanFilter`` and ``ConditionalOperator`` are refused with a
``ValidationException`` naming the expression to use; ``AttributesToGet`` is read as a projection.
Each request's ``ExpressionAttributeNames``/``Values`` serve all its expressions, and DynamoDB's
checks on them apply (unused placeholders, empty maps, maps without expressions).

``BatchGetItem`` and ``BatchWriteItem`` run as one store transaction each, so
``UnprocessedKeys``/``UnprocessedItems`` are always empty.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import Any

from resolvers.dynamodb.endpoint.tables import TableOperations
from resolvers.dynamodb.endpoint.wire import (
    Body,
    boolean,
    integer,
    item_of,
    mapping,
    sequence,
    string,
)
from resolvers.dynamodb.errors import ConditionalCheckFailed, ValidationError
from resolvers.dynamodb.expressions import (
    Condition,
    ExpressionKind,
    Path,
    Placeholders,
    UpdateExpression,
    parse_condition,
    parse_key_condition,
    parse_projection,
    parse_update,
    project,
)
from resolvers.dynamodb.model import (
    BatchWrite,
    IndexView,
    Page,
    Projection,
    ReturnValues,
    TransactGet,
    TransactOperation,
    TransactWrite,
    key_names,
)
from resolvers.dynamodb.requests import Select
from resolvers.dynamodb.store import TableStore
from resolvers.dynamodb.values import Item

_MAX_SEGMENTS = 1_000_000


_LEGACY = {
    "KeyConditions": "KeyConditionExpression",
    "QueryFilter": "FilterExpression",
    "ScanFilter": "FilterExpression",
    "Expected": "ConditionExpression",
    "AttributeUpdates": "UpdateExpression",
    "ConditionalOperator": "ConditionExpression or FilterExpression",
}


def _refuse_legacy(body: Body) -> None:
    for name, instead in _LEGACY.items():
        if name in body:
            raise ValidationError(
                f"Syncline's DynamoDB endpoint does not support the legacy parameter {name}; "
                f"use {instead}"
            )


class _Expressions:
    """A request's ``ExpressionAttributeNames``/``Values``, shared by all its expressions."""

    def __init__(self, body: Body) -> None:
        self.names = body.get("ExpressionAttributeNames")
        self.values = body.get("ExpressionAttributeValues")
        for what, given in (("Names", self.names), ("Values", self.values)):
            if given is not None and not given:
                raise ValidationError(f"ExpressionAttribute{what} must not be empty")
        self.placeholders = Placeholders()
        self.placeholders.add(self.names, self.values, "request")
        self.used = False

    def condition(self, text: Any, kind: ExpressionKind) -> Condition | None:
        if text is None:
            return None
        self.used = True
        return parse_condition(text, self.placeholders, kind)

    def update(self, text: Any) -> UpdateExpression:
        if text is None:
            return UpdateExpression()
        self.used = True
        return parse_update(text, self.placeholders)

    def projection(self, body: Body) -> tuple[Path, ...] | None:
        text = body.get("ProjectionExpression")
        if text is not None:
            if "AttributesToGet" in body:
                raise ValidationError(
                    "Can not use both expression and non-expression parameters in the same "
                    "request: Non-expression parameters: {AttributesToGet} Expression "
                    "parameters: {ProjectionExpression}"
                )
            self.used = True
            return parse_projection(text, self.placeholders)
        names = body.get("AttributesToGet")
        if names is None:
            return None
        return tuple((str(name),) for name in sequence(names, "attributesToGet", low=1))

    def finish(self) -> None:
        """DynamoDB rejects placeholders no expression uses, and maps without expressions."""
        if not self.used:
            for what, given in (("Names", self.names), ("Values", self.values)):
                if given:
                    raise ValidationError(
                        f"ExpressionAttribute{what} can only be specified when using expressions"
                    )
        self.placeholders.check_all_used()


def _return_values(body: Body, *, update: bool) -> ReturnValues:
    raw = body.get("ReturnValues")
    return ReturnValues.NONE if raw is None else ReturnValues.parse(raw, update=update)


def _return_old_on_failure(body: Body) -> bool:
    raw = body.get("ReturnValuesOnConditionCheckFailure", "NONE")
    if raw not in ("NONE", "ALL_OLD"):
        raise ValidationError(
            f"1 validation error detected: Value '{raw}' at "
            "'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must "
            "satisfy enum value set: [ALL_OLD, NONE]"
        )
    return bool(raw == "ALL_OLD")


def _attributes(item: Item | None) -> dict[str, Any]:
    return {"Attributes": item} if item else {}


class ItemOperations:
    """``handle_<operation>(body) -> answer`` for the item operations, on one store."""

    def __init__(self, store: TableStore, tables: TableOperations) -> None:
        self.store = store
        self.tables = tables

    # --- single items ----------------------------------------------------------------------

    async def handle_get_item(self, body: Body) -> dict[str, Any]:
        table = self.tables.existing(body)
        key = item_of(body.get("Key"), "key")
        expressions = _Expressions(body)
        projection = expressions.projection(body)
        expressions.finish()
        boolean(body, "ConsistentRead")
        item = await self.store.get_item(table.name, key)
        if item is None:
            return {}
        return {"Item": project(item, projection) if projection is not None else item}

    async def handle_put_item(self, body: Body) -> dict[str, Any]:
        _refuse_legacy(body)
        table = self.tables.existing(body)
        item = item_of(body.get("Item"), "item")
        returned = _return_values(body, update=False)
        wants_item = _return_old_on_failure(body)
        expressions = _Expressions(body)
        condition = expressions.condition(body.get("ConditionExpression"), ExpressionKind.CONDITION)
        expressions.finish()
        result = await self._conditional(
            wants_item, self.store.put_item(table.name, item, condition)
        )
        return _attributes(result.returned(returned))

    async def handle_update_item(self, body: Body) -> dict[str, Any]:
        _refuse_legacy(body)
        table = self.tables.existing(body)
        key = item_of(body.get("Key"), "key")
        returned = _return_values(body, update=True)
        wants_item = _return_old_on_failure(body)
        expressions = _Expressions(body)
        update = expressions.update(body.get("UpdateExpression"))
        condition = expressions.condition(body.get("ConditionExpression"), ExpressionKind.CONDITION)
        expressions.finish()
        result = await self._conditional(
            wants_item, self.store.update_item(table.name, key, update, condition)
        )
        return _attributes(result.returned(returned))

    async def handle_delete_item(self, body: Body) -> dict[str, Any]:
        _refuse_legacy(body)
        table = self.tables.existing(body)
        key = item_of(body.get("Key"), "key")
        returned = _return_values(body, update=False)
        wants_item = _return_old_on_failure(body)
        expressions = _Expressions(body)
        condition = expressions.condition(body.get("ConditionExpression"), ExpressionKind.CONDITION)
        expressions.finish()
        result = await self._conditional(
            wants_item, self.store.delete_item(table.name, key, condition)
        )
        return _attributes(result.returned(returned))

    @staticmethod
    async def _conditional(wants_item: bool, write: Awaitable[Any]) -> Any:
        """Run a conditional write; the failed condition's item only if the caller asked."""
        try:
            return await write
        except ConditionalCheckFailed as error:
            if not wants_item:
                error.item = None
            raise

    # --- pages -----------------------------------------------------------------------------

    def _view(
        self, table_name: str, body: Body, projection: tuple[Path, ...] | None
    ) -> tuple[IndexView, Select]:
        index = body.get("IndexName")
        if index is not None:
            string(index, "indexName")
        view = self.store.view(table_name, index)
        if boolean(body, "ConsistentRead") and view.is_global:
            raise ValidationError("Consistent reads are not supported on global secondary indexes")
        raw = body.get("Select")
        if raw is None:
            if projection is not None:
                return view, Select.SPECIFIC_ATTRIBUTES
            return view, Select.ALL_PROJECTED_ATTRIBUTES if index else Select.ALL_ATTRIBUTES
        try:
            select = Select(raw)
        except ValueError:
            raise ValidationError(
                f"1 validation error detected: Value '{raw}' at 'select' failed to satisfy "
                "constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, "
                "ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
            ) from None
        if select is Select.SPECIFIC_ATTRIBUTES:
            if projection is None:
                raise ValidationError(
                    "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES "
                    "requires a ProjectionExpression or AttributesToGet"
                )
            return view, select
        if projection is not None:
            raise ValidationError(
                "One or more parameter values were invalid: Can not use both expression and "
                f"non-expression parameters in the same request: Select type {select.value} "
                "given with a ProjectionExpression"
            )
        if select is Select.ALL_PROJECTED_ATTRIBUTES and index is None:
            raise ValidationError(
                "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES "
                "is not valid without an IndexName"
            )
        if select is Select.ALL_ATTRIBUTES and view.name is not None:
            if view.is_global and view.projection is not Projection.ALL:
                raise ValidationError(
                    "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is "
                    f"not supported for global secondary index {view.name} because its "
                    "projection type is not ALL"
                )
            # A local index fetches the whole item from its table (DynamoDB "Query — Select").
            view = IndexView(view.table, view.name, view.key, Projection.ALL, (), view.is_global)
        return view, select

    @staticmethod
    def _limit(body: Body) -> int | None:
        return integer(body, "Limit", low=1)

    @staticmethod
    def _page(page: Page, select: Select, projection: tuple[Path, ...] | None) -> dict[str, Any]:
        result: dict[str, Any] = {"Count": page.count, "ScannedCount": page.scanned_count}
        if select is not Select.COUNT:
            items = page.items
            if projection is not None:
                items = [project(item, projection) for item in items]
            result["Items"] = items
        if page.last_key is not None:
            result["LastEvaluatedKey"] = page.last_key
        return result

    def _start_key(self, body: Body) -> Item | None:
        raw = body.get("ExclusiveStartKey")
        return None if raw is None else item_of(raw, "exclusiveStartKey")

    async def handle_query(self, body: Body) -> dict[str, Any]:
        _refuse_legacy(body)
        table = self.tables.existing(body)
        expressions = _Expressions(body)
        projection = expressions.projection(body)
        view, select = self._view(table.name, body, projection)
        text = body.get("KeyConditionExpression")
        if text is None:
            raise ValidationError(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified "
                "in the request."
            )
        expressions.used = True
        key_condition = parse_key_condition(
            text, expressions.placeholders, view.key.partition_key, view.key.sort_key
        )
        filter = expressions.condition(body.get("FilterExpression"), ExpressionKind.FILTER)
        expressions.finish()
        forward = body.get("ScanIndexForward", True)
        if not isinstance(forward, bool):
            raise ValidationError("ScanIndexForward must be true or false")
        page = await self.store.query(
            view,
            key_condition,
            filter=filter,
            limit=self._limit(body),
            forward=forward,
            start_key=self._start_key(body),
        )
        return self._page(page, select, projection)

    async def handle_scan(self, body: Body) -> dict[str, Any]:
        _refuse_legacy(body)
        table = self.tables.existing(body)
        expressions = _Expressions(body)
        projection = expressions.projection(body)
        view, select = self._view(table.name, body, projection)
        filter = expressions.condition(body.get("FilterExpression"), ExpressionKind.FILTER)
        expressions.finish()
        page = await self.store.scan(
            view,
            filter=filter,
            limit=self._limit(body),
            start_key=self._start_key(body),
            segment=_segment(body),
        )
        return self._page(page, select, projection)

    # --- batches ---------------------------------------------------------------------------

    async def handle_batch_get_item(self, body: Body) -> dict[str, Any]:
        requested = mapping(body.get("RequestItems"), "requestItems", low=1)
        keys: dict[str, list[Item]] = {}
        projections: dict[str, tuple[Path, ...] | None] = {}
        for name, raw in requested.items():
            spec = mapping(raw, f"requestItems.{name}.member")
            table = self.tables.existing({"TableName": name})
            keys[table.name] = [
                item_of(k, f"requestItems.{name}.member.keys.member")
                for k in sequence(spec.get("Keys"), f"requestItems.{name}.member.keys", low=1)
            ]
            expressions = _Expressions(spec)
            projections[table.name] = expressions.projection(spec)
            expressions.finish()
            boolean(spec, "ConsistentRead")
        found = await self.store.batch_get(keys)
        responses: dict[str, list[Item]] = {}
        for name, items in found.items():
            projection = projections[name]
            responses[name] = [
                project(item, projection) if projection is not None else item
                for item in items
                if item is not None
            ]
        return {"Responses": responses, "UnprocessedKeys": {}}

    async def handle_batch_write_item(self, body: Body) -> dict[str, Any]:
        requested = mapping(body.get("RequestItems"), "requestItems", low=1)
        writes: list[BatchWrite] = []
        for name, raw in requested.items():
            table = self.tables.existing({"TableName": name})
            for entry in sequence(raw, f"requestItems.{name}.member", low=1):
                request = mapping(entry, f"requestItems.{name}.member.member")
                put, delete = request.get("PutRequest"), request.get("DeleteRequest")
                if (put is None) == (delete is None):
                    raise ValidationError(
                        "Supplied AttributeValue has more than one datatypes set, must contain "
                        "exactly one of the supported datatypes"
                        if put is not None
                        else "1 validation error detected: a WriteRequest must have a "
                        "PutRequest or a DeleteRequest"
                    )
                if put is not None:
                    item = item_of(mapping(put, "putRequest").get("Item"), "item")
                    writes.append(BatchWrite.put(table.name, item))
                else:
                    key = item_of(mapping(delete, "deleteRequest").get("Key"), "key")
                    writes.append(BatchWrite.delete(table.name, key))
        await self.store.batch_write(writes)
        return {"UnprocessedItems": {}}

    # --- transactions ----------------------------------------------------------------------

    async def handle_transact_get_items(self, body: Body) -> dict[str, Any]:
        gets: list[TransactGet] = []
        for raw in sequence(body.get("TransactItems"), "transactItems", low=1):
            spec = mapping(mapping(raw, "transactItems.member").get("Get"), "get")
            table = self.tables.existing(spec)
            expressions = _Expressions(spec)
            projection = expressions.projection(spec)
            expressions.finish()
            gets.append(TransactGet(table.name, item_of(spec.get("Key"), "key"), projection))
        items = await self.store.transact_get(gets)
        return {"Responses": [{"Item": item} if item is not None else {} for item in items]}

    async def handle_transact_write_items(self, body: Body) -> dict[str, Any]:
        actions = [
            self._transact_write(mapping(raw, "transactItems.member"))
            for raw in sequence(body.get("TransactItems"), "transactItems", low=1)
        ]
        await self.store.transact_write(actions)
        return {}

    def _transact_write(self, entry: Mapping[str, Any]) -> TransactWrite:
        kinds = {
            "Put": TransactOperation.PUT_ITEM,
            "Update": TransactOperation.UPDATE_ITEM,
            "Delete": TransactOperation.DELETE_ITEM,
            "ConditionCheck": TransactOperation.CONDITION_CHECK,
        }
        present = [kind for kind in kinds if kind in entry]
        if len(present) != 1:
            raise ValidationError(
                "TransactItems can only contain one of Check, Put, Update or Delete"
            )
        spec = mapping(entry[present[0]], present[0].lower())
        operation = kinds[present[0]]
        table = self.tables.existing(spec)
        expressions = _Expressions(spec)
        update = None
        item = None
        if operation is TransactOperation.PUT_ITEM:
            item = item_of(spec.get("Item"), "item")
            key = {n: item[n] for n in key_names(table.key) if n in item}
        else:
            key = item_of(spec.get("Key"), "key")
        if operation is TransactOperation.UPDATE_ITEM:
            text = spec.get("UpdateExpression")
            if text is None:
                raise ValidationError("1 validation error detected: UpdateExpression is required")
            update = expressions.update(text)
        text = spec.get("ConditionExpression")
        if text is None and operation is TransactOperation.CONDITION_CHECK:
            raise ValidationError(
                "1 validation error detected: Value null at "
                "'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy "
                "constraint: Member must not be null"
            )
        condition = expressions.condition(text, ExpressionKind.CONDITION)
        expressions.finish()
        return TransactWrite(
            operation,
            table.name,
            key,
            item=item,
            update=update,
            condition=condition,
            return_item_on_failure=_return_old_on_failure(spec),
        )


def _segment(body: Body) -> tuple[int, int] | None:
    segment, total = body.get("Segment"), body.get("TotalSegments")
    if segment is None and total is None:
        return None
    if segment is None or total is None:
        raise ValidationError(
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present"
            if total is None
            else "The Segment parameter is required but was not present in the request when "
            "parameter TotalSegments is present"
        )
    total = integer(body, "TotalSegments", low=1, high=_MAX_SEGMENTS) or 1
    segment = integer(body, "Segment", low=0, high=_MAX_SEGMENTS - 1) or 0
    if segment >= total:
        raise ValidationError(
            f"The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total}"
        )
    return segment, total
