"""The SQLite file behind the table store: schema, durability settings, migrations, definitions.

Layout (one file, ``tables.sqlite3``, every table of the API)::

    items          (tbl, pk, sk) → seg, size, expires, item,  item = DynamoDB JSON text,
                   plain                                      plain = its plain-JSON twin
    index_entries  (tbl, idx, ipk, isk, pk, sk) → seg         one row per item per index
    key_types      (tbl, attr) → S | N | B                    locked on first write
    table_definitions (name) → JSON                           what the data was indexed for
    settings       (name) → value                             page-token secret, schema version

``pk``/``sk``/``ipk``/``isk`` hold ``values.key_bytes`` encodings, whose byte order is DynamoDB's
key order, so SQLite's ``ORDER BY`` is DynamoDB's. ``seg`` is a hash of the partition key (parallel
Scan segments); ``expires`` is the item's TTL attribute as epoch seconds when the table has one;
``plain`` is ``values.item_to_plain`` of the item as JSON, written with it so that reads for
AppSync resolvers (which want plain values) decode one JSON text instead of converting every
typed value in Python (bench/dynamodb.py: a 100-item Query).

Durability (issue 3: "a write acknowledged to a client survives kill -9"): WAL journal with
``synchronous=FULL``, so every commit is fsynced to the WAL before ``COMMIT`` returns; a crash
loses nothing committed, and SQLite's locking lets several server processes share the file
(writers take turns, readers never block them; ``busy_timeout`` waits for the lock).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from resolvers.dynamodb.model import key_names
from resolvers.dynamodb.tokens import new_secret
from schema.model import KeySchema, Location, SecondaryIndex, Table

STORE_FILE = "tables.sqlite3"
SCHEMA_VERSION = 3
"""1: the first slice; 2: TTL expiry (``items.expires``), created tables; 3: ``items.plain``."""
BUSY_TIMEOUT_SECONDS = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    tbl TEXT NOT NULL, pk BLOB NOT NULL, sk BLOB NOT NULL,
    seg INTEGER NOT NULL, size INTEGER NOT NULL, item TEXT NOT NULL, expires REAL, plain TEXT,
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
_EXPIRY_INDEX = (
    "CREATE INDEX IF NOT EXISTS items_expiry ON items (expires) WHERE expires IS NOT NULL"
)
CREATED_LOCATION = Location(Path("<CreateTable>"), 1)
"""Where a table created through the wire endpoint is said to be defined."""


def connect(path: Path | None, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> sqlite3.Connection:
    """Open (creating and migrating) the store's database; ``None`` is a private in-memory one.

    ``busy_timeout``: how long a write waits for another process's write lock."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(
        str(path) if path else ":memory:",
        isolation_level=None,  # transactions are explicit (``transaction``)
        timeout=busy_timeout,
        check_same_thread=False,  # used by the store's one worker thread, created elsewhere
    )
    try:
        if path is not None:
            connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        with transaction(connection):
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            _migrate(connection)
            connection.execute(_EXPIRY_INDEX)
    except BaseException:
        connection.close()
        raise
    return connection


@contextmanager
def transaction(connection: sqlite3.Connection, mode: str = "IMMEDIATE") -> Iterator[None]:
    """One SQLite transaction; ``IMMEDIATE`` takes the write lock up front (no upgrade deadlock)."""
    connection.execute(f"BEGIN {mode}")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _migrate(connection: sqlite3.Connection) -> None:
    columns = {row[1] for row in connection.execute("PRAGMA table_info(items)")}
    if "expires" not in columns:
        connection.execute("ALTER TABLE items ADD COLUMN expires REAL")
    if "plain" not in columns:  # NULL until the row is written again: readers convert then
        connection.execute("ALTER TABLE items ADD COLUMN plain TEXT")
    connection.execute(
        "INSERT OR REPLACE INTO settings VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
    )


def page_token_secret(connection: sqlite3.Connection) -> bytes:
    """The file's pagination secret, created once; every process on the file shares it."""
    connection.execute(
        "INSERT OR IGNORE INTO settings VALUES ('page_token_secret', ?)", (new_secret(),)
    )
    (secret,) = connection.execute(
        "SELECT value FROM settings WHERE name = 'page_token_secret'"
    ).fetchone()
    return bytes(secret)


# --- table definitions -----------------------------------------------------------------------


def _index_definition(index: SecondaryIndex) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": index.name,
        "key": key_names(index.key),
        "projection": index.projection,
    }
    if index.non_key_attributes:
        definition["nonKeyAttributes"] = list(index.non_key_attributes)
    return definition


def indexing_definition(table: Table) -> dict[str, Any]:
    """What the stored index entries depend on: changing it rebuilds them."""
    return {
        "key": key_names(table.key),
        "gsi": [_index_definition(i) for i in table.global_secondary_indexes],
        "lsi": [_index_definition(i) for i in table.local_secondary_indexes],
    }


def stored_definition(table: Table, *, created: bool) -> dict[str, Any]:
    """A table's row in ``table_definitions``; ``created`` tables are rebuilt from it at open."""
    return {**indexing_definition(table), "ttl": table.ttl_attribute, "created": created}


def load_definitions(connection: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    rows = connection.execute("SELECT name, definition FROM table_definitions")
    return {name: json.loads(text) for name, text in rows}


def save_definition(
    connection: sqlite3.Connection, name: str, definition: Mapping[str, Any]
) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO table_definitions VALUES (?, ?)", (name, json.dumps(definition))
    )


def table_from_definition(name: str, definition: Mapping[str, Any]) -> Table:
    """Rebuild a table created through the wire endpoint from its stored definition."""

    def key_schema(names: list[str]) -> KeySchema:
        return KeySchema(names[0], names[1] if len(names) > 1 else None)

    def index(entry: Mapping[str, Any]) -> SecondaryIndex:
        return SecondaryIndex(
            entry["name"],
            key_schema(entry["key"]),
            entry["projection"],
            tuple(entry.get("nonKeyAttributes", ())),
        )

    return Table(
        name=name,
        key=key_schema(definition["key"]),
        global_secondary_indexes=tuple(index(i) for i in definition["gsi"]),
        local_secondary_indexes=tuple(index(i) for i in definition["lsi"]),
        ttl_attribute=definition.get("ttl"),
        location=CREATED_LOCATION,
    )
