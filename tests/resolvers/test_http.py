"""The HTTP data source against real upstreams on 127.0.0.1: a uvicorn app that answers, fails,
hangs and over-answers; a raw socket server that closes mid-body or resets; a port nobody
listens on; and an in-process ``services:`` app.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.apis import client_for, gql, write_api
from tests.serve import free_port, serving

LIMIT = 1000
TIMEOUT = 0.5


async def echo(request: Request) -> Response:
    body = await request.body()
    return JSONResponse(
        {
            "method": request.method,
            "path": request.url.path,
            "query": {key: request.query_params.getlist(key) for key in request.query_params},
            "headers": dict(request.headers),
            "body": body.decode(),
            "clientPort": request.client.port if request.client else None,
        }
    )


async def status(request: Request) -> Response:
    code = int(request.path_params["code"])
    return PlainTextResponse(f"status {code}", status_code=code)


async def slow(_: Request) -> Response:
    await asyncio.sleep(5)
    return PlainTextResponse("late")


async def big(_: Request) -> Response:
    return PlainTextResponse("x" * (LIMIT + 1))


async def big_chunked(_: Request) -> Response:
    async def chunks() -> Any:
        for _ in range(10):
            yield b"y" * 200

    return StreamingResponse(chunks(), media_type="text/plain")


UPSTREAM = Starlette(
    routes=[
        Route("/echo", echo, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/status/{code}", status),
        Route("/slow", slow),
        Route("/big", big),
        Route("/big-chunked", big_chunked),
    ]
)


class RawServer:
    """Answers ``/partial`` with half a body then closes, and ``/reset`` with a TCP reset."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection:
                request = connection.recv(65536)
                if b" /partial " in request:
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"z" * 10
                    )
                else:  # SO_LINGER with a zero timeout: close() sends RST
                    linger = struct.pack("ii", 1, 0)
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)

    def close(self) -> None:
        self.sock.close()


SCHEMA = """
type Query {
  upstream(request: AWSJSON!): AWSJSON
  raw(request: AWSJSON!): AWSJSON
  nowhere(request: AWSJSON!): AWSJSON
  service(request: AWSJSON!): AWSJSON
}
"""

PASSTHROUGH = """
from syncline import util

def request(ctx):
    return ctx.args["request"]

def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
"""

SERVICE = """
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

async def hello(request):
    return JSONResponse({"hello": request.query_params.get("name"), "path": request.url.path})

app = Starlette(routes=[Route("/hello", hello)])
"""


def config(upstream: int, raw: int, closed: int) -> str:
    sources = {
        "upstream": f"endpoint: http://127.0.0.1:{upstream}",
        "raw": f"endpoint: http://127.0.0.1:{raw}",
        "nowhere": f"endpoint: http://127.0.0.1:{closed}",
        "service": "service: hello",
    }
    lines = ["dataSources:"]
    for name, target in sources.items():
        lines += [
            f"  {name}:",
            "    type: HTTP",
            "    config:",
            f"      {target}",
            f"      timeout: {TIMEOUT}",
            f"      maxResponseBytes: {LIMIT}",
        ]
    lines.append("resolvers:")
    lines += [
        f"  Query.{name}: {{kind: UNIT, dataSource: {name}, code: pass.py}}" for name in sources
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    raw = RawServer()
    closed = free_port()
    with serving(UPSTREAM) as upstream_url:
        upstream = int(upstream_url.rsplit(":", 1)[1])
        root = write_api(
            tmp_path_factory.mktemp("api") / "api",
            SCHEMA,
            config(upstream, raw.port, closed),
            {"pass.py": PASSTHROUGH, "services/hello.py": SERVICE},
            "services:\n  hello:\n    app: services/hello.app\n",
        )
        with client_for(root) as client:
            yield client
    raw.close()


def call(client: TestClient, field: str, request: dict[str, Any]) -> dict[str, Any]:
    return gql(
        client, f"query($r: AWSJSON!) {{ {field}(request: $r) }}", {"r": json.dumps(request)}
    )


def result_of(body: dict[str, Any], field: str = "upstream") -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = json.loads(body["data"][field])
    return result


def test_get_with_query_and_headers(client):
    request = {
        "method": "GET",
        "resourcePath": "/echo",
        "params": {"query": {"a": "1 2", "b": ["x", "y"], "n": 3}, "headers": {"x-custom": "yes"}},
    }
    result = result_of(call(client, "upstream", request))
    assert result["statusCode"] == 200
    assert result["headers"]["content-type"] == "application/json"
    echoed = json.loads(result["body"])
    assert echoed["method"] == "GET"
    assert echoed["query"] == {"a": ["1 2"], "b": ["x", "y"], "n": ["3"]}
    assert echoed["headers"]["x-custom"] == "yes"


@pytest.mark.parametrize(
    ("body", "sent", "content_type"),
    [
        pytest.param('{"raw": true}', '{"raw": true}', "text/plain", id="string-body"),
        pytest.param({"id": 7, "tags": ["a"]}, '{"id":7,"tags":["a"]}', "application/json", id="object-body"),
    ],
)  # fmt: skip
def test_post_bodies_are_sent_as_given(client, body, sent, content_type):
    headers = {"content-type": "text/plain"} if isinstance(body, str) else {}
    request = {
        "method": "POST",
        "resourcePath": "/echo",
        "params": {"body": body, "headers": headers},
    }
    echoed = json.loads(result_of(call(client, "upstream", request))["body"])
    assert echoed["method"] == "POST"
    assert echoed["body"] == sent
    assert echoed["headers"]["content-type"] == content_type


def test_an_error_status_is_a_result_for_the_response_handler(client):
    result = result_of(call(client, "upstream", {"method": "GET", "resourcePath": "/status/503"}))
    assert result["statusCode"] == 503
    assert result["body"] == "status 503"


def test_connections_are_kept_alive_between_requests(client):
    ports = {
        json.loads(result_of(call(client, "upstream", {"resourcePath": "/echo"}))["body"])[
            "clientPort"
        ]
        for _ in range(3)
    }
    assert len(ports) == 1


@pytest.mark.parametrize(
    ("field", "path", "error_type", "fragment"),
    [
        pytest.param("upstream", "/slow", "HTTP:Timeout", f"no response within {TIMEOUT:g} s", id="hangs"),
        pytest.param("nowhere", "/echo", "HTTP:ConnectionRefused", "127.0.0.1", id="refused"),
        pytest.param("raw", "/partial", "HTTP:ConnectionReset", "/partial", id="closes-mid-body"),
        pytest.param("raw", "/reset", "HTTP:ConnectionReset", "/reset", id="reset"),
        pytest.param("upstream", "/big", "HTTP:ResponseTooLarge", "declares 1001 bytes", id="declared-too-large"),
        pytest.param("upstream", "/big-chunked", "HTTP:ResponseTooLarge", f"more than {LIMIT} bytes", id="streamed-too-large"),
    ],
)  # fmt: skip
def test_transport_failures_are_field_errors_within_the_timeout(
    client, field, path, error_type, fragment
):
    started = time.monotonic()
    body = call(client, field, {"method": "GET", "resourcePath": path})
    assert time.monotonic() - started < TIMEOUT + 1.0
    assert body["data"] == {field: None}
    [error] = body["errors"]
    assert error["errorType"] == error_type
    assert error["path"] == [field]
    assert fragment in error["message"]


@pytest.mark.parametrize(
    ("request_object", "fragment"),
    [
        pytest.param({"method": "TRACE", "resourcePath": "/"}, "unsupported HTTP method", id="method"),
        pytest.param({"resourcePath": "echo"}, "must be a string starting with '/'", id="path"),
        pytest.param({"resourcePath": "/", "params": {"headers": {"x": {"y": 1}}}}, "params.headers.x", id="header"),
        pytest.param({"resourcePath": "/", "params": {"query": []}}, "params.query must be an object", id="query"),
    ],
)  # fmt: skip
def test_malformed_requests_are_mapping_template_errors(client, request_object, fragment):
    [error] = call(client, "upstream", request_object)["errors"]
    assert error["errorType"] == "MappingTemplate"
    assert fragment in error["message"]


def test_a_services_app_is_reached_in_process(client):
    request = {"resourcePath": "/hello", "params": {"query": {"name": "ada"}}}
    result = result_of(call(client, "service", request), "service")
    assert result["statusCode"] == 200
    assert json.loads(result["body"]) == {"hello": "ada", "path": "/hello"}


def test_the_service_is_also_served_over_http(client):
    response = client.get("/services/hello/hello", params={"name": "bob"})
    assert response.status_code == 200
    assert response.json() == {"hello": "bob", "path": "/services/hello/hello"}
