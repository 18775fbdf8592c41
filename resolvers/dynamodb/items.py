"""Item operations inside one SQLite transaction: the engine under ``TableStore``.

``ItemTransaction`` runs on the store's worker thread with the transaction already open; every
DynamoDB operation (single items, pages, batches, transactions) is a method here, so a batch or
``TransactWriteItems`` is a sequence of the same steps inside one SQLite transaction, all of it
committed or none of it.

Semantics follow the DynamoDB developer guide and API reference: key validation and messages
(``The provided key element does not match the schema``), sparse secondary indexes, ``Limit``
counting evaluated items before the filter, the 1 MB page, ``BatchGetItem`` (100 keys) and
``BatchWriteItem`` (25 requests) limits, ``TransactWriteItems`` (100 actions, one action per
item, every condition reported in ``CancellationReasons``) and TTL ("Time to Live (TTL)": the
attribute is a top-level Number of epoch seconds; values more than five years in the past are
ignored). Syncline treats an item as deleted the moment its TTL passes — reads never return it
and writes see no item — where DynamoDB may still show it for up to a few days
(docs/dynamodb.md, "TTL").
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import (
    CancellationCode,
    CancellationReason,
    ConditionalCheckFailed,
    KeyTypeMismatch,
    TransactionCanceled,
    ValidationError,
)
from resolvers.dynamodb.expressions import (
    Condition,
    KeyCondition,
    UpdateExpression,
    apply_update,
    evaluate,
    project,
)
from resolvers.dynamodb.model import (
    BatchWrite,
    IndexView,
    Page,
    PlainItem,
    TransactGet,
    TransactOperation,
    TransactWrite,
    WriteResult,
    key_names,
)
from resolvers.dynamodb.values import AttributeValue, Item
from schema.model import Table

if TYPE_CHECKING:
    from resolvers.dynamodb.store import TableStore

MAX_PAGE_BYTES = 1024 * 1024
"""DynamoDB stops a Query or Scan page once it has read 1 MB ("Paginating query results")."""
MAX_BATCH_GET_KEYS = 100
MAX_BATCH_WRITES = 25
MAX_TRANSACT_ITEMS = 100
TTL_HORIZON_SECONDS = 5 * 365 * 24 * 3600
"""TTL ignores expiry times more than five years in the past (DynamoDB "Enabling TTL")."""

_ITEM_ROW = "SELECT item, expires, plain FROM items WHERE tbl = ? AND pk = ? AND sk = ?"
_COMPACT = (",", ":")


def segment_hash(partition: bytes) -> int:
    return zlib.crc32(partition)


def ttl_epoch(table: Table, item: Item) -> float | None:
    """The item's expiry time in epoch seconds, or None when TTL does not apply to it."""
    if table.ttl_attribute is None:
        return None
    value = item.get(table.ttl_attribute)
    if value is None or "N" not in value:
        return None
    return float(Decimal(value["N"]))


def is_expired(expires: float | None, now: float) -> bool:
    return expires is not None and now - TTL_HORIZON_SECONDS <= expires < now


def _visible(column: str) -> str:
    """SQL: the row's item has not expired (two parameters: now, now - horizon)."""
    return f"({column} IS NULL OR NOT ({column} < ? AND {column} >= ?))"


def _duplicate_keys() -> ValidationError:
    return ValidationError("Provided list of item keys contains duplicates")


class ItemTransaction:
    """Item operations on the store's connection, inside the caller's SQLite transaction."""

    def __init__(self, store: TableStore, connection: sqlite3.Connection, now: float) -> None:
        self.store = store
        self.connection = connection
        self.now = now

    # --- keys ----------------------------------------------------------------------------

    def key_value(
        self,
        table: Table,
        attr: str,
        value: AttributeValue,
        *,
        lock: bool,
        index: str | None = None,
    ) -> bytes:
        kind = v.value_type(value)
        if kind not in v.SCALAR_TYPES:
            raise self.mismatch(attr, kind, None, index)
        if kind in ("S", "B") and not value[kind]:
            raise ValidationError(
                "One or more parameter values are not valid. The AttributeValue for a key "
                f"attribute cannot contain an empty {'string' if kind == 'S' else 'binary'} "
                f"value. Key: {attr}"
            )
        locked = self.store.locked_key_type(self.connection, table.name, attr)
        if locked is None and lock:
            self.store.lock_key_type(self.connection, table.name, attr, kind)
            locked = kind
        if locked is not None and locked != kind:
            raise self.mismatch(attr, kind, locked, index)
        return v.key_bytes(value)

    @staticmethod
    def mismatch(
        attr: str, actual: str, expected: str | None, index: str | None
    ) -> KeyTypeMismatch:
        if index is None:
            return KeyTypeMismatch("The provided key element does not match the schema", None)
        return KeyTypeMismatch(
            f"One or more parameter values were invalid: Type mismatch for Index Key {attr} "
            f"Expected: {expected or 'S, N or B'} Actual: {actual} IndexName: {index}",
            index,
        )

    def primary_key(self, table: Table, key: Item, *, lock: bool) -> tuple[bytes, bytes]:
        names = key_names(table.key)
        if sorted(key) != sorted(names):
            raise ValidationError("The provided key element does not match the schema")
        pk = self.key_value(table, table.key.partition_key, key[table.key.partition_key], lock=lock)
        sk = b""
        if table.key.sort_key:
            sk = self.key_value(table, table.key.sort_key, key[table.key.sort_key], lock=lock)
        return pk, sk

    @staticmethod
    def key_of(table: Table, item: Item) -> Item:
        """An item's primary key; ValidationError when the item lacks a key attribute."""
        for name in key_names(table.key):
            if name not in item:
                raise ValidationError(
                    f"One or more parameter values were invalid: Missing the key {name} in the item"
                )
        return {name: item[name] for name in key_names(table.key)}

    # --- single items --------------------------------------------------------------------

    def load(self, table: Table, key: Item) -> Item | None:
        """The item with this key as a read sees it (None if absent or expired)."""
        pk, sk = self.primary_key(table, key, lock=False)
        row = self.connection.execute(_ITEM_ROW, (table.name, pk, sk)).fetchone()
        if row is None or is_expired(row[1], self.now):
            return None
        item: Item = json.loads(row[0])
        return item

    def load_plain(self, table: Table, key: Item) -> PlainItem | None:
        """``load``, as plain values (``values.item_to_plain``)."""
        pk, sk = self.primary_key(table, key, lock=False)
        row = self.connection.execute(_ITEM_ROW, (table.name, pk, sk)).fetchone()
        if row is None or is_expired(row[1], self.now):
            return None
        return _plain(row[0], row[2])

    def load_for_write(self, table: Table, pk: bytes, sk: bytes) -> Item | None:
        """The current item a write replaces; an expired one is deleted here and then absent."""
        row = self.connection.execute(_ITEM_ROW, (table.name, pk, sk)).fetchone()
        if row is None:
            return None
        item: Item = json.loads(row[0])
        if is_expired(row[1], self.now):
            self.remove_row(table, pk, sk, item)
            return None
        return item

    def check(self, condition: Condition | None, current: Item | None) -> None:
        if condition is not None and not evaluate(condition, current or {}):
            raise ConditionalCheckFailed(current, v.item_to_plain(current))

    def put(self, table: Table, item: Item, condition: Condition | None) -> WriteResult:
        pk, sk = self.primary_key(table, self.key_of(table, item), lock=True)
        if condition is not None and (
            table.global_secondary_indexes or table.local_secondary_indexes
        ):
            # The item's index key values are part of the request: DynamoDB refuses bad ones
            # before it evaluates the condition.
            for _ in self.index_rows(table, item, strict=True):
                pass
        current = self.load_for_write(table, pk, sk)
        self.check(condition, current)
        self.store_item(table, pk, sk, current, item)
        return WriteResult(current, item)

    def update(
        self, table: Table, key: Item, update: UpdateExpression, condition: Condition | None
    ) -> WriteResult:
        self.check_update_paths(key, update)
        pk, sk = self.primary_key(table, key, lock=True)
        current = self.load_for_write(table, pk, sk)
        self.check(condition, current)
        updated = apply_update(update, current if current is not None else dict(key))
        self.store_item(table, pk, sk, current, updated)
        return WriteResult(current, updated, tuple(update.target_paths()))

    @staticmethod
    def check_update_paths(key: Item, update: UpdateExpression) -> None:
        for path in update.target_paths():
            if path[0] in key:
                raise ValidationError(
                    f"One or more parameter values were invalid: Cannot update attribute "
                    f"{path[0]}. This attribute is part of the key"
                )

    def delete(self, table: Table, key: Item, condition: Condition | None) -> WriteResult:
        pk, sk = self.primary_key(table, key, lock=False)
        current = self.load_for_write(table, pk, sk)
        self.check(condition, current)
        if current is not None:
            self.remove_row(table, pk, sk, current)
        return WriteResult(current, None)

    def remove_row(self, table: Table, pk: bytes, sk: bytes, item: Item) -> None:
        self.unindex_item(table, item)
        self.connection.execute(
            "DELETE FROM items WHERE tbl = ? AND pk = ? AND sk = ?", (table.name, pk, sk)
        )

    def store_item(
        self, table: Table, pk: bytes, sk: bytes, current: Item | None, item: Item
    ) -> None:
        size = v.item_size(item)
        if size > v.MAX_ITEM_BYTES:
            raise ValidationError("Item size has exceeded the maximum allowed size")
        if current is not None:
            self.unindex_item(table, current)
        self.connection.execute(
            "INSERT OR REPLACE INTO items (tbl, pk, sk, seg, size, item, expires, plain) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                table.name,
                pk,
                sk,
                segment_hash(pk),
                size,
                json.dumps(item, separators=_COMPACT),
                ttl_epoch(table, item),
                json.dumps(v.item_to_plain(item), separators=_COMPACT),
            ),
        )
        self.index_item(table, item, strict=True)

    # --- secondary indexes ---------------------------------------------------------------

    def index_rows(
        self, table: Table, item: Item, *, strict: bool
    ) -> Iterator[tuple[str, bytes, bytes, bytes, bytes]]:
        """The index entries of an item; sparse: an index skips items lacking its key."""
        pk, sk = self.primary_key(table, self.key_of(table, item), lock=strict)
        for index in (*table.global_secondary_indexes, *table.local_secondary_indexes):
            names = key_names(index.key)
            present = [name for name in names if name in item]
            try:
                # Checked even when the item has only part of the index key (DynamoDB Local
                # refuses an empty or mistyped index key value in an item the index skips).
                encoded = [
                    self.key_value(table, n, item[n], lock=strict, index=index.name)
                    for n in present
                ]
            except ValidationError:
                if strict:
                    raise
                continue  # an existing item that violates a newly added index stays unindexed
            if len(present) != len(names):
                continue
            yield index.name, encoded[0], encoded[1] if len(encoded) > 1 else b"", pk, sk

    def index_item(self, table: Table, item: Item, *, strict: bool) -> None:
        self.connection.executemany(
            "INSERT OR REPLACE INTO index_entries VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (table.name, idx, ipk, isk, pk, sk, segment_hash(ipk))
                for idx, ipk, isk, pk, sk in self.index_rows(table, item, strict=strict)
            ],
        )

    def unindex_item(self, table: Table, item: Item) -> None:
        self.connection.executemany(
            "DELETE FROM index_entries WHERE tbl = ? AND idx = ? AND ipk = ? AND isk = ? "
            "AND pk = ? AND sk = ?",
            [(table.name, *row) for row in self.index_rows(table, item, strict=False)],
        )

    def reindex_table(self, table: Table) -> None:
        """Rebuild a table's index entries and expiry times from its items (definition change)."""
        self.connection.execute("DELETE FROM index_entries WHERE tbl = ?", (table.name,))
        rows = self.connection.execute(
            "SELECT pk, sk, item FROM items WHERE tbl = ?", (table.name,)
        ).fetchall()
        for pk, sk, text in rows:
            item = json.loads(text)
            self.index_item(table, item, strict=False)
            self.connection.execute(
                "UPDATE items SET expires = ?, plain = ? WHERE tbl = ? AND pk = ? AND sk = ?",
                (
                    ttl_epoch(table, item),
                    json.dumps(v.item_to_plain(item), separators=_COMPACT),
                    table.name,
                    pk,
                    sk,
                ),
            )

    def purge_expired(self, table: Table, limit: int) -> int:
        """Delete up to ``limit`` expired items of ``table``; returns how many were deleted."""
        rows = self.connection.execute(
            "SELECT pk, sk, item FROM items WHERE tbl = ? AND expires < ? AND expires >= ? LIMIT ?",
            (table.name, self.now, self.now - TTL_HORIZON_SECONDS, limit),
        ).fetchall()
        for pk, sk, text in rows:
            self.remove_row(table, pk, sk, json.loads(text))
        return len(rows)

    # --- reads that page -----------------------------------------------------------------

    def start_after(self, view: IndexView, start_key: Item | None) -> list[bytes] | None:
        """The encoded position a page resumes after: (pk, sk) or (ipk, isk, pk, sk)."""
        if start_key is None:
            return None
        if sorted(start_key) != sorted(view.key_attributes()):
            raise ValidationError(
                "The provided starting key is invalid: The provided key element does not match "
                "the schema"
            )
        table_key = {n: start_key[n] for n in key_names(view.table.key)}
        position = list(self.primary_key(view.table, table_key, lock=False))
        if view.name is None:
            return position
        index_key = [
            self.condition_key(view.table, n, start_key[n]) if n else b""
            for n in (view.key.partition_key, view.key.sort_key)
        ]
        return [*index_key, *position]

    def condition_key(self, table: Table, attr: str, value: AttributeValue) -> bytes:
        """Encode a key value a request compares with (key condition, starting key)."""
        kind = v.value_type(value)
        locked = self.store.locked_key_type(self.connection, table.name, attr)
        if kind not in v.SCALAR_TYPES or (locked is not None and locked != kind):
            raise ValidationError(
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type"
            )
        if kind in ("S", "B") and not value[kind]:  # begins_with(sk, :empty) too (DynamoDB Local)
            raise ValidationError(
                "One or more parameter values are not valid. The AttributeValue for a key "
                f"attribute cannot contain an empty {'string' if kind == 'S' else 'binary'} "
                f"value. Key: {attr}"
            )
        return v.key_bytes(value)

    def _expiry_clause(self, table: Table, column: str) -> tuple[str, list[Any]]:
        if table.ttl_attribute is None:
            return "", []
        return f" AND {_visible(column)}", [self.now, self.now - TTL_HORIZON_SECONDS]

    def query(
        self,
        view: IndexView,
        condition: KeyCondition,
        filter: Condition | None,
        limit: int | None,
        forward: bool,
        start_key: Item | None,
        plain: bool = False,
    ) -> Page:
        table = view.table
        partition = self.condition_key(table, condition.partition_name, condition.partition_value)
        if condition.sort is not None:
            for operand in condition.sort.operands:
                self.condition_key(table, condition.sort.name, operand)
        start = self.start_after(view, start_key)
        if start is not None and start[0] != partition:
            raise ValidationError(
                "The provided starting key does not match the range key predicate"
            )
        order = "ASC" if forward else "DESC"
        if view.name is None:
            sql = "SELECT item, plain FROM items WHERE tbl = ? AND pk = ?"
            params: list[Any] = [table.name, partition]
            columns = ["sk"]
            expires = "expires"
        else:
            sql = (
                "SELECT i.item, i.plain FROM index_entries e JOIN items i "
                "ON i.tbl = e.tbl AND i.pk = e.pk AND i.sk = e.sk "
                "WHERE e.tbl = ? AND e.idx = ? AND e.ipk = ?"
            )
            params = [table.name, view.name, partition]
            columns = ["e.isk", "e.pk", "e.sk"]
            expires = "i.expires"
        clauses, values = _sort_clauses(condition, columns[0])
        sql += "".join(f" AND {clause}" for clause in clauses)
        params.extend(values)
        expiry_sql, expiry_params = self._expiry_clause(table, expires)
        sql += expiry_sql
        params.extend(expiry_params)
        if start is not None:
            sql += f" AND {_row(columns)} {'>' if forward else '<'} {_row('?' * len(columns))}"
            params.extend(start[1:])
        sql += " ORDER BY " + ", ".join(f"{c} {order}" for c in columns)
        range_end = _range_end(view, condition, forward)
        return self._page(view, sql, params, filter, limit, range_end, plain)

    def scan(
        self,
        view: IndexView,
        filter: Condition | None,
        limit: int | None,
        start_key: Item | None,
        segment: tuple[int, int] | None,
        plain: bool = False,
    ) -> Page:
        start = self.start_after(view, start_key)
        if view.name is None:
            sql = "SELECT item, plain FROM items WHERE tbl = ?"
            params: list[Any] = [view.table.name]
            columns = ["pk", "sk"]
            prefix, expires = "", "expires"
        else:
            sql = (
                "SELECT i.item, i.plain FROM index_entries e JOIN items i "
                "ON i.tbl = e.tbl AND i.pk = e.pk AND i.sk = e.sk WHERE e.tbl = ? AND e.idx = ?"
            )
            params = [view.table.name, view.name]
            columns = ["e.ipk", "e.isk", "e.pk", "e.sk"]
            prefix, expires = "e.", "i.expires"
        if segment is not None:
            number, total = segment
            sql += f" AND {prefix}seg % ? = ?"
            params.extend([total, number])
        expiry_sql, expiry_params = self._expiry_clause(view.table, expires)
        sql += expiry_sql
        params.extend(expiry_params)
        if start is not None:
            if segment is not None and segment_hash(start[0]) % segment[1] != segment[0]:
                raise ValidationError("The provided starting key is invalid for this segment")
            sql += f" AND {_row(columns)} > {_row('?' * len(columns))}"
            params.extend(start)
        sql += f" ORDER BY {', '.join(columns)}"
        return self._page(view, sql, params, filter, limit, plain=plain)

    def _page(
        self,
        view: IndexView,
        sql: str,
        params: Sequence[Any],
        filter: Condition | None,
        limit: int | None,
        range_end: bytes | None = None,
        plain: bool = False,
    ) -> Page:
        """Read rows until ``limit`` items or 1 MB were evaluated; filter after counting them.

        DynamoDB applies ``Limit`` to the items it evaluates, before ``FilterExpression``
        ("Query — Limiting the number of items in the result set"), and returns
        ``LastEvaluatedKey`` whenever it stopped early, even if nothing is left. With ``plain``
        the items come from the ``plain`` column: no typed value is converted in Python.
        """
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, limit]
        items: list[Any] = []
        scanned = 0
        read_bytes = 0
        last_text: str | None = None
        for text, plain_text in self.connection.execute(sql, params):
            scanned += 1
            read_bytes += len(text)
            if filter is None and plain:
                items.append(view.project(_plain(text, plain_text)))
            else:
                visible = view.project(json.loads(text))
                if filter is None or evaluate(filter, visible):
                    items.append(view.project(_plain(text, plain_text)) if plain else visible)
            last_text = text
            if (limit is not None and scanned >= limit) or read_bytes >= MAX_PAGE_BYTES:
                break
        else:
            last_text = None
        last: Item | None = None if last_text is None else json.loads(last_text)
        sort_key = view.key.sort_key
        if last is not None and sort_key and v.key_bytes(last[sort_key]) == range_end:
            last = None  # the page ended on the last key the range allows
        last_key = None if last is None else {n: last[n] for n in view.key_attributes()}
        return Page(items, last_key, scanned)

    # --- batches ---------------------------------------------------------------------------

    def batch_get(self, requests: Mapping[str, Sequence[Item]]) -> dict[str, list[Item | None]]:
        """Every requested item (None where absent), per table in the order of the keys."""
        total = sum(len(keys) for keys in requests.values())
        if total > MAX_BATCH_GET_KEYS:
            raise ValidationError(
                "Too many items requested for the BatchGetItem call "
                f"({total} keys; the limit is {MAX_BATCH_GET_KEYS})"
            )
        found: dict[str, list[Item | None]] = {}
        for name, keys in requests.items():
            table = self.store.table(name)
            if not keys:
                raise ValidationError(
                    "1 validation error detected: Value at 'requestItems."
                    f"{name}.member.keys' failed to satisfy constraint: Member must have length "
                    "greater than or equal to 1"
                )
            encoded = [self.primary_key(table, key, lock=False) for key in keys]
            if len(set(encoded)) != len(encoded):
                raise _duplicate_keys()
            found[name] = [self.load(table, key) for key in keys]
        return found

    def batch_write(self, requests: Sequence[BatchWrite]) -> None:
        """Every put and delete of a BatchWriteItem; none has a condition."""
        if not 1 <= len(requests) <= MAX_BATCH_WRITES:
            raise ValidationError(
                "1 validation error detected: Value at 'requestItems' failed to satisfy "
                f"constraint: Member must have length less than or equal to {MAX_BATCH_WRITES} "
                "and greater than or equal to 1"
            )
        seen: set[tuple[str, bytes, bytes]] = set()
        for request in requests:
            table = self.store.table(request.table)
            key = self.key_of(table, request.item) if request.item is not None else request.key
            assert key is not None
            position = (table.name, *self.primary_key(table, key, lock=request.item is not None))
            if position in seen:
                raise _duplicate_keys()
            seen.add(position)
            if request.item is not None and v.item_size(request.item) > v.MAX_ITEM_BYTES:
                raise ValidationError("Item size has exceeded the maximum allowed size")
        for request in requests:
            table = self.store.table(request.table)
            if request.item is not None:
                self.put(table, request.item, None)
            else:
                assert request.key is not None
                self.delete(table, request.key, None)

    # --- transactions ----------------------------------------------------------------------

    def transact_get(self, gets: Sequence[TransactGet]) -> list[Item | None]:
        if not 1 <= len(gets) <= MAX_TRANSACT_ITEMS:
            raise _transaction_size(len(gets))
        positions = []
        for get in gets:
            table = self.store.table(get.table)
            positions.append((table.name, *self.primary_key(table, get.key, lock=False)))
        if len(set(positions)) != len(positions):
            raise _one_operation_per_item()
        results: list[Item | None] = []
        for get in gets:
            item = self.load(self.store.table(get.table), get.key)
            if item is not None and get.projection is not None:
                item = project(item, get.projection)
            results.append(item)
        return results

    def transact_write(self, actions: Sequence[TransactWrite]) -> None:
        """All actions or none: every condition is checked against the state before any write.

        A false condition (or an item-dependent validation failure while applying) cancels the
        transaction with one ``CancellationReason`` per action, as DynamoDB reports them.
        """
        if not 1 <= len(actions) <= MAX_TRANSACT_ITEMS:
            raise _transaction_size(len(actions))
        positions: list[tuple[str, bytes, bytes] | None] = []
        reasons = [CancellationReason() for _ in actions]
        for i, action in enumerate(actions):
            table = self.store.table(action.table)
            key = self.key_of(table, action.item) if action.item is not None else action.key
            if action.update is not None:
                self.check_update_paths(key, action.update)
            lock = action.operation in (TransactOperation.PUT_ITEM, TransactOperation.UPDATE_ITEM)
            try:
                positions.append((table.name, *self.primary_key(table, key, lock=lock)))
            except KeyTypeMismatch:  # a cancellation reason, as DynamoDB Local reports it
                positions.append(None)
                reasons[i] = _type_mismatch("key")
                continue
            if action.item is not None:  # a Put's index key values are checked up front
                try:
                    for _ in self.index_rows(table, action.item, strict=True):
                        pass
                except KeyTypeMismatch:
                    positions[-1] = None
                    reasons[i] = _type_mismatch("Index Key")
        known = [p for p in positions if p is not None]
        if len(set(known)) != len(known):
            raise _one_operation_per_item()
        failed = any(p is None for p in positions)
        for i, (action, position) in enumerate(zip(actions, positions, strict=True)):
            if position is None:
                continue
            name, pk, sk = position
            current = self.load_for_write(self.store.table(name), pk, sk)
            if action.condition is not None and not evaluate(action.condition, current or {}):
                failed = True
                check = action.operation is TransactOperation.CONDITION_CHECK
                reasons[i] = CancellationReason(
                    CancellationCode.CONDITIONAL_CHECK_FAILED,
                    # DynamoDB Local ends a ConditionCheck's message with a period.
                    "The conditional request failed" + ("." if check else ""),
                    current if action.return_item_on_failure else None,
                )
        if failed:
            raise TransactionCanceled(reasons, v.item_to_plain)
        for i, action in enumerate(actions):
            table = self.store.table(action.table)
            try:
                if action.operation is TransactOperation.PUT_ITEM:
                    assert action.item is not None
                    self.put(table, action.item, None)
                elif action.operation is TransactOperation.UPDATE_ITEM:
                    assert action.update is not None
                    self.update(table, action.key, action.update, None)
                elif action.operation is TransactOperation.DELETE_ITEM:
                    self.delete(table, action.key, None)
            except KeyTypeMismatch as error:
                # Only key types cancel; other failures (an update's operand types, a missing
                # parent path, the item size) fail the call, as in DynamoDB Local.
                reasons[i] = _type_mismatch("key" if error.index is None else "Index Key")
                raise TransactionCanceled(reasons, v.item_to_plain) from error


def _plain(text: str, plain_text: str | None) -> PlainItem:
    """An item's plain values: its ``plain`` column, or (rows not rewritten since schema 3)
    converted from the typed text."""
    if plain_text is not None:
        item: PlainItem = json.loads(plain_text)
        return item
    converted = v.item_to_plain(json.loads(text))
    assert converted is not None
    return converted


def _type_mismatch(what: str) -> CancellationReason:
    return CancellationReason(
        CancellationCode.VALIDATION_ERROR,
        f"One or more parameter values were invalid: Type mismatch for {what}",
    )


def _transaction_size(count: int) -> ValidationError:
    return ValidationError(
        f"1 validation error detected: Value at 'transactItems' failed to satisfy constraint: "
        f"Member must have length less than or equal to {MAX_TRANSACT_ITEMS} and greater than "
        f"or equal to 1 (got {count})"
    )


def _one_operation_per_item() -> ValidationError:
    return ValidationError("Transaction request cannot include multiple operations on one item")


def _range_end(view: IndexView, condition: KeyCondition, forward: bool) -> bytes | None:
    """The table sort key no item after it can match: an inclusive end in the read direction.

    DynamoDB Local leaves ``LastEvaluatedKey`` out when a page ends exactly there (``sk <= :v``
    read forward, ``sk >= :v`` backward, either end of ``BETWEEN``), though it keeps it at the
    end of a partition and after ``sk = :v``. Index sort keys repeat, so only table queries
    (tests/resolvers/dynamodb/differential/test_pages.py).
    """
    sort = condition.sort
    if view.name is not None or sort is None:
        return None
    if sort.op == "BETWEEN":
        return v.key_bytes(sort.operands[1 if forward else 0])
    if (sort.op == "<=" and forward) or (sort.op == ">=" and not forward):
        return v.key_bytes(sort.operands[0])
    return None


def _prefix_upper_bound(prefix: bytes) -> bytes | None:
    """The smallest byte string greater than every string that starts with ``prefix``."""
    trimmed = prefix.rstrip(b"\xff")
    if not trimmed:
        return None
    return trimmed[:-1] + bytes([trimmed[-1] + 1])


def _row(columns: Sequence[str]) -> str:
    return f"({', '.join(columns)})"


def _sort_clauses(condition: KeyCondition, column: str) -> tuple[list[str], list[bytes]]:
    """SQL range conditions on the encoded sort key for a key condition's sort part."""
    sort = condition.sort
    if sort is None:
        return [], []
    encoded = [v.key_bytes(operand) for operand in sort.operands]
    if sort.op == "BETWEEN":
        return [f"{column} >= ?", f"{column} <= ?"], encoded
    if sort.op == "begins_with":
        upper = _prefix_upper_bound(encoded[0])
        if upper is None:
            return [f"{column} >= ?"], encoded
        return [f"{column} >= ?", f"{column} < ?"], [encoded[0], upper]
    return [f"{column} {sort.op} ?"], encoded
