"""The data file: migrations from earlier layouts, and what is kept beside the items."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

from resolvers.dynamodb.database import SCHEMA_VERSION, STORE_FILE
from resolvers.dynamodb.store import TableStore
from resolvers.dynamodb.values import key_bytes
from tests.resolvers.dynamodb.support import ORDERS, key_condition, s

FIRST_LAYOUT = """
CREATE TABLE items (
    tbl TEXT NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
    seg INTEGER NOT NULL, size INTEGER NOT NULL, item TEXT NOT NULL,
    PRIMARY KEY (tbl, pk, sk)
) WITHOUT ROWID;
CREATE TABLE index_entries (
    tbl TEXT NOT NULL, idx TEXT NOT NULL, ipk BLOB NOT NULL, isk BLOB NOT NULL,
    pk BLOB NOT NULL, sk BLOB NOT NULL, seg INTEGER NOT NULL,
    PRIMARY KEY (tbl, idx, ipk, isk, pk, sk)
) WITHOUT ROWID;
CREATE TABLE key_types (
    tbl TEXT NOT NULL, attr TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (tbl, attr)
) WITHOUT ROWID;
CREATE TABLE table_definitions (name TEXT PRIMARY KEY, definition TEXT NOT NULL);
CREATE TABLE settings (name TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


def first_layout_file(data_dir: Path) -> None:
    """A data file as the first slice wrote it: no ``expires``/``plain``, no index entries."""
    data_dir.mkdir()
    item = {"id": s("o1"), "customerId": s("c1"), "createdAt": s("2024"), "total": {"N": "2.5"}}
    with sqlite3.connect(data_dir / STORE_FILE) as connection:
        connection.executescript(FIRST_LAYOUT)
        pk = key_bytes(item["id"])
        connection.execute(
            "INSERT INTO items VALUES (?, ?, ?, ?, ?, ?)",
            ("Orders", pk, b"", 1, 10, json.dumps(item)),
        )
        connection.execute("INSERT INTO key_types VALUES ('Orders', 'id', 'S')")
        old_definition = {"key": ["id"], "gsi": [], "lsi": []}
        connection.execute(
            "INSERT INTO table_definitions VALUES ('Orders', ?)", (json.dumps(old_definition),)
        )


def test_a_first_layout_file_is_migrated_and_reindexed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first_layout_file(data)

    async def body() -> tuple[Any, Any]:
        store = TableStore({"Orders": ORDERS}, data)
        try:
            plain = await store.get_plain_item("Orders", {"id": s("o1")})
            view = store.view("Orders", "byCustomer")
            page = await store.query(view, key_condition(view, "customerId = :c", c=s("c1")))
            return plain, [i["id"] for i in page.items]
        finally:
            await store.close()

    plain, ids = asyncio.run(body())
    assert plain == {"id": "o1", "customerId": "c1", "createdAt": "2024", "total": 2.5}
    assert ids == [s("o1")]  # the new GSI was backfilled from the old rows
    with sqlite3.connect(data / STORE_FILE) as connection:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(items)")}
        (version,) = connection.execute(
            "SELECT value FROM settings WHERE name = 'schema_version'"
        ).fetchone()
        (stored_plain,) = connection.execute("SELECT plain FROM items").fetchone()
    assert {"expires", "plain"} <= columns
    assert version == SCHEMA_VERSION
    assert json.loads(stored_plain) == plain


def test_rows_without_a_plain_twin_are_converted_when_read(tmp_path: Path) -> None:
    async def body() -> Any:
        store = TableStore({"Orders": ORDERS}, tmp_path)
        try:
            await store.put_item("Orders", {"id": s("o1"), "tags": {"SS": ["a"]}})
            await store._run(lambda c: c.execute("UPDATE items SET plain = NULL"))
            page = await store.scan(store.view("Orders", None), plain=True)
            return page.items, await store.get_plain_item("Orders", {"id": s("o1")})
        finally:
            await store.close()

    items, plain = asyncio.run(body())
    assert items == [{"id": "o1", "tags": ["a"]}]
    assert plain == {"id": "o1", "tags": ["a"]}
