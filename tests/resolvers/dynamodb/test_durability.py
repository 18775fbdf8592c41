"""Durability and sharing, with real ``syncline serve`` processes on 127.0.0.1.

- a write acknowledged to a client survives ``kill -9`` of the server (WAL, synchronous=FULL);
- two server processes on one data dir write concurrently without losing or corrupting anything;
- a data file that cannot be opened is a start-up error, not a first-request error.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from resolvers.dynamodb.database import STORE_FILE
from resolvers.dynamodb.store import TableStore
from schema.definition import load_definition
from schema.errors import InvalidDefinition
from tests.apis import API_KEY, write_api
from tests.live import ROOT, free_port
from web.api import load_api

pytestmark = pytest.mark.e2e

SCHEMA = """
type Query { get(id: ID!): Thing  count(id: ID!): Int }
type Mutation { put(id: ID!, by: String!): Thing  bump(id: ID!): Int }
type Thing { id: ID!  by: String }
"""
CONFIG = """
dataSources:
  things: {type: AMAZON_DYNAMODB, config: {tableName: Things}}
resolvers:
  Query.get: {kind: UNIT, dataSource: things, code: get.py}
  Query.count: {kind: UNIT, dataSource: things, code: count.py}
  Mutation.put: {kind: UNIT, dataSource: things, code: put.py}
  Mutation.bump: {kind: UNIT, dataSource: things, code: bump.py}
"""
FILES = {
    "get.py": """
        from syncline import ddb

        def request(ctx):
            return ddb.get({"key": {"id": ctx.args["id"]}})

        def response(ctx):
            return ctx.result
    """,
    "count.py": """
        from syncline import ddb

        def request(ctx):
            return ddb.get({"key": {"id": ctx.args["id"]}})

        def response(ctx):
            return (ctx.result or {}).get("n", 0)
    """,
    "put.py": """
        from syncline import ddb, util

        def request(ctx):
            return ddb.put({"key": {"id": ctx.args["id"]}, "item": {"by": ctx.args["by"]}})

        def response(ctx):
            if ctx.error:
                util.error(ctx.error.message, ctx.error.type)
            return ctx.result
    """,
    "bump.py": """
        from syncline import ddb, util

        def request(ctx):
            return ddb.update({"key": {"id": ctx.args["id"]}, "update": {"n": ddb.operations.increment(1)}})

        def response(ctx):
            if ctx.error:
                util.error(ctx.error.message, ctx.error.type)
            return ctx.result["n"]
    """,
}
TOP = """
tables:
  Things: {partitionKey: id}
"""
HEADERS = {"x-api-key": API_KEY}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_api(tmp_path_factory.mktemp("api") / "api", SCHEMA, CONFIG, FILES, TOP)


@contextmanager
def serving(api: Path, data_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCLINE_")}
    command = [sys.executable, str(ROOT / "server.py"), "serve", str(api), "--port", str(port)]
    command += ["--data-dir", str(data_dir), "--log-level", "warning"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def graphql(client: httpx.Client, query: str) -> dict[str, object]:
    response = client.post("/graphql", json={"query": query}, headers=HEADERS)
    response.raise_for_status()
    body: dict[str, object] = response.json()
    assert "errors" not in body, body
    return body


def stored_ids(api: Path, data_dir: Path) -> tuple[set[str], dict[str, int]]:
    """Reopen the data file the way a restarted server would, and read everything."""

    async def read() -> tuple[set[str], dict[str, int]]:
        store = TableStore(load_definition(api).tables, data_dir)
        try:
            items: list[dict[str, dict[str, str]]] = []
            await store.export_items("Things", items.append)
            ids = {i["id"]["S"] for i in items if "by" in i}
            counts = {i["id"]["S"]: int(i["n"]["N"]) for i in items if "n" in i}
            return ids, counts
        finally:
            await store.close()

    return asyncio.run(read())


def integrity(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / STORE_FILE) as connection:
        (result,) = connection.execute("PRAGMA integrity_check").fetchone()
    return str(result)


def writer(base: str, prefix: str, acknowledged: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=base, timeout=10) as client:
        i = 0
        while not stop.is_set():
            item = f"{prefix}-{i}"
            try:
                graphql(client, f'mutation {{ put(id: "{item}", by: "{prefix}") {{ id }} }}')
            except httpx.TransportError:
                return  # the server died mid-request: this write was never acknowledged
            acknowledged.append(item)
            i += 1


def test_acknowledged_writes_survive_kill_9(api: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    acknowledged: list[list[str]] = [[] for _ in range(4)]
    with serving(api, data) as (base, process):
        stop = threading.Event()
        threads = [
            threading.Thread(target=writer, args=(base, f"w{n}", acknowledged[n], stop))
            for n in range(4)
        ]
        for thread in threads:
            thread.start()
        while sum(map(len, acknowledged)) < 200:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # while writes are in flight
        process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
    assert process.returncode == -signal.SIGKILL
    written = {item for items in acknowledged for item in items}
    ids, _ = stored_ids(api, data)
    assert written <= ids, sorted(written - ids)[:5]
    assert integrity(data) == "ok"


def test_the_store_runs_wal_with_full_sync(tmp_path: Path) -> None:
    async def pragmas() -> tuple[str, int]:
        store = TableStore({}, tmp_path)
        try:
            return await store._run(
                lambda c: (
                    c.execute("PRAGMA journal_mode").fetchone()[0],
                    c.execute("PRAGMA synchronous").fetchone()[0],
                )
            )
        finally:
            await store.close()

    assert asyncio.run(pragmas()) == ("wal", 2)  # 2 = FULL: fsync on every commit


def test_two_servers_share_one_data_dir(api: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    per_writer = 25
    with serving(api, data) as (first, _), serving(api, data) as (second, _):

        def work(base: str, prefix: str) -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                for i in range(per_writer):
                    graphql(
                        client, f'mutation {{ put(id: "{prefix}-{i}", by: "{prefix}") {{ id }} }}'
                    )
                    graphql(client, 'mutation { bump(id: "shared") }')

        threads = [
            threading.Thread(target=work, args=(base, f"{name}{n}"))
            for n in range(3)
            for name, base in (("a", first), ("b", second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        # Each server reads what the other wrote.
        for base in (first, second):
            with httpx.Client(base_url=base) as client:
                last = f"b2-{per_writer - 1}"
                body = graphql(client, f'{{ count(id: "shared") get(id: "{last}") {{ by }} }}')
                assert body["data"] == {"count": 6 * per_writer, "get": {"by": "b2"}}
    ids, counts = stored_ids(api, data)
    assert len(ids) == 6 * per_writer
    assert counts == {"shared": 6 * per_writer}  # no increment lost between the processes
    assert integrity(data) == "ok"


def test_an_unreadable_data_file_stops_the_server_at_start(api: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / STORE_FILE).write_bytes(b"this is not a database" * 100)
    result = subprocess.run(
        [sys.executable, str(ROOT / "server.py"), "serve", str(api), "--data-dir", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("SYNCLINE_")},
    )
    assert result.returncode == 1
    assert (
        f"cannot open the table store {data / STORE_FILE}: file is not a database" in result.stderr
    )


def test_tables_without_data_sources_are_opened_at_load_too(tmp_path: Path) -> None:
    """Tables only the /dynamodb endpoint serves (for local Lambdas, say) fail fast as well."""
    api = write_api(tmp_path / "api", "type Query { ping: String }", "", top=TOP)
    data = tmp_path / "data"
    data.mkdir()
    (data / STORE_FILE).write_bytes(b"not a database either" * 100)
    with pytest.raises(InvalidDefinition, match="cannot open the table store"):
        load_api(api, data)
