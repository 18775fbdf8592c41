"""The embedded table store: DynamoDB tables of ``syncline.yml``'s ``tables:`` block on SQLite.

One SQLite file, ``tables.sqlite3`` in the data dir (``:memory:`` without one), holds every
table. An item is one row keyed by table, partition key and sort key, its attributes stored as
DynamoDB JSON; key values are stored in an encoding whose byte order is DynamoDB's sort order
(S by UTF-8 bytes, N numerically, B bytewise), so SQLite's ``ORDER BY`` is DynamoDB's. Each
secondary index keeps its own ``index_entries`` rows, written in the same transaction as the
item, so a Query on a GSI or LSI is an index range scan too.

Nothing here blocks the event loop: every SQLite call runs on one worker thread owned by the
store (a one-thread executor), which also serializes writers. Each operation is one SQLite
transaction (``BEGIN IMMEDIATE`` for writes), so a condition check and the write it guards are
atomic, and ``TransactWriteItems`` can later be a list of ``_Tx`` calls inside one transaction.

One module on purpose: ``TableStore`` (lifecycle, the worker thread, the async API) and
``_Tx`` (item reads and writes inside one transaction) share the connection, the key-type locks
and the page tokens; ``_Tx`` is the seam where batch and transaction operations will plug in.

The key schema names no attribute types (the ``tables:`` block has none), so the store locks
each key attribute's type (S, N or B) the first time an item is written with it, and rejects
other types afterwards as DynamoDB does for a declared schema.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import ConditionalCheckFailed, ValidationError
from resolvers.dynamodb.expressions import (
    Condition,
    KeyCondition,
    UpdateExpression,
    apply_update,
    evaluate,
)
from resolvers.dynamodb.tokens import PageTokens, new_secret
from resolvers.dynamodb.values import AttributeValue, Item
from schema.errors import DefinitionError
from schema.model import KeySchema, SecondaryIndex, Table

STORE_FILE = "tables.sqlite3"
MAX_PAGE_BYTES = 1024 * 1024
"""DynamoDB stops a Query or Scan page once it has read 1 MB ("Paginating query results")."""

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    tbl TEXT NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
    seg INTEGER NOT NULL, size INTEGER NOT NULL, item TEXT NOT NULL,
    PRIMARY KEY (tbl, pk, sk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS index_entries (
    tbl TEXT NOT NULL, idx TEXT NOT NULL, ipk BLOB NOT NULL, isk BLOB NOT NULL,
    pk BLOB NOT NULL, sk BLOB NOT NULL, seg INTEGER NOT NULL,
    PRIMARY KEY (tbl, idx, ipk, isk, pk, sk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS key_types (
    tbl TEXT NOT NULL, attr TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (tbl, attr)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS table_definitions (name TEXT PRIMARY KEY, definition TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


@dataclass(frozen=True)
class IndexView:
    """What a Query or Scan reads: the table itself (``name`` None) or one of its indexes."""

    table: Table
    name: str | None
    key: KeySchema
    projection: str = "ALL"
    is_global: bool = False

    @property
    def scope(self) -> str:
        return f"{self.table.name}/{self.name or ''}"

    def key_attributes(self) -> list[str]:
        """The attributes of a LastEvaluatedKey: the index key, then the table key."""
        names = [self.key.partition_key, self.key.sort_key, *_key_names(self.table.key)]
        return list(dict.fromkeys(n for n in names if n))

    def project(self, item: Item) -> Item:
        if self.projection == "ALL" or self.name is None:
            return item
        return {k: item[k] for k in self.key_attributes() if k in item}


@dataclass(frozen=True)
class Page:
    items: list[Item]
    next_token: str | None
    scanned_count: int


def _key_names(key: KeySchema) -> list[str]:
    return [key.partition_key] + ([key.sort_key] if key.sort_key else [])


def _definition(table: Table) -> dict[str, Any]:
    def index(i: SecondaryIndex) -> dict[str, Any]:
        return {"name": i.name, "key": _key_names(i.key), "projection": i.projection}

    return {
        "key": _key_names(table.key),
        "gsi": [index(i) for i in table.global_secondary_indexes],
        "lsi": [index(i) for i in table.local_secondary_indexes],
    }


def _segment_hash(partition: bytes) -> int:
    return zlib.crc32(partition)


class TableStore:
    """The tables of one API on one SQLite database; share one per process and data dir."""

    def __init__(self, tables: Mapping[str, Table], data_dir: Path | None) -> None:
        for table in tables.values():
            for index in (*table.global_secondary_indexes, *table.local_secondary_indexes):
                if index.projection not in ("ALL", "KEYS_ONLY"):
                    raise DefinitionError(
                        table.location,
                        f"table {table.name}: index {index.name} has projection "
                        f"{index.projection}; the embedded store supports ALL and KEYS_ONLY",
                    )
        self.tables = dict(tables)
        self.path = data_dir / STORE_FILE if data_dir is not None else None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncline-tables")
        self._connection: sqlite3.Connection | None = None
        self._tokens: PageTokens | None = None
        self._key_types: dict[tuple[str, str], str] = {}
        self._closed = False

    # --- lifecycle (everything below runs on the worker thread unless it is async) ----------

    async def open(self) -> None:
        """Open the database now (it also opens on first use), surfacing definition problems."""
        await self._run(lambda connection: None)

    async def close(self) -> None:
        if self._closed:
            return
        # Straight to the worker (not through _call): closing must not open the file first.
        await asyncio.get_running_loop().run_in_executor(self._executor, self._close)
        self._closed = True
        self._executor.shutdown(wait=False)

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise RuntimeError("the table store is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._call, work)

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._connection is None:
            self._connection = self._connect()
        return work(self._connection)

    def _connect(self) -> sqlite3.Connection:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            str(self.path) if self.path else ":memory:", isolation_level=None, timeout=30
        )
        try:
            if self.path is not None:
                connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.executescript(_SCHEMA)
            with _transaction(connection):
                connection.execute(
                    "INSERT OR IGNORE INTO settings VALUES ('page_token_secret', ?)",
                    (new_secret(),),
                )
                (secret,) = connection.execute(
                    "SELECT value FROM settings WHERE name = 'page_token_secret'"
                ).fetchone()
                self._tokens = PageTokens(bytes(secret))
                for table in self.tables.values():
                    self._sync_definition(connection, table)
        except BaseException:
            connection.close()
            raise
        return connection

    def _sync_definition(self, connection: sqlite3.Connection, table: Table) -> None:
        """Record a table's definition; rebuild its indexes when they changed since last run."""
        wanted = _definition(table)
        row = connection.execute(
            "SELECT definition FROM table_definitions WHERE name = ?", (table.name,)
        ).fetchone()
        stored = json.loads(row[0]) if row else None
        if stored == wanted:
            return
        has_items = connection.execute(
            "SELECT 1 FROM items WHERE tbl = ? LIMIT 1", (table.name,)
        ).fetchone()
        if stored is not None and stored["key"] != wanted["key"] and has_items:
            raise DefinitionError(
                table.location,
                f"table {table.name}: its key changed from {stored['key']} to {wanted['key']}, "
                f"but {self.path} holds items stored under the old key; rename the table or "
                "move the data file away",
            )
        connection.execute(
            "INSERT OR REPLACE INTO table_definitions VALUES (?, ?)",
            (table.name, json.dumps(wanted)),
        )
        connection.execute("DELETE FROM index_entries WHERE tbl = ?", (table.name,))
        rows = connection.execute("SELECT item FROM items WHERE tbl = ?", (table.name,))
        tx = _Tx(self, connection)
        for (text,) in rows.fetchall():
            tx.index_item(table, json.loads(text), strict=False)

    # --- key types -----------------------------------------------------------------------

    def _locked_type(self, connection: sqlite3.Connection, table: str, attr: str) -> str | None:
        cached = self._key_types.get((table, attr))
        if cached is None:
            row = connection.execute(
                "SELECT type FROM key_types WHERE tbl = ? AND attr = ?", (table, attr)
            ).fetchone()
            if row is not None:
                cached = self._key_types[(table, attr)] = row[0]
        return cached

    # --- public operations ---------------------------------------------------------------

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise ValidationError(
                f"Requested resource not found: Table: {name} not found"
            ) from None

    def view(self, table_name: str, index_name: str | None) -> IndexView:
        table = self.table(table_name)
        if index_name is None:
            return IndexView(table, None, table.key)
        for index in table.global_secondary_indexes:
            if index.name == index_name:
                return IndexView(table, index.name, index.key, index.projection, True)
        for index in table.local_secondary_indexes:
            if index.name == index_name:
                return IndexView(table, index.name, index.key, index.projection, False)
        raise ValidationError(f"The table does not have the specified index: {index_name}")

    async def get_item(self, table: str, key: Item) -> Item | None:
        spec = self.table(table)
        return await self._run(lambda c: _Tx(self, c).read(lambda tx: tx.load(spec, key)))

    async def put_item(self, table: str, item: Item, condition: Condition | None) -> Item:
        spec = self.table(table)
        return await self._run(
            lambda c: _Tx(self, c).write(lambda tx: tx.put(spec, item, condition))
        )

    async def update_item(
        self, table: str, key: Item, update: UpdateExpression, condition: Condition | None
    ) -> Item:
        spec = self.table(table)
        return await self._run(
            lambda c: _Tx(self, c).write(lambda tx: tx.update(spec, key, update, condition))
        )

    async def delete_item(self, table: str, key: Item, condition: Condition | None) -> Item | None:
        spec = self.table(table)
        return await self._run(
            lambda c: _Tx(self, c).write(lambda tx: tx.delete(spec, key, condition))
        )

    async def query(
        self,
        view: IndexView,
        key_condition: KeyCondition,
        *,
        filter: Condition | None = None,
        limit: int | None = None,
        forward: bool = True,
        next_token: str | None = None,
    ) -> Page:
        return await self._run(
            lambda c: _Tx(self, c).read(
                lambda tx: tx.query(view, key_condition, filter, limit, forward, next_token)
            )
        )

    async def scan(
        self,
        view: IndexView,
        *,
        filter: Condition | None = None,
        limit: int | None = None,
        next_token: str | None = None,
        segment: tuple[int, int] | None = None,
    ) -> Page:
        return await self._run(
            lambda c: _Tx(self, c).read(
                lambda tx: tx.scan(view, filter, limit, next_token, segment)
            )
        )


@contextmanager
def _transaction(connection: sqlite3.Connection, mode: str = "IMMEDIATE") -> Iterator[None]:
    connection.execute(f"BEGIN {mode}")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


class _Tx:
    """Item operations on an open connection, inside the caller's SQLite transaction."""

    def __init__(self, store: TableStore, connection: sqlite3.Connection) -> None:
        self.store = store
        self.connection = connection

    def read(self, work: Callable[[_Tx], T]) -> T:
        with _transaction(self.connection, "DEFERRED"):
            return work(self)

    def write(self, work: Callable[[_Tx], T]) -> T:
        try:
            with _transaction(self.connection):
                return work(self)
        except BaseException:
            self.store._key_types.clear()  # locks taken by the rolled-back transaction
            raise

    # keys

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
        locked = self.store._locked_type(self.connection, table.name, attr)
        if locked is None and lock:
            self.connection.execute(
                "INSERT OR IGNORE INTO key_types VALUES (?, ?, ?)", (table.name, attr, kind)
            )
            self.store._key_types[(table.name, attr)] = locked = kind
        if locked is not None and locked != kind:
            raise self.mismatch(attr, kind, locked, index)
        return v.key_bytes(value)

    @staticmethod
    def mismatch(
        attr: str, actual: str, expected: str | None, index: str | None
    ) -> ValidationError:
        if index is None:
            return ValidationError("The provided key element does not match the schema")
        return ValidationError(
            f"One or more parameter values were invalid: Type mismatch for Index Key {attr} "
            f"Expected: {expected or 'S, N or B'} Actual: {actual} IndexName: {index}"
        )

    def primary_key(self, table: Table, key: Item, *, lock: bool) -> tuple[bytes, bytes]:
        names = _key_names(table.key)
        if sorted(key) != sorted(names):
            raise ValidationError("The provided key element does not match the schema")
        pk = self.key_value(table, table.key.partition_key, key[table.key.partition_key], lock=lock)
        sk = b""
        if table.key.sort_key:
            sk = self.key_value(table, table.key.sort_key, key[table.key.sort_key], lock=lock)
        return pk, sk

    # items

    def load(self, table: Table, key: Item) -> Item | None:
        pk, sk = self.primary_key(table, key, lock=False)
        return self.load_row(table, pk, sk)

    def load_row(self, table: Table, pk: bytes, sk: bytes) -> Item | None:
        row = self.connection.execute(
            "SELECT item FROM items WHERE tbl = ? AND pk = ? AND sk = ?", (table.name, pk, sk)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def check(self, condition: Condition | None, current: Item | None) -> None:
        if condition is not None and not evaluate(condition, current or {}):
            raise ConditionalCheckFailed(v.item_to_plain(current))

    def put(self, table: Table, item: Item, condition: Condition | None) -> Item:
        key = {name: item[name] for name in _key_names(table.key) if name in item}
        if len(key) != len(_key_names(table.key)):
            missing = next(n for n in _key_names(table.key) if n not in item)
            raise ValidationError(
                f"One or more parameter values were invalid: Missing the key {missing} in the item"
            )
        pk, sk = self.primary_key(table, key, lock=True)
        current = self.load_row(table, pk, sk)
        self.check(condition, current)
        self.store_item(table, pk, sk, current, item)
        return item

    def update(
        self, table: Table, key: Item, update: UpdateExpression, condition: Condition | None
    ) -> Item:
        for path in update.target_paths():
            if path[0] in key:
                raise ValidationError(
                    f"One or more parameter values were invalid: Cannot update attribute "
                    f"{path[0]}. This attribute is part of the key"
                )
        pk, sk = self.primary_key(table, key, lock=True)
        current = self.load_row(table, pk, sk)
        self.check(condition, current)
        updated = apply_update(update, current if current is not None else dict(key))
        self.store_item(table, pk, sk, current, updated)
        return updated

    def delete(self, table: Table, key: Item, condition: Condition | None) -> Item | None:
        pk, sk = self.primary_key(table, key, lock=False)
        current = self.load_row(table, pk, sk)
        self.check(condition, current)
        if current is not None:
            self.unindex_item(table, current)
            self.connection.execute(
                "DELETE FROM items WHERE tbl = ? AND pk = ? AND sk = ?", (table.name, pk, sk)
            )
        return current

    def store_item(
        self, table: Table, pk: bytes, sk: bytes, current: Item | None, item: Item
    ) -> None:
        size = v.item_size(item)
        if size > v.MAX_ITEM_BYTES:
            raise ValidationError("Item size has exceeded the maximum allowed size")
        if current is not None:
            self.unindex_item(table, current)
        self.connection.execute(
            "INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?, ?, ?)",
            (table.name, pk, sk, _segment_hash(pk), size, json.dumps(item, separators=(",", ":"))),
        )
        self.index_item(table, item, strict=True)

    # secondary indexes

    def index_rows(
        self, table: Table, item: Item, *, strict: bool
    ) -> Iterator[tuple[str, bytes, bytes, bytes, bytes]]:
        """The index entries of an item; sparse: an index skips items lacking its key."""
        pk, sk = self.primary_key(table, {n: item[n] for n in _key_names(table.key)}, lock=strict)
        for index in (*table.global_secondary_indexes, *table.local_secondary_indexes):
            names = _key_names(index.key)
            if not all(name in item for name in names):
                continue
            try:
                encoded = [
                    self.key_value(table, n, item[n], lock=strict, index=index.name) for n in names
                ]
            except ValidationError:
                if strict:
                    raise
                continue  # an existing item that violates a newly added index stays unindexed
            yield index.name, encoded[0], encoded[1] if len(encoded) > 1 else b"", pk, sk

    def index_item(self, table: Table, item: Item, *, strict: bool) -> None:
        self.connection.executemany(
            "INSERT OR REPLACE INTO index_entries VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (table.name, idx, ipk, isk, pk, sk, _segment_hash(ipk))
                for idx, ipk, isk, pk, sk in self.index_rows(table, item, strict=strict)
            ],
        )

    def unindex_item(self, table: Table, item: Item) -> None:
        self.connection.executemany(
            "DELETE FROM index_entries WHERE tbl = ? AND idx = ? AND ipk = ? AND isk = ? "
            "AND pk = ? AND sk = ?",
            [(table.name, *row) for row in self.index_rows(table, item, strict=False)],
        )

    # reads that page

    def start_after(self, view: IndexView, next_token: str | None) -> list[bytes] | None:
        """The encoded position a page resumes after: (pk, sk) or (ipk, isk, pk, sk)."""
        if next_token is None:
            return None
        tokens = self.store._tokens
        assert tokens is not None
        key = tokens.open(view.scope, next_token)
        if sorted(key) != sorted(view.key_attributes()):
            raise ValidationError("The provided starting key is invalid")
        table_key = {n: key[n] for n in _key_names(view.table.key)}
        position = list(self.primary_key(view.table, table_key, lock=False))
        if view.name is None:
            return position
        index_key = [
            self.condition_key(view.table, n, key[n]) if n else b""
            for n in (view.key.partition_key, view.key.sort_key)
        ]
        return [*index_key, *position]

    def condition_key(self, table: Table, attr: str, value: AttributeValue) -> bytes:
        """Encode a key value a request compares with (key condition, starting key)."""
        kind = v.value_type(value)
        locked = self.store._locked_type(self.connection, table.name, attr)
        if kind not in v.SCALAR_TYPES or (locked is not None and locked != kind):
            raise ValidationError(
                "One or more parameter values were invalid: Condition parameter type does not "
                "match schema type"
            )
        return v.key_bytes(value)

    def query(
        self,
        view: IndexView,
        condition: KeyCondition,
        filter: Condition | None,
        limit: int | None,
        forward: bool,
        next_token: str | None,
    ) -> Page:
        table = view.table
        partition = self.condition_key(table, condition.partition_name, condition.partition_value)
        if condition.sort is not None:
            for operand in condition.sort.operands:
                self.condition_key(table, condition.sort.name, operand)
        start = self.start_after(view, next_token)
        if start is not None and start[0] != partition:
            raise ValidationError(
                "The provided starting key does not match the range key predicate"
            )
        order = "ASC" if forward else "DESC"
        if view.name is None:
            sql = "SELECT item FROM items WHERE tbl = ? AND pk = ?"
            params: list[Any] = [table.name, partition]
            columns = ["sk"]
        else:
            sql = (
                "SELECT i.item FROM index_entries e JOIN items i "
                "ON i.tbl = e.tbl AND i.pk = e.pk AND i.sk = e.sk "
                "WHERE e.tbl = ? AND e.idx = ? AND e.ipk = ?"
            )
            params = [table.name, view.name, partition]
            columns = ["e.isk", "e.pk", "e.sk"]
        clauses, values = _sort_clauses(condition, columns[0])
        sql += "".join(f" AND {clause}" for clause in clauses)
        params.extend(values)
        if start is not None:
            sql += f" AND {_row(columns)} {'>' if forward else '<'} {_row('?' * len(columns))}"
            params.extend(start[1:])
        sql += " ORDER BY " + ", ".join(f"{c} {order}" for c in columns)
        return self._page(view, sql, params, filter, limit)

    def scan(
        self,
        view: IndexView,
        filter: Condition | None,
        limit: int | None,
        next_token: str | None,
        segment: tuple[int, int] | None,
    ) -> Page:
        start = self.start_after(view, next_token)
        if view.name is None:
            sql = "SELECT item FROM items WHERE tbl = ?"
            params: list[Any] = [view.table.name]
            columns = ["pk", "sk"]
            prefix = ""
        else:
            sql = (
                "SELECT i.item FROM index_entries e JOIN items i "
                "ON i.tbl = e.tbl AND i.pk = e.pk AND i.sk = e.sk WHERE e.tbl = ? AND e.idx = ?"
            )
            params = [view.table.name, view.name]
            columns = ["e.ipk", "e.isk", "e.pk", "e.sk"]
            prefix = "e."
        if segment is not None:
            number, total = segment
            sql += f" AND {prefix}seg % ? = ?"
            params.extend([total, number])
        if start is not None:
            if segment is not None and _segment_hash(start[0]) % segment[1] != segment[0]:
                raise ValidationError("The provided starting key is invalid for this segment")
            sql += f" AND {_row(columns)} > {_row('?' * len(columns))}"
            params.extend(start)
        sql += f" ORDER BY {', '.join(columns)}"
        return self._page(view, sql, params, filter, limit)

    def _page(
        self,
        view: IndexView,
        sql: str,
        params: Sequence[Any],
        filter: Condition | None,
        limit: int | None,
    ) -> Page:
        """Read rows until ``limit`` items or 1 MB were evaluated; filter after counting them.

        DynamoDB applies ``Limit`` to the items it evaluates, before ``FilterExpression``
        ("Query — Limiting the number of items in the result set"), and returns
        ``LastEvaluatedKey`` whenever it stopped early, even if nothing is left.
        """
        if limit is not None:
            sql += " LIMIT ?"
            params = [*params, limit]
        items: list[Item] = []
        scanned = 0
        read_bytes = 0
        last: Item | None = None
        for row in self.connection.execute(sql, params):
            item = json.loads(row[0])
            scanned += 1
            read_bytes += len(row[0])
            visible = view.project(item)
            if filter is None or evaluate(filter, visible):
                items.append(visible)
            last = item
            if (limit is not None and scanned >= limit) or read_bytes >= MAX_PAGE_BYTES:
                break
        else:
            last = None
        next_token = None
        if last is not None:
            tokens = self.store._tokens
            assert tokens is not None
            next_token = tokens.issue(
                view.scope, {name: last[name] for name in view.key_attributes()}
            )
        return Page(items, next_token, scanned)


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
