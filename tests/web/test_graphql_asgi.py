"""The raw ASGI ``/graphql`` endpoint keeps what Starlette's Request/Response gave it: headers
for resolvers and authorizers, the request as sent for SigV4, streamed bodies, the router's 405."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest

from auth.modes import HttpCall, RequestAuthorizer
from tests.apis import HEADERS, client_for, write_api
from web.app import create_app

SCHEMA = """
type Query {
  header(name: String!): String
  domain: String
  number(v: Int): Int
  failing: String
}
"""

CONFIG = """
dataSources:
  none:
    type: NONE
resolvers:
  Query.header:
    kind: UNIT
    dataSource: none
    code: header.py
  Query.domain:
    kind: UNIT
    dataSource: none
    code: domain.py
  Query.number:
    kind: UNIT
    dataSource: none
    code: number.py
  Query.failing:
    kind: UNIT
    dataSource: none
    code: failing.py
"""

CODE = {
    "header.py": (
        "def request(ctx):\n    return {'payload': ctx.request.headers.get(ctx.args['name'])}\n\n"
        "def response(ctx):\n    return ctx.result\n"
    ),
    "domain.py": (
        "def request(ctx):\n    return {'payload': ctx.request.domain_name}\n\n"
        "def response(ctx):\n    return ctx.result\n"
    ),
    "number.py": (
        "def request(ctx):\n    return {'payload': ctx.args['v']}\n\n"
        "def response(ctx):\n    return ctx.result\n"
    ),
    "failing.py": (
        "from syncline import util\n\n"
        "def request(ctx):\n    util.error('refused', 'Custom', {1: 'one', 'two': 2})\n\n"
        "def response(ctx):\n    return ctx.result\n"
    ),
}

LIMIT = 2048


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_api(tmp_path_factory.mktemp("api") / "api", SCHEMA, CONFIG, CODE)
    (root / "syncline.yml").write_text(
        (root / "syncline.yml").read_text() + f"server:\n  maxRequestBodyBytes: {LIMIT}\n"
    )
    return root


@pytest.fixture(scope="module")
def client(root: Path):
    with client_for(root) as client:
        yield client


def test_resolvers_see_the_request_headers_first_value_winning(client):
    response = client.post(
        "/graphql",
        json={"query": '{ header(name: "x-trace") domain }'},
        headers=[*HEADERS.items(), ("X-Trace", "first"), ("x-trace", "second")],
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"header": "first", "domain": "testserver"}}


def test_authorizers_see_the_request_as_sent(client, monkeypatch):
    seen: list[HttpCall] = []
    authenticate = RequestAuthorizer.authenticate

    async def spy(self: RequestAuthorizer, call: HttpCall) -> Any:
        seen.append(call)
        return await authenticate(self, call)

    monkeypatch.setattr(RequestAuthorizer, "authenticate", spy)
    body = b'{"query": "{ domain }"}'
    response = client.post(
        "/graphql?a=1&b=%2F",
        content=body,
        headers=[
            *HEADERS.items(),
            ("content-type", "application/json"),
            ("x-amz-meta", "one"),
            ("x-amz-meta", "two"),
        ],
    )
    assert response.status_code == 200
    (call,) = seen
    assert (call.method, call.scheme, call.host, call.path, call.query) == (
        "POST",
        "http",
        "testserver",
        "/graphql",
        "a=1&b=%2F",
    )
    assert call.raw_path == "/graphql"
    assert call.body == body
    assert call.source_ip == "testclient"
    assert call.headers.get("x-api-key") == HEADERS["x-api-key"]
    # SigV4 signs a repeated header's values joined (auth.iam reads them with getlist).
    assert call.headers.getlist("X-Amz-Meta") == ["one", "two"]  # type: ignore[attr-defined]
    assert call.headers["x-amz-meta"] == "one"


@pytest.mark.parametrize(
    "value", [pytest.param(2**70, id="past-64-bits"), pytest.param(2**63, id="past-63-bits")]
)
def test_integers_too_large_for_orjson_keep_every_digit(client, value):
    response = client.post(
        "/graphql",
        content=b'{"query": "query($v: Int) { number(v: $v) }", "variables": {"v": %d}}' % value,
        headers={**HEADERS, "content-type": "application/json"},
    )
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert f"non 32-bit signed integer value: {value}" in error["message"]


def test_error_data_with_keys_that_are_not_strings(client):
    response = client.post("/graphql", json={"query": "{ failing }"}, headers=HEADERS)
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert (error["errorType"], error["data"]) == ("Custom", {"1": "one", "two": 2})


def _scope(headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }


def _call(root: Path, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drive the app with ``messages`` as what the client sends; what it sent back."""
    app = create_app(root)
    sent: list[dict[str, Any]] = []
    incoming = iter(messages)

    async def receive() -> dict[str, Any]:
        return next(incoming)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    headers = [
        (b"content-type", b"application/json"),
        (b"x-api-key", HEADERS["x-api-key"].encode()),
    ]
    asyncio.run(app(_scope(headers), receive, send))
    return sent


def _chunks(*parts: bytes) -> list[dict[str, Any]]:
    return [
        {"type": "http.request", "body": part, "more_body": index < len(parts) - 1}
        for index, part in enumerate(parts)
    ]


def test_a_streamed_body_is_read_whole(root: Path):
    start, response = _call(root, _chunks(b'{"query": "{ dom', b'ain }"', b"}"))
    assert start["status"] == 200
    assert (b"content-type", b"application/json; charset=utf-8") in start["headers"]
    assert response["body"] == b'{"data":{"domain":null}}'


def test_a_streamed_body_past_the_limit_is_413_without_content_length(root: Path):
    pad = b" " * 1000
    start, response = _call(root, _chunks(b'{"query": "{ domain }"', pad, pad, pad, b"}"))
    assert start["status"] == 413
    assert b"BadRequestException" in response["body"]


def test_a_client_gone_before_its_body_gets_no_answer(root: Path):
    assert _call(root, [{"type": "http.disconnect"}]) == []


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_get_the_routers_405(client, method):
    response = client.request(method, "/graphql", headers=HEADERS)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
