"""``GET /metrics`` (Prometheus text) and ``FlushApiCache``: who may flush — IAM-signed callers
(boto3's own appsync client, over a real socket) and the admin key, never the API key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from auth.identity import api_id
from cache.routes import check_admin_key
from tests.cache.support import ADMIN_KEY, API_KEY, IAM_KEYS, client, post, write_cache_api
from tests.cache.test_resolver import ITEM, PER, calls
from tests.serve import serving
from web.app import create_app

ITEM_CACHING = "caching: {keys: [$context.arguments.id]}"
FLUSH = f"/v1/apis/{api_id('cachetest')}/FlushCache"


def test_metrics_are_prometheus_text(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    with client(root, max_entries=1) as c:
        post(c, ITEM, {"id": "1"})
        post(c, ITEM, {"id": "1"})
        post(c, ITEM, {"id": "2"})  # evicts id 1 for room
        post(c, 'mutation { rename(id: "2", label: "x") { id } }')
        response = c.get("/metrics")
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    api = 'api="cachetest"'
    item = f'{api},resolver="Query.item"'
    assert response.text == "\n".join(
        [
            "# HELP syncline_cache_hits_total Lookups answered from the API cache.",
            "# TYPE syncline_cache_hits_total counter",
            f"syncline_cache_hits_total{{{item}}} 1",
            "# HELP syncline_cache_misses_total Lookups the API cache could not answer (the resolver or operation ran).",
            "# TYPE syncline_cache_misses_total counter",
            f"syncline_cache_misses_total{{{item}}} 2",
            "# HELP syncline_cache_evictions_total Entries removed before their TTL, by reason.",
            "# TYPE syncline_cache_evictions_total counter",
            f'syncline_cache_evictions_total{{{item},reason="api"}} 1',
            f'syncline_cache_evictions_total{{{item},reason="capacity"}} 1',
            "# HELP syncline_cache_errors_total Cache backend operations that failed; the request was served uncached.",
            "# TYPE syncline_cache_errors_total counter",
            "# HELP syncline_cache_flushes_total Whole-cache flushes (syncline cache flush, FlushApiCache).",
            "# TYPE syncline_cache_flushes_total counter",
            f"syncline_cache_flushes_total{{{api}}} 0",
            "# HELP syncline_cache_up 1 when the cache backend answers, 0 while degraded.",
            "# TYPE syncline_cache_up gauge",
            f"syncline_cache_up{{{api}}} 1",
            "# HELP syncline_cache_entries Live entries in the memory cache.",
            "# TYPE syncline_cache_entries gauge",
            f"syncline_cache_entries{{{api}}} 0",
            "# HELP syncline_cache_bytes Bytes the memory cache counts (payloads, keys, per-entry overhead).",
            "# TYPE syncline_cache_bytes gauge",
            f"syncline_cache_bytes{{{api}}} 0",
            "",
        ]
    )


def signed_headers(user: str, path: str = FLUSH, secret: str | None = None) -> dict[str, str]:
    key_id, real_secret = IAM_KEYS[user]
    request = AWSRequest("DELETE", f"http://testserver{path}", data=b"")
    SigV4Auth(Credentials(key_id, secret or real_secret), "appsync", "us-east-1").add_auth(request)
    return dict(request.headers.items())


REFUSED = [
    pytest.param({}, 401, "UnauthorizedException", id="no-credentials"),
    pytest.param({"x-api-key": API_KEY}, 401, "UnauthorizedException", id="api-key"),
    pytest.param({"x-syncline-admin-key": API_KEY}, 401, "UnauthorizedException", id="api-key-as-admin-key"),
    pytest.param({"x-syncline-admin-key": ADMIN_KEY + "x"}, 401, "UnauthorizedException", id="wrong-admin-key"),
    pytest.param(signed_headers("alice", secret="not-the-secret"), 403, "InvalidSignatureException", id="bad-signature"),
    pytest.param({"authorization": "Bearer something"}, 401, "UnauthorizedException", id="bearer"),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "status", "error_type"), REFUSED)
def test_only_iam_or_the_admin_key_may_flush(
    tmp_path: Path, headers: dict[str, str], status: int, error_type: str
) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    with client(root, admin_key=ADMIN_KEY) as c:
        first = calls(post(c, ITEM, {"id": "1"}))
        response = c.delete(FLUSH, headers=headers)
        assert calls(post(c, ITEM, {"id": "1"})) == first  # still cached
    assert response.status_code == status
    assert response.json()["errors"][0]["errorType"] == error_type
    assert response.headers["x-amzn-ErrorType"] == error_type


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"x-syncline-admin-key": ADMIN_KEY}, id="admin-key"),
        pytest.param(signed_headers("bob"), id="iam"),
    ],
)
def test_a_flush_empties_the_cache(tmp_path: Path, headers: dict[str, str]) -> None:
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)
    with client(root, admin_key=ADMIN_KEY) as c:
        first = calls(post(c, ITEM, {"id": "1"}))
        post(c, ITEM, {"id": "2"})
        response = c.delete(FLUSH, headers=headers)
        assert (response.status_code, response.content) == (200, b"")
        assert response.headers["x-syncline-flushed-entries"] == "2"
        assert calls(post(c, ITEM, {"id": "1"})) != first
        assert 'syncline_cache_flushes_total{api="cachetest"} 1' in c.get("/metrics").text


def test_boto3_flush_api_cache(tmp_path: Path) -> None:
    """``aws appsync flush-api-cache`` / boto3 against Syncline, SigV4 verified server-side."""
    root = write_cache_api(tmp_path / "api", PER, ITEM_CACHING)

    def appsync(base: str, secret: str) -> Any:
        key_id, _ = IAM_KEYS["alice"]
        return boto3.client(
            "appsync",
            endpoint_url=base,
            region_name="us-east-1",
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )

    with serving(create_app(root)) as base:
        assert (
            appsync(base, IAM_KEYS["alice"][1]).flush_api_cache(apiId=api_id("cachetest"))[
                "ResponseMetadata"
            ]["HTTPStatusCode"]
            == 200
        )
        with pytest.raises(ClientError) as refused:
            appsync(base, "wrong").flush_api_cache(apiId=api_id("cachetest"))
        with pytest.raises(ClientError) as unknown:
            appsync(base, IAM_KEYS["alice"][1]).flush_api_cache(apiId="nosuchapi")
    assert refused.value.response["Error"]["Code"] == "InvalidSignatureException"
    assert unknown.value.response["Error"]["Code"] == "NotFoundException"


def test_an_api_without_a_cache_has_nothing_to_flush(tmp_path: Path) -> None:
    root = write_cache_api(tmp_path / "api", "")
    with client(root) as c:
        response = c.delete(FLUSH, headers=signed_headers("alice"))
        metrics = c.get("/metrics")
    assert response.status_code == 404
    assert response.json()["errors"][0]["errorType"] == "NotFoundException"
    assert (metrics.status_code, metrics.text) == (200, "")


@pytest.mark.parametrize(
    ("admin_key", "message"),
    [
        pytest.param("short", "at least 16 characters", id="short"),
        pytest.param("da2-cache-test-key-long", "must not be one of the API's API keys", id="api-key"),
    ],
)  # fmt: skip
def test_unusable_admin_keys_are_refused_at_start_up(admin_key: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_admin_key(admin_key, ["da2-cache-test-key-long"])
