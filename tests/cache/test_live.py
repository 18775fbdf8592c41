"""Two real ``syncline serve`` processes sharing the machine's Redis: an entry one of them
stores answers the other, an eviction made through one is seen by both, and
``syncline cache flush --redis-url`` empties the cache of both."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.cache.support import API_KEY, write_cache_api
from tests.cache.test_resolver import PER
from tests.live import ROOT, running_server

QUERY = "query($id: ID!) { item(id: $id) { calls pid } }"


def item(base: str, id_: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": QUERY, "variables": {"id": id_}},
        headers={"x-api-key": API_KEY},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["item"]
    return result


def counted(base: str) -> dict[str, int]:
    resolvers = httpx.get(f"{base}/health", timeout=5).json()["cache"]["resolvers"]
    result: dict[str, int] = resolvers["Query.item"]
    return result


def test_two_server_processes_share_the_cache(tmp_path: Path, machine_redis: str) -> None:
    name = f"cachetest-{uuid.uuid4().hex[:12]}"
    root = write_cache_api(
        tmp_path / "api", PER, "caching: {ttl: 60, keys: [$context.arguments.id]}", name=name
    )
    redis_flag = ("--redis-url", machine_redis)
    with (
        running_server(root, tmp_path / "a", *redis_flag) as a,
        running_server(root, tmp_path / "b", *redis_flag) as b,
    ):
        stored = item(a, "1")
        assert item(b, "1") == stored  # B answers with A's entry: A's pid
        assert counted(b)["hits"] == 1
        assert counted(b)["misses"] == 0

        renamed = httpx.post(
            f"{b}/graphql",
            json={"query": 'mutation { rename(id: "1", label: "x") { id } }'},
            headers={"x-api-key": API_KEY},
        ).json()
        assert renamed["extensions"] == {"apiCacheEntriesDeleted": 1}
        refreshed = item(a, "1")  # evicted through B, so A resolves again
        assert refreshed != stored
        assert refreshed["pid"] == stored["pid"]
        assert item(b, "1") == refreshed

        flush = subprocess.run(
            [sys.executable, str(ROOT / "server.py"), "cache", "flush", str(root),
             "--redis-url", machine_redis],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert flush.returncode == 0, flush.stderr
        assert flush.stdout == f"flushed the {name} cache in {machine_redis} (1 entry)\n"
        after = item(b, "1")
        assert after["pid"] != stored["pid"]  # B resolved it itself this time
        assert counted(b)["misses"] == 1
