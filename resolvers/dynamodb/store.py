"""The embedded table store: the DynamoDB tables of an API on one SQLite file.

``TableStore`` is the one object both of its callers use — the AMAZON_DYNAMODB data source
(AppSync request objects) and the DynamoDB wire endpoint (``/dynamodb``). Its public API, every
method async unless marked, all values typed DynamoDB JSON (``{"S": "x"}``) that callers have
validated with ``values.validate_item``, expressions parsed with ``expressions.parse_*``:

==================================================  ============================================
``open()`` / ``open_blocking()`` / ``close()``      open at start-up (definition problems raise
                                                    ``DefinitionError``), close at shutdown
``tables`` / ``table(name)`` / ``view(t, index)``   (sync) declared + created tables; the
                                                    ``IndexView`` a Query or Scan reads
``get_item(table, key)``                            ``Item | None`` (``get_plain_item``: plain)
``put_item(table, item, condition)``                ``WriteResult`` (old, new; ``.returned(RV)``
``update_item(table, key, update, condition)``      gives DynamoDB's ``Attributes`` for any
``delete_item(table, key, condition)``              ``ReturnValues``)
``query(view, key_condition, filter=, limit=,       ``Page`` (items, ``last_key`` =
forward=, start_key=, plain=)``                     ``LastEvaluatedKey``, scanned_count, count)
``scan(view, filter=, limit=, start_key=,
segment=, plain=)``
``batch_get({table: [key]})``                       ``{table: [Item | None]}`` in key order
``batch_write([BatchWrite])``                       puts and deletes, ≤ 25, one transaction
``transact_get([TransactGet])``                     ``[Item | None]``
``transact_write([TransactWrite])``                 all or nothing; ``TransactionCanceled``
``page_tokens()``                                   the ``PageTokens`` (AppSync ``nextToken``)
``create_table(table, key_types)`` /                tables made through the wire endpoint, kept
``delete_table(name)`` / ``set_ttl(name, attr)``    in the file across restarts
``table_stats(name)``                               ``TableStats`` (item count, bytes)
``purge_expired()`` / ``start_ttl_sweeper()``       TTL: delete expired items now / every
                                                    ``ttl_sweep_interval`` seconds
``import_items(table, items)`` /                    the ``syncline tables`` CLI: one transaction
``export_items(table, sink)``                       each (all-or-nothing import, snapshot export)
==================================================  ============================================

Errors are ``errors.ValidationError`` (DynamoDB ``ValidationException``),
``ConditionalCheckFailed`` (with the typed ``item``), ``TransactionCanceled`` (``reasons``) and
``StoreUnavailable`` (``InternalServerError``: the file failed, e.g. locked past the busy timeout).

Nothing here blocks the event loop: every SQLite call runs on one worker thread owned by the
store, which also serializes this process's writers; each operation is one SQLite transaction
(``BEGIN IMMEDIATE`` for writes), so a condition and the write it guards are atomic, and a batch
or ``TransactWriteItems`` is all-or-nothing across tables. The worker is a plain thread fed by a
queue rather than a ``ThreadPoolExecutor``: the hand-off costs about half as much, which is most
of a point read (bench/dynamodb.py).

The key schema names no attribute types (the ``tables:`` block has none), so the store locks
each key attribute's type (S, N or B) the first time an item is written with it, and rejects
other types afterwards as DynamoDB does for a declared schema.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from resolvers.dynamodb import database
from resolvers.dynamodb.database import STORE_FILE, transaction
from resolvers.dynamodb.errors import ResourceNotFound, StoreUnavailable, ValidationError
from resolvers.dynamodb.expressions import Condition, KeyCondition, UpdateExpression
from resolvers.dynamodb.items import MAX_PAGE_BYTES, ItemTransaction
from resolvers.dynamodb.model import (
    BatchWrite,
    IndexView,
    Page,
    PlainItem,
    Projection,
    TransactGet,
    TransactWrite,
    WriteResult,
)
from resolvers.dynamodb.tokens import PageTokens
from resolvers.dynamodb.values import Item
from schema.errors import DefinitionError
from schema.model import Table

__all__ = [
    "MAX_PAGE_BYTES",
    "STORE_FILE",
    "IndexView",
    "Page",
    "TableStats",
    "TableStore",
    "WriteResult",
]

T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_TTL_SWEEP_SECONDS = 60.0
PURGE_BATCH = 500
"""Expired items deleted per transaction, so a big purge never holds the write lock long."""


@dataclass(frozen=True)
class TableStats:
    item_count: int
    size_bytes: int


class _Worker:
    """One thread running submitted calls in order; results go back to the caller's loop."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="syncline-tables", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (call := self._calls.get()) is not None:
            call()

    def submit(self, work: Callable[[], T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()

        def call() -> None:
            try:
                result, error = work(), None
            except BaseException as failure:
                result, error = None, failure
            with contextlib.suppress(RuntimeError):  # the caller's loop closed meanwhile
                loop.call_soon_threadsafe(_settle, future, result, error)

        self._calls.put(call)
        return future

    def submit_blocking(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the thread and wait for it (start-up code without a running loop)."""
        future: Future[T] = Future()

        def call() -> None:
            try:
                future.set_result(work())
            except BaseException as error:
                future.set_exception(error)

        self._calls.put(call)
        return future.result()

    def stop(self) -> None:
        self._calls.put(None)


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class TableStore:
    """The tables of one API on one SQLite database; share one per process and data dir.

    ``clock`` (epoch seconds) decides TTL expiry; tests inject one. ``ttl_sweep_interval`` is
    how often the background sweeper deletes expired items once ``start_ttl_sweeper`` ran;
    ``busy_timeout`` how long a write waits while another process holds the write lock.
    """

    def __init__(
        self,
        tables: Mapping[str, Table],
        data_dir: Path | None,
        *,
        clock: Callable[[], float] = time.time,
        ttl_sweep_interval: float = DEFAULT_TTL_SWEEP_SECONDS,
        busy_timeout: float = database.BUSY_TIMEOUT_SECONDS,
    ) -> None:
        for table in tables.values():
            _check_projections(table)
        self._declared = dict(tables)
        self._tables = dict(tables)
        self.path = data_dir / STORE_FILE if data_dir is not None else None
        self.clock = clock
        self.ttl_sweep_interval = ttl_sweep_interval
        self.busy_timeout = busy_timeout
        self._worker = _Worker()
        self._connection: sqlite3.Connection | None = None
        self._tokens: PageTokens | None = None
        self._key_types: dict[tuple[str, str], str] = {}
        self._sweeper: asyncio.Task[None] | None = None
        self._closed = False

    # --- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the database now (it also opens on first use), surfacing definition problems."""
        await self._run(lambda connection: None)

    def open_blocking(self) -> None:
        """``open`` for start-up code that has no running event loop (``load_api``)."""
        self._check_open()
        self._worker.submit_blocking(lambda: self._call(lambda connection: None))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        # Straight to the worker (not through _call): closing must not open the file first.
        await self._worker.submit(self._close)
        self._worker.stop()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the table store is closed")

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        self._check_open()
        return await self._worker.submit(lambda: self._call(work))

    def _call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._connection is None:
            self._connection = self._connect()
        try:
            return work(self._connection)
        except sqlite3.OperationalError as error:  # locked past the busy timeout, disk full, I/O
            log.warning("table store %s: %s", self.path or ":memory:", error)
            raise StoreUnavailable(str(error)) from error

    def _connect(self) -> sqlite3.Connection:
        try:
            connection = database.connect(self.path, self.busy_timeout)
        except sqlite3.Error as error:
            raise DefinitionError(
                None, f"cannot open the table store {self.path or ':memory:'}: {error}"
            ) from error
        try:
            with transaction(connection):
                self._tokens = PageTokens(database.page_token_secret(connection))
                stored = database.load_definitions(connection)
                for table in self._declared.values():
                    self._sync_definition(connection, table, stored.get(table.name))
                for name, definition in stored.items():
                    if definition.get("created") and name not in self._declared:
                        self._tables[name] = database.table_from_definition(name, definition)
        except BaseException:
            connection.close()
            raise
        return connection

    def _sync_definition(
        self, connection: sqlite3.Connection, table: Table, stored: dict[str, Any] | None
    ) -> None:
        """Record a declared table's definition; rebuild its indexes and expiry times on change."""
        wanted = database.stored_definition(table, created=False)
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
        database.save_definition(connection, table.name, wanted)
        if has_items:
            ItemTransaction(self, connection, self.clock()).reindex_table(table)

    # --- key types (worker thread) -----------------------------------------------------------

    def locked_key_type(self, connection: sqlite3.Connection, table: str, attr: str) -> str | None:
        cached = self._key_types.get((table, attr))
        if cached is None:
            row = connection.execute(
                "SELECT type FROM key_types WHERE tbl = ? AND attr = ?", (table, attr)
            ).fetchone()
            if row is not None:
                cached = self._key_types[(table, attr)] = row[0]
        return cached

    def lock_key_type(
        self, connection: sqlite3.Connection, table: str, attr: str, kind: str
    ) -> None:
        connection.execute("INSERT OR IGNORE INTO key_types VALUES (?, ?, ?)", (table, attr, kind))
        self._key_types[(table, attr)] = kind

    # --- transactions (worker thread) --------------------------------------------------------

    def _read_tx(self, work: Callable[[ItemTransaction], T]) -> Callable[[sqlite3.Connection], T]:
        def run(connection: sqlite3.Connection) -> T:
            with transaction(connection, "DEFERRED"):
                return work(ItemTransaction(self, connection, self.clock()))

        return run

    def _write_tx(self, work: Callable[[ItemTransaction], T]) -> Callable[[sqlite3.Connection], T]:
        def run(connection: sqlite3.Connection) -> T:
            try:
                with transaction(connection):
                    return work(ItemTransaction(self, connection, self.clock()))
            except BaseException:
                self._key_types.clear()  # locks taken by the rolled-back transaction
                raise

        return run

    async def _read(self, work: Callable[[ItemTransaction], T]) -> T:
        return await self._run(self._read_tx(work))

    async def _write(self, work: Callable[[ItemTransaction], T]) -> T:
        return await self._run(self._write_tx(work))

    # --- tables ----------------------------------------------------------------------------

    @property
    def tables(self) -> Mapping[str, Table]:
        """Declared tables, plus (once open) those created through the wire endpoint."""
        return self._tables

    def table(self, name: str) -> Table:
        try:
            return self._tables[name]
        except KeyError:
            raise ResourceNotFound(
                f"Requested resource not found: Table: {name} not found"
            ) from None

    def view(self, table_name: str, index_name: str | None) -> IndexView:
        table = self.table(table_name)
        if index_name is None:
            return IndexView(table, None, table.key)
        for indexes, is_global in (
            (table.global_secondary_indexes, True),
            (table.local_secondary_indexes, False),
        ):
            for index in indexes:
                if index.name == index_name:
                    return IndexView(
                        table,
                        index.name,
                        index.key,
                        Projection(index.projection),
                        index.non_key_attributes,
                        is_global,
                    )
        raise ValidationError(f"The table does not have the specified index: {index_name}")

    async def create_table(self, table: Table, key_types: Mapping[str, str]) -> Table:
        """Create a table (``CreateTable``), locking its key attributes to ``key_types``."""
        _check_projections(table)

        def create(tx: ItemTransaction) -> Table:
            if table.name in self._tables:
                raise ValidationError(f"Table already exists: {table.name}")
            tx.connection.execute("DELETE FROM items WHERE tbl = ?", (table.name,))
            tx.connection.execute("DELETE FROM index_entries WHERE tbl = ?", (table.name,))
            tx.connection.execute("DELETE FROM key_types WHERE tbl = ?", (table.name,))
            for attr, kind in key_types.items():
                self.lock_key_type(tx.connection, table.name, attr, kind)
            database.save_definition(
                tx.connection, table.name, database.stored_definition(table, created=True)
            )
            self._tables[table.name] = table
            return table

        return await self._write(create)

    async def delete_table(self, name: str) -> Table:
        """Delete a table and its items (``DeleteTable``); returns what it was."""

        def delete(tx: ItemTransaction) -> Table:
            table = self.table(name)
            for sql in (
                "DELETE FROM items WHERE tbl = ?",
                "DELETE FROM index_entries WHERE tbl = ?",
                "DELETE FROM key_types WHERE tbl = ?",
                "DELETE FROM table_definitions WHERE name = ?",
            ):
                tx.connection.execute(sql, (name,))
            for cached in [k for k in self._key_types if k[0] == name]:
                del self._key_types[cached]
            del self._tables[name]
            return table

        return await self._write(delete)

    async def set_ttl(self, name: str, attribute: str | None) -> Table:
        """Enable TTL on ``attribute`` or disable it (None): ``UpdateTimeToLive``.

        A declared table gets its ``ttlAttribute`` from ``syncline.yml`` again at the next start.
        """

        def update(tx: ItemTransaction) -> Table:
            table = dataclasses.replace(self.table(name), ttl_attribute=attribute)
            created = name not in self._declared
            database.save_definition(
                tx.connection, name, database.stored_definition(table, created=created)
            )
            tx.reindex_table(table)
            self._tables[name] = table
            return table

        return await self._write(update)

    async def table_stats(self, name: str) -> TableStats:
        table = self.table(name)

        def stats(tx: ItemTransaction) -> TableStats:
            count, size = tx.connection.execute(
                "SELECT count(*), coalesce(sum(size), 0) FROM items WHERE tbl = ?", (table.name,)
            ).fetchone()
            return TableStats(int(count), int(size))

        return await self._read(stats)

    async def key_types(self, name: str) -> dict[str, str]:
        """The locked type (S, N or B) of each key attribute that has one (DescribeTable)."""
        table = self.table(name)

        def types(tx: ItemTransaction) -> dict[str, str]:
            rows = tx.connection.execute(
                "SELECT attr, type FROM key_types WHERE tbl = ?", (table.name,)
            )
            return {str(attr): str(kind) for attr, kind in rows}

        return await self._read(types)

    async def index_stats(self, name: str) -> dict[str, TableStats]:
        """Item count and bytes of each secondary index holding items (DescribeTable)."""
        table = self.table(name)

        def stats(tx: ItemTransaction) -> dict[str, TableStats]:
            rows = tx.connection.execute(
                "SELECT e.idx, count(*), coalesce(sum(i.size), 0) FROM index_entries e "
                "JOIN items i ON i.tbl = e.tbl AND i.pk = e.pk AND i.sk = e.sk "
                "WHERE e.tbl = ? GROUP BY e.idx",
                (table.name,),
            )
            return {str(idx): TableStats(int(count), int(size)) for idx, count, size in rows}

        return await self._read(stats)

    async def page_tokens(self) -> PageTokens:
        """The signer of AppSync ``nextToken``s, with the secret kept in the data file."""
        if self._tokens is None:
            await self.open()
        assert self._tokens is not None
        return self._tokens

    # --- items -----------------------------------------------------------------------------

    async def get_item(self, table: str, key: Item) -> Item | None:
        spec = self.table(table)
        return await self._read(lambda tx: tx.load(spec, key))

    async def get_plain_item(self, table: str, key: Item) -> PlainItem | None:
        """``get_item`` as plain values (``values.item_to_plain``), what AppSync returns."""
        spec = self.table(table)
        return await self._read(lambda tx: tx.load_plain(spec, key))

    async def put_item(
        self, table: str, item: Item, condition: Condition | None = None
    ) -> WriteResult:
        spec = self.table(table)
        return await self._write(lambda tx: tx.put(spec, item, condition))

    async def update_item(
        self,
        table: str,
        key: Item,
        update: UpdateExpression,
        condition: Condition | None = None,
    ) -> WriteResult:
        spec = self.table(table)
        return await self._write(lambda tx: tx.update(spec, key, update, condition))

    async def delete_item(
        self, table: str, key: Item, condition: Condition | None = None
    ) -> WriteResult:
        spec = self.table(table)
        return await self._write(lambda tx: tx.delete(spec, key, condition))

    async def query(
        self,
        view: IndexView,
        key_condition: KeyCondition,
        *,
        filter: Condition | None = None,
        limit: int | None = None,
        forward: bool = True,
        start_key: Item | None = None,
        plain: bool = False,
    ) -> Page:
        """``plain``: the page's items as plain values (the filter still sees typed ones)."""
        return await self._read(
            lambda tx: tx.query(view, key_condition, filter, limit, forward, start_key, plain)
        )

    async def scan(
        self,
        view: IndexView,
        *,
        filter: Condition | None = None,
        limit: int | None = None,
        start_key: Item | None = None,
        segment: tuple[int, int] | None = None,
        plain: bool = False,
    ) -> Page:
        return await self._read(lambda tx: tx.scan(view, filter, limit, start_key, segment, plain))

    async def batch_get(
        self, requests: Mapping[str, Sequence[Item]]
    ) -> dict[str, list[Item | None]]:
        return await self._read(lambda tx: tx.batch_get(requests))

    async def batch_write(self, requests: Sequence[BatchWrite]) -> None:
        await self._write(lambda tx: tx.batch_write(requests))

    async def transact_get(self, gets: Sequence[TransactGet]) -> list[Item | None]:
        return await self._read(lambda tx: tx.transact_get(gets))

    async def transact_write(self, actions: Sequence[TransactWrite]) -> None:
        await self._write(lambda tx: tx.transact_write(actions))

    # --- TTL -------------------------------------------------------------------------------

    async def purge_expired(self) -> int:
        """Delete every item whose TTL has passed; returns how many were deleted."""
        deleted = 0
        for table in list(self._tables.values()):
            if table.ttl_attribute is None:
                continue
            while True:
                count = await self._purge_batch(table)
                deleted += count
                if count < PURGE_BATCH:
                    break
        return deleted

    async def _purge_batch(self, table: Table) -> int:
        return await self._write(lambda tx: tx.purge_expired(table, PURGE_BATCH))

    def start_ttl_sweeper(self) -> None:
        """Delete expired items in the background every ``ttl_sweep_interval`` seconds."""
        self._check_open()
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())

    @property
    def sweeping(self) -> bool:
        return self._sweeper is not None and not self._sweeper.done()

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.purge_expired()
            except Exception:
                log.exception("deleting expired items failed; retrying later")
            await asyncio.sleep(self.ttl_sweep_interval)

    # --- bulk (the syncline tables CLI) ------------------------------------------------------

    async def import_items(
        self,
        table: str,
        items: Iterable[Item],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Put every item in one transaction: all are stored, or (on any error) none.

        ``items`` is consumed on the worker thread, so a generator reading a file streams;
        ``progress`` is called there with the count so far, every 1000 items.
        """
        spec = self.table(table)

        def load(tx: ItemTransaction) -> int:
            count = 0
            for item in items:
                tx.put(spec, item, None)
                count += 1
                if progress is not None and count % 1000 == 0:
                    progress(count)
            return count

        return await self._write(load)

    async def export_items(self, table: str, sink: Callable[[Item], None]) -> int:
        """Call ``sink`` with every live item in key order, from one consistent snapshot."""
        spec = self.table(table)
        view = IndexView(spec, None, spec.key)

        def export(tx: ItemTransaction) -> int:
            count = 0
            start: Item | None = None
            while True:
                page = tx.scan(view, None, None, start, None)
                for item in page.items:
                    sink(item)
                count += len(page.items)
                if page.last_key is None:
                    return count
                start = page.last_key

        return await self._read(export)


def _check_projections(table: Table) -> None:
    for index in (*table.global_secondary_indexes, *table.local_secondary_indexes):
        if index.projection not in Projection.__members__:
            raise DefinitionError(
                table.location,
                f"table {table.name}: index {index.name} has projection {index.projection}; "
                "expected ALL, KEYS_ONLY or INCLUDE",
            )
        if (index.projection == Projection.INCLUDE) != bool(index.non_key_attributes):
            raise DefinitionError(
                table.location,
                f"table {table.name}: index {index.name}: projection INCLUDE needs "
                "nonKeyAttributes, and only INCLUDE takes them",
            )
