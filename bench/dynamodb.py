"""Embedded DynamoDB store benchmarks: ``python -m bench.dynamodb``.

Three measurements, each with the target issue 3 sets:

- ``get-item``: one GetItem of an order (6 attributes, a nested item list) from a store on a real
  data file, one call at a time, in this process (target: p50 <= 50 µs). Measured at the store
  (``TableStore.get_item``: the worker-thread hand-off, one SQLite point read, JSON decoding)
  and at the data source (``DynamoDBDataSource.invoke`` with the request ``ddb.get`` builds: it
  adds request validation and conversion of the item to plain values).
- ``query-100``: a Query on the ``byCustomer`` GSI returning 100 such orders, newest first
  (target: p50 <= 1 ms), at the store and at the data source.
- ``http``: ``{ getOrder(id) { ... } }`` against a real ``syncline serve`` of an orders API whose
  ``getOrder`` is a DynamoDB GetItem, and against a second server whose ``getOrder`` is a NONE
  data source returning the same order from a dict in memory; the same query, the same response
  bytes, sequential requests on one keep-alive connection, interleaved rounds (target: p50 ratio
  DynamoDB / NONE <= 1.5).

In-process runs use uvloop when it is installed (as ``syncline serve`` does). Servers run pinned
to CPU 0 and this process to CPU 1 when the machine has two (``taskset`` /
``sched_setaffinity``), as ``python -m bench`` does. Each in-process measurement is repeated in
``--rounds`` rounds; the reported p50 is the median of the rounds' p50s, so one noisy round on a
shared machine does not decide it. Results go to stdout and ``bench/results/dynamodb.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.timing import free_port, subprocess_server, timed

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "dynamodb.json"
SERVER_CPU, CLIENT_CPU = 0, 1
CUSTOMERS = 20
ORDERS_PER_CUSTOMER = 100
API_KEY = "da2-bench-key"
TARGETS = {"get_item_p50_us": 50.0, "query_100_p50_ms": 1.0, "http_p50_ratio": 1.5}

SCHEMA = """
type Query { getOrder(id: ID!): Order }
type Order {
  id: ID!  customerId: ID!  items: [OrderItem!]!  total: Float!  status: String!
  createdAt: String!  updatedAt: String
}
type OrderItem { sku: String!  quantity: Int!  price: Float! }
"""
CONFIG = """
appSync:
  name: bench-orders
  schema: schema.graphql
  authentication: {type: API_KEY}
  apiKeys: [{name: bench, value: KEY_VALUE}]
  dataSources:
    source: SOURCE
  resolvers:
    Query.getOrder: {kind: UNIT, dataSource: source, code: getOrder.py}
tables:
  Orders:
    partitionKey: id
    globalSecondaryIndexes:
      - {name: byCustomer, partitionKey: customerId, sortKey: createdAt}
"""
DYNAMODB_RESOLVER = """
from syncline import ddb, util


def request(ctx):
    return ddb.get({"key": {"id": ctx.args["id"]}})


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
"""
NONE_RESOLVER = """
import json
import pathlib

ORDERS = json.loads((pathlib.Path(__file__).parent / "orders.json").read_text())


def request(ctx):
    return {"payload": ORDERS.get(ctx.args["id"])}


def response(ctx):
    return ctx.result
"""
QUERY = (
    "query($id: ID!) { getOrder(id: $id) "
    "{ id customerId items { sku quantity price } total status createdAt updatedAt } }"
)


def order(customer: int, n: int) -> dict[str, Any]:
    return {
        "id": f"o-{customer:03}-{n:04}",
        "customerId": f"c-{customer:03}",
        "items": [
            {"sku": f"sku-{n % 7}", "quantity": 1 + n % 3, "price": 9.5},
            {"sku": "gift-wrap", "quantity": 1, "price": 2.25},
        ],
        "total": 9.5 * (1 + n % 3) + 2.25,
        "status": "PAID",
        "createdAt": f"2024-01-01T00:{n // 60:02}:{n % 60:02}Z",
    }


ORDERS = [order(c, n) for c in range(CUSTOMERS) for n in range(ORDERS_PER_CUSTOMER)]


def percentiles(samples: list[float], unit: float) -> dict[str, float]:
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] / unit

    return {"n": len(ordered), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99)}


def rounds_summary(rounds: list[list[float]], unit: float) -> dict[str, Any]:
    """All samples' percentiles, plus each round's p50 and their median (the reported p50)."""
    round_p50s = [statistics.median(samples) / unit for samples in rounds]
    merged = percentiles([s for samples in rounds for s in samples], unit)
    return {**merged, "p50": statistics.median(round_p50s), "round_p50s": round_p50s}


def event_loop_policy() -> str:
    try:
        import uvloop
    except ImportError:
        return "asyncio"
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return "uvloop"


# --- in-process ------------------------------------------------------------------------------


async def load_orders(data_dir: Path) -> None:
    """Write ``ORDERS`` into the data dir's Orders table (one transaction)."""
    from resolvers.dynamodb import TableStore
    from resolvers.dynamodb.helpers import typed_map
    from schema.definition import load_definition

    api = data_dir.parent / "definition"
    write_api(api, "{type: NONE}", NONE_RESOLVER)
    store = TableStore(load_definition(api).tables, data_dir)
    try:
        await store.import_items("Orders", (typed_map(o) for o in ORDERS))
    finally:
        await store.close()


async def in_process(count: int, rounds: int, workdir: Path) -> dict[str, Any]:
    from resolvers.dynamodb import DynamoDBDataSource, TableStore
    from resolvers.dynamodb import helpers as ddb
    from resolvers.dynamodb.expressions import Placeholders, parse_key_condition
    from schema.definition import load_definition

    data_dir = workdir / "in-process-data"
    await load_orders(data_dir)
    tables = load_definition(workdir / "definition").tables
    store = TableStore(tables, data_dir)
    source = DynamoDBDataSource("orders", tables["Orders"], store)
    ctx: Any = None  # the DynamoDB data source does not read ctx for these operations
    target = ORDERS[len(ORDERS) // 2]
    key = {"id": {"S": target["id"]}}
    get_request = ddb.get({"key": {"id": target["id"]}})
    query_request = ddb.query(
        {
            "query": {"customerId": {"eq": target["customerId"]}},
            "index": "byCustomer",
            "scan_index_forward": False,
            "limit": ORDERS_PER_CUSTOMER,
        }
    )
    view = store.view("Orders", "byCustomer")
    placeholders = Placeholders()
    placeholders.add(None, {":c": {"S": target["customerId"]}}, "query")
    condition = parse_key_condition("customerId = :c", placeholders, "customerId", "createdAt")

    async def store_get() -> None:
        assert await store.get_item("Orders", key) is not None

    async def source_get() -> None:
        assert (await source.invoke(get_request, ctx))["id"] == target["id"]

    async def store_query() -> None:
        page = await store.query(view, condition, forward=False, limit=ORDERS_PER_CUSTOMER)
        assert len(page.items) == ORDERS_PER_CUSTOMER

    async def source_query() -> None:
        page = await source.invoke(query_request, ctx)
        assert len(page["items"]) == ORDERS_PER_CUSTOMER

    measured: dict[str, list[list[float]]] = {}
    calls = {
        "store_get": (store_get, count),
        "source_get": (source_get, count),
        "store_query": (store_query, max(50, count // 10)),
        "source_query": (source_query, max(50, count // 10)),
    }
    try:
        for call, n in calls.values():
            await timed(call, max(20, n // 5))  # warm-up: page cache, allocator
        for _ in range(rounds):
            for name, (call, n) in calls.items():
                measured.setdefault(name, []).append(await timed(call, n))
    finally:
        await store.close()
    get_item: dict[str, Any] = {
        "store": rounds_summary(measured["store_get"], 1e-6),
        "data_source": rounds_summary(measured["source_get"], 1e-6),
        "unit": "µs",
    }
    query: dict[str, Any] = {
        "store": rounds_summary(measured["store_query"], 1e-3),
        "data_source": rounds_summary(measured["source_query"], 1e-3),
        "unit": "ms",
    }
    get_item["pass"] = get_item["data_source"]["p50"] <= TARGETS["get_item_p50_us"]
    query["pass"] = query["data_source"]["p50"] <= TARGETS["query_100_p50_ms"]
    return {"get-item": get_item, "query-100": query}


# --- over HTTP -------------------------------------------------------------------------------


def write_api(root: Path, source: str, resolver: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "schema.graphql").write_text(SCHEMA)
    config = CONFIG.replace("SOURCE", source).replace("KEY_VALUE", API_KEY)
    (root / "syncline.yml").write_text(config)
    (root / "getOrder.py").write_text(textwrap.dedent(resolver))
    (root / "orders.json").write_text(json.dumps({o["id"]: o for o in ORDERS}))
    return root


@contextmanager
def server(api: Path, data_dir: Path) -> Iterator[str]:
    """``syncline serve`` of ``api`` on ``data_dir``, pinned to the server CPU, until healthy."""
    port = free_port()
    argv = [sys.executable, str(REPO / "server.py"), "serve", str(api), "--port", str(port)]
    argv += ["--data-dir", str(data_dir), "--log-level", "warning"]
    with subprocess_server(argv, port, REPO, SERVER_CPU, ready_path="/health") as base:
        yield base


def over_http(count: int, rounds: int, workdir: Path) -> dict[str, Any]:
    ddb_data = workdir / "http-data"
    asyncio.run(load_orders(ddb_data))
    ddb_api = write_api(
        workdir / "orders-dynamodb",
        "{type: AMAZON_DYNAMODB, config: {tableName: Orders}}",
        DYNAMODB_RESOLVER,
    )
    none_api = write_api(workdir / "orders-none", "{type: NONE}", NONE_RESOLVER)
    ids = [o["id"] for o in ORDERS[:: max(1, len(ORDERS) // 50)]]
    headers = {"x-api-key": API_KEY}
    samples: dict[str, list[float]] = {"dynamodb": [], "none": []}
    ratios = []
    with (
        server(ddb_api, ddb_data) as ddb_base,
        server(none_api, workdir / "none-data") as none_base,
        httpx.Client(base_url=ddb_base, headers=headers) as ddb_client,
        httpx.Client(base_url=none_base, headers=headers) as none_client,
    ):
        clients = {"dynamodb": ddb_client, "none": none_client}
        bodies = [
            {
                name: client.post("/graphql", json={"query": QUERY, "variables": {"id": i}}).content
                for name, client in clients.items()
            }
            for i in ids
        ]
        for pair in bodies:
            assert pair["dynamodb"] == pair["none"], pair
            assert b'"errors"' not in pair["none"], pair
        for client in clients.values():  # warm-up
            for n in range(300):
                client.post(
                    "/graphql", json={"query": QUERY, "variables": {"id": ids[n % len(ids)]}}
                )
        for _ in range(rounds):
            round_p50 = {}
            for name, client in clients.items():
                taken = []
                for n in range(count):
                    body = {"query": QUERY, "variables": {"id": ids[n % len(ids)]}}
                    started = time.perf_counter()
                    response = client.post("/graphql", json=body)
                    taken.append(time.perf_counter() - started)
                    assert response.status_code == 200
                samples[name] += taken
                round_p50[name] = statistics.median(taken)
            ratios.append(round_p50["dynamodb"] / round_p50["none"])
    ratio = statistics.median(ratios)
    return {
        "dynamodb": percentiles(samples["dynamodb"], 1e-3),
        "none": percentiles(samples["none"], 1e-3),
        "unit": "ms",
        "p50_ratio_per_round": ratios,
        "p50_ratio": ratio,
        "pass": ratio <= TARGETS["http_p50_ratio"],
    }


# --- main ------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dynamodb", description=__doc__)
    parser.add_argument("--count", type=int, default=5000, help="GetItem samples per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per measurement")
    parser.add_argument("--only", default="in-process,http")
    args = parser.parse_args(argv)
    selected = set(args.only.split(","))
    if (os.cpu_count() or 1) > 1 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {CLIENT_CPU})
    results: dict[str, Any] = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "targets": TARGETS,
    }
    with tempfile.TemporaryDirectory(prefix="bench-dynamodb-") as scratch:
        workdir = Path(scratch)
        if "in-process" in selected:
            results["loop"] = event_loop_policy()
            results.update(asyncio.run(in_process(args.count, args.rounds, workdir)))
        if "http" in selected:
            per_round = max(200, args.count // 10)
            results["http"] = over_http(per_round, args.rounds, workdir)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(report(results))
    passed = all(v.get("pass", True) for v in results.values() if isinstance(v, dict))
    return 0 if passed else 1


def report(results: dict[str, Any]) -> str:
    lines = [f"machine: {results['cpus']} CPUs, load average {results.get('loadavg')}"]

    def row(name: str, stats: dict[str, Any], unit: str) -> None:
        lines.append(
            f"  {name:<26} p50 {stats['p50']:8.3f} {unit}  p90 {stats['p90']:8.3f} {unit}  "
            f"p99 {stats['p99']:8.3f} {unit}  (n={stats['n']})"
        )

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    if "get-item" in results:
        get, query = results["get-item"], results["query-100"]
        lines.append(
            f"get-item ({results['loop']}, in process)   target p50 <= "
            f"{TARGETS['get_item_p50_us']:.0f} µs: {verdict(get['pass'])}"
        )
        row("TableStore.get_item", get["store"], "µs")
        row("data source GetItem", get["data_source"], "µs")
        lines.append(
            f"query-100 ({results['loop']}, in process)  target p50 <= "
            f"{TARGETS['query_100_p50_ms']:.0f} ms: {verdict(query['pass'])}"
        )
        row("TableStore.query", query["store"], "ms")
        row("data source Query", query["data_source"], "ms")
    if "http" in results:
        http = results["http"]
        lines.append(
            f"http getOrder   p50 ratio DynamoDB / NONE {http['p50_ratio']:.3f} (target <= "
            f"{TARGETS['http_p50_ratio']}): {verdict(http['pass'])}"
        )
        row("GetItem (embedded store)", http["dynamodb"], "ms")
        row("NONE (from memory)", http["none"], "ms")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
