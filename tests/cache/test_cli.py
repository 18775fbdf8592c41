"""``syncline cache flush``: straight in Redis, or through a running server's FlushApiCache with
the admin key or a SigV4 signature made with the API's own access key."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
import redis

from auth.identity import api_id
from cache.api_cache import CacheSettings
from cache.backends.redis import namespace_prefix
from server import main
from tests.cache.support import ADMIN_KEY, API_KEY, write_cache_api
from tests.cache.test_resolver import ITEM, PER
from tests.live import free_port
from tests.serve import serving
from web.app import create_app

ITEM_CACHING = "caching: {keys: [$context.arguments.id]}"


def fill(base: str, ids: list[str]) -> None:
    for id_ in ids:
        response = httpx.post(
            f"{base}/graphql",
            json={"query": ITEM, "variables": {"id": id_}},
            headers={"x-api-key": API_KEY},
        )
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text


def entries(base: str) -> int:
    count: int = httpx.get(f"{base}/health").json()["cache"]["entries"]
    return count


def test_flush_in_redis_removes_only_this_api(
    tmp_path: Path, machine_redis: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = f"cachetest-{uuid.uuid4().hex[:12]}"
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING, name=name)
    connection = redis.Redis.from_url(machine_redis)
    mine = namespace_prefix(api_id(name))
    other = namespace_prefix(api_id(name + "-other"))
    connection.set(mine + "Query.item:a", b"1", px=60_000)
    connection.set(mine + "Query.item:b", b"2", px=60_000)
    connection.set(other + "Query.item:a", b"3", px=60_000)
    try:
        assert main(["cache", "flush", str(root), "--redis-url", machine_redis]) == 0
        assert list(connection.scan_iter(match=mine + "*")) == []
        assert connection.get(other + "Query.item:a") == b"3"
    finally:
        connection.delete(other + "Query.item:a")
    assert capsys.readouterr().out == f"flushed the {name} cache in {machine_redis} (2 entries)\n"


@pytest.mark.parametrize(
    "extra",
    [pytest.param(["--admin-key", ADMIN_KEY], id="admin-key"), pytest.param([], id="iam")],
)
def test_flush_through_the_running_server(
    tmp_path: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    app = create_app(root, cache=CacheSettings(admin_key=ADMIN_KEY))
    with serving(app) as base:
        fill(base, ["1", "2", "3"])
        assert entries(base) == 3
        assert main(["cache", "flush", str(root), "--url", base, *extra]) == 0
        assert entries(base) == 0
    assert capsys.readouterr().out == f"flushed the cachetest cache of {base} (3 entries)\n"


def test_the_admin_key_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    with serving(create_app(root, cache=CacheSettings(admin_key=ADMIN_KEY))) as base:
        fill(base, ["1"])
        monkeypatch.setenv("SYNCLINE_ADMIN_KEY", ADMIN_KEY)
        monkeypatch.setenv("SYNCLINE_PORT", base.rsplit(":", 1)[1])
        assert main(["cache", "flush", str(root)]) == 0
        assert entries(base) == 0


def test_a_refused_flush_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    with serving(create_app(root, cache=CacheSettings(admin_key=ADMIN_KEY))) as base:
        fill(base, ["1"])
        assert main(["cache", "flush", str(root), "--url", base, "--admin-key", API_KEY]) == 1
        assert entries(base) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: the server refused the flush (401): ")
    assert "UnauthorizedException" in error


def test_no_server_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    url = f"http://127.0.0.1:{free_port()}"
    assert main(["cache", "flush", str(root), "--url", url, "--admin-key", ADMIN_KEY]) == 1
    assert capsys.readouterr().err.startswith(f"error: no Syncline server answers at {url}")


def test_an_api_without_caching_has_nothing_to_flush(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_cache_api(tmp_path / "api", "")
    assert main(["cache", "flush", str(root), "--url", "http://127.0.0.1:1"]) == 0
    assert capsys.readouterr().out == "cachetest has no appSync.caching: nothing to flush\n"
