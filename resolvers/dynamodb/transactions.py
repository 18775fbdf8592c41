"""AppSync's transaction request objects: ``TransactGetItems`` and ``TransactWriteItems``.

AppSync developer guide, "JavaScript resolver function reference for DynamoDB":

- ``TransactGetItems``: ``transactItems: [{table, key, projection?}]`` →
  ``{items: [item | null, ...], cancellationReasons: null}``;
- ``TransactWriteItems``: ``transactItems: [{table, operation: PutItem | UpdateItem | DeleteItem |
  ConditionCheck, key, attributeValues?, update?, condition?}]`` → ``{keys: [key, ...],
  cancellationReasons: null}``, the keys in request order.

A transaction is all-or-nothing across tables: the store runs it as one SQLite transaction.
When a condition is false the field fails with ``DynamoDB:TransactionCanceledException`` and
``ctx.result`` still holds ``{keys: null, cancellationReasons: [{type, message, item?}]}``, one
reason per action (``type`` ``None`` for the actions that were fine); ``item`` is the current
item of a failed condition unless its ``returnValuesOnConditionCheckFailure`` is false ("Transaction
condition expressions": it defaults to true). Each action has its own placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.dynamodb import requests as r
from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import InvalidRequest
from resolvers.dynamodb.expressions import Placeholders, parse_update
from resolvers.dynamodb.model import TransactGet, TransactOperation, TransactWrite
from resolvers.dynamodb.store import TableStore


def _transact_items(request: r.Request) -> list[Mapping[str, Any]]:
    entries = request.get("transactItems")
    if not isinstance(entries, list) or not entries:
        raise InvalidRequest("'transactItems' is required: a list of request items")
    return [r.mapping(entry, f"transactItems[{i}]") for i, entry in enumerate(entries)]


async def transact_get_items(store: TableStore, request: r.Request) -> dict[str, Any]:
    gets = [
        TransactGet(r.table_name(entry), r.key(entry), r.own_projection(entry))
        for entry in _transact_items(request)
    ]
    items = await store.transact_get(gets)
    return {"items": [v.item_to_plain(item) for item in items], "cancellationReasons": None}


def _write(entry: Mapping[str, Any], index: int) -> TransactWrite:
    try:
        operation = TransactOperation(str(entry.get("operation")))
    except ValueError:
        raise InvalidRequest(
            f"transactItems[{index}].operation must be one of "
            + ", ".join(o.value for o in TransactOperation)
        ) from None
    key = r.key(entry)
    placeholders = Placeholders()
    item = update = None
    if operation is TransactOperation.PUT_ITEM:
        attributes = entry.get("attributeValues")
        item = {**(v.validate_item(attributes, "attributeValues") if attributes else {}), **key}
    elif operation is TransactOperation.UPDATE_ITEM:
        section = r.section(entry, "update", placeholders, required=True)
        update = parse_update(section["expression"], placeholders)
    condition = r.condition(entry, placeholders)
    if operation is TransactOperation.CONDITION_CHECK and condition is None:
        raise InvalidRequest(f"transactItems[{index}]: a ConditionCheck needs a 'condition'")
    placeholders.check_all_used()
    raw_condition = entry.get("condition")
    return_item = True
    if isinstance(raw_condition, Mapping):
        return_item = r.boolean(raw_condition, "returnValuesOnConditionCheckFailure", True)
    return TransactWrite(operation, r.table_name(entry), key, item, update, condition, return_item)


async def transact_write_items(store: TableStore, request: r.Request) -> dict[str, Any]:
    actions = [_write(entry, i) for i, entry in enumerate(_transact_items(request))]
    await store.transact_write(actions)
    return {"keys": [v.item_to_plain(a.key) for a in actions], "cancellationReasons": None}
