"""``syncline tables``: list, import and export the embedded store's tables.

    syncline tables list   [--api-dir DIR] [--data-dir DIR]
    syncline tables import TABLE FILE.jsonl [--format auto|dynamodb|plain] [--progress]
    syncline tables export TABLE [--format dynamodb|plain] [--output FILE]

One item per line, in either of two encodings:

- **DynamoDB JSON**, as DynamoDB's export to S3 writes it: ``{"Item": {"id": {"S": "1"}}}``
  (a bare typed map, ``{"id": {"S": "1"}}``, is read too). Lossless: sets, binary, 38-digit
  numbers. ``export``'s default.
- **plain JSON**: ``{"id": "1", "total": 12.5}``, converted as ``util.dynamodb.to_map_values``
  does (numbers ``N`` with every digit the file has, lists ``L``, objects ``M``; there is no way
  to write a set or binary). On export, sets become lists and binary base64 text, and numbers
  beyond a float's precision lose digits — use DynamoDB JSON to round-trip.

``import --format auto`` (the default) decides from the first item: an ``Item`` wrapper or a map
of typed values is DynamoDB JSON, anything else plain; every later line must be the same.

An import is all-or-nothing: every item is written in one SQLite transaction, and the first
bad line (malformed JSON, a missing key, a wrong key type, an item over 400 KB) aborts it with
its line number — nothing is imported, never half a file. Long imports show a progress bar on
stderr (when it is a terminal, or with ``--progress``). A server may keep running on the same
data dir meanwhile; it sees the import all at once when it commits.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import ResourceNotFound, ValidationError
from resolvers.dynamodb.store import TableStore
from resolvers.dynamodb.values import Item
from schema.definition import load_definition
from schema.errors import DefinitionError, InvalidDefinition
from schema.model import Table
from sdk.dynamodb_convert import to_map_values

Env = Callable[[str, str | None], str | None]


class Format(StrEnum):
    AUTO = "auto"
    DYNAMODB = "dynamodb"
    PLAIN = "plain"


def add_tables_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    env: Env,
    default_api_dir: str,
) -> None:
    parser = commands.add_parser("tables", help="list, import and export the embedded tables")
    actions = parser.add_subparsers(dest="tables_command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--api-dir", default=env("API_DIR", default_api_dir))
        sub.add_argument("--data-dir", default=env("DATA_DIR", None))

    common(actions.add_parser("list", help="each table: key, indexes, TTL, items, size"))
    load = actions.add_parser("import", help="put every item of a JSON-lines file, or none")
    load.add_argument("table")
    load.add_argument("file", type=Path)
    load.add_argument("--format", choices=[f.value for f in Format], default=Format.AUTO.value)
    load.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: when stderr is a terminal)",
    )
    common(load)
    dump = actions.add_parser("export", help="write every item, one per line, in key order")
    dump.add_argument("table")
    dump.add_argument(
        "--format", choices=[Format.DYNAMODB.value, Format.PLAIN.value], default=Format.DYNAMODB
    )
    dump.add_argument("--output", type=Path, help="a file instead of stdout")
    common(dump)


def tables_command(args: argparse.Namespace) -> int:
    try:
        definition = load_definition(Path(args.api_dir))
    except InvalidDefinition as invalid:
        for error in invalid.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    data_dir = Path(args.data_dir) if args.data_dir else None
    if data_dir is None and args.tables_command != "list":
        return _fail("--data-dir is empty: in-memory tables vanish when the command ends")
    store = TableStore(definition.tables, data_dir)
    command = {"list": _list, "import": _import, "export": _export}[args.tables_command]
    try:
        return asyncio.run(_closing(store, command(store, args)))
    except (ValidationError, ResourceNotFound, DefinitionError) as error:
        return _fail(str(error))


async def _closing(store: TableStore, work: Any) -> int:
    try:
        await store.open()
        result: int = await work
        return result
    finally:
        await store.close()


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


# --- list ------------------------------------------------------------------------------------


def _describe_key(table: Table) -> str:
    key = table.key
    return key.partition_key + (f", {key.sort_key}" if key.sort_key else "")


def _describe_indexes(table: Table) -> str:
    names = [f"{i.name} (GSI)" for i in table.global_secondary_indexes]
    names += [f"{i.name} (LSI)" for i in table.local_secondary_indexes]
    return ", ".join(names) or "-"


async def _list(store: TableStore, args: argparse.Namespace) -> int:
    rows = [("TABLE", "KEY", "ITEMS", "BYTES", "INDEXES", "TTL")]
    for name in sorted(store.tables):
        table = store.table(name)
        stats = await store.table_stats(name)
        rows.append(
            (
                name,
                _describe_key(table),
                str(stats.item_count),
                str(stats.size_bytes),
                _describe_indexes(table),
                table.ttl_attribute or "-",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


# --- import ----------------------------------------------------------------------------------


class _LineError(ValidationError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}; nothing was imported")


def is_dynamodb_json(document: Any) -> bool:
    """An ``{"Item": {...}}`` wrapper, or a map whose every value is one typed value."""
    if not isinstance(document, dict) or not document:
        return False
    if set(document) == {"Item"} and isinstance(document["Item"], dict):
        return True
    return all(
        isinstance(value, dict) and len(value) == 1 and next(iter(value)) in v.TYPE_NAMES
        for value in document.values()
    )


def decode_item(document: Any, encoding: Format) -> Item:
    if not isinstance(document, dict):
        raise ValidationError("each line must be a JSON object (one item)")
    if encoding is Format.DYNAMODB:
        if not is_dynamodb_json(document):
            raise ValidationError('not DynamoDB JSON (expected {"Item": {...typed values}})')
        typed = document["Item"] if set(document) == {"Item"} else document
        return v.validate_item(typed, "Item")
    try:
        return v.validate_item(to_map_values(document), "item")
    except (TypeError, ValueError) as error:
        raise ValidationError(str(error)) from None


class _Reader:
    """Items from a JSON-lines file, read lazily on the store's worker thread."""

    def __init__(self, file: IO[str], encoding: Format) -> None:
        self.file = file
        self.encoding = encoding
        self.line = 0
        self.bytes_read = 0

    def __iter__(self) -> Iterator[Item]:
        for text in self.file:
            self.line += 1
            self.bytes_read += len(text.encode("utf-8"))
            if not text.strip():
                continue
            try:
                document = json.loads(text, parse_float=Decimal)
            except ValueError as error:
                raise _LineError(self.line, f"not JSON: {error}") from None
            if self.encoding is Format.AUTO:
                dynamodb = is_dynamodb_json(document)
                self.encoding = Format.DYNAMODB if dynamodb else Format.PLAIN
            try:
                yield decode_item(document, self.encoding)
            except ValidationError as error:
                raise _LineError(self.line, error.message) from None


class _ProgressBar:
    WIDTH = 30

    def __init__(self, total_bytes: int, stream: IO[str]) -> None:
        self.total = max(total_bytes, 1)
        self.stream = stream

        self.items = 0

    def show(self, done_bytes: int, items: int) -> None:
        self.items = items
        share = min(done_bytes / self.total, 1.0)
        filled = int(share * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {share:4.0%}  {items} items")
        self.stream.flush()

    def finish(self, done_bytes: int) -> None:
        self.show(done_bytes, self.items)
        self.stream.write("\n")
        self.stream.flush()


async def _import(store: TableStore, args: argparse.Namespace) -> int:
    table = store.table(args.table).name
    path: Path = args.file
    if not path.is_file():
        return _fail(f"{path}: no such file")
    show = sys.stderr.isatty() if args.progress is None else args.progress
    with path.open(encoding="utf-8") as file:
        reader = _Reader(file, Format(args.format))
        bar = _ProgressBar(path.stat().st_size, sys.stderr) if show else None

        def progress(count: int) -> None:
            if bar is not None:
                bar.show(reader.bytes_read, count)

        try:
            count = await store.import_items(table, reader, progress)
        except _LineError:
            raise
        except ValidationError as error:  # the store refused the item on the current line
            raise _LineError(reader.line, error.message) from None
        finally:
            if bar is not None:
                bar.finish(reader.bytes_read)
    print(f"imported {count} items into {table} ({reader.encoding.value} JSON)", file=sys.stderr)
    return 0


# --- export ----------------------------------------------------------------------------------


def encode_item(item: Item, encoding: Format) -> str:
    if encoding is Format.DYNAMODB:
        document: Any = {"Item": item}
    else:
        document = v.item_to_plain(item)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


async def _export(store: TableStore, args: argparse.Namespace) -> int:
    table = store.table(args.table).name
    encoding = Format(args.format)
    output = args.output.open("w", encoding="utf-8") if args.output else sys.stdout
    try:

        def write(item: Item) -> None:
            output.write(encode_item(item, encoding) + "\n")

        count = await store.export_items(table, write)
    finally:
        if args.output:
            output.close()
    print(f"exported {count} items from {table}", file=sys.stderr)
    return 0
