"""The ``store: aws`` DynamoDB data source (boto3) against real HTTP endpoints.

DynamoDB itself is Syncline's own ``/dynamodb`` endpoint on a real uvicorn here (the
differential suite runs the same data source against DynamoDB Local); throttling, hangs and
refused connections come from small real servers on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers.dynamodb import create_dynamodb_data_source
from resolvers.dynamodb.aws import AwsConnection, AwsDynamoDBDataSource, AwsSettings
from resolvers.dynamodb.endpoint import DynamoDBEndpoint, endpoint_routes
from resolvers.dynamodb.store import TableStore
from resolvers.dynamodb.tokens import PageTokens
from resolvers.registry import Runtime
from schema.definition import load_definition
from schema.errors import DefinitionError, InvalidDefinition, ResolverError
from schema.model import DataSource, DataSourceKind
from tests.apis import write_api
from tests.resolvers.dynamodb.support import CTX, LOCATION, TABLES, n, s
from tests.serve import serving

T = TypeVar("T")
SECRET = b"a-test-secret-of-32-bytes-length"


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """The standard chain finds these (environment variables come first in it)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@contextmanager
def syncline_dynamodb(tmp_path: Path) -> Iterator[str]:
    """Syncline's endpoint over the test tables, as the DynamoDB the data source talks to."""
    store = TableStore(TABLES, tmp_path)
    app = Starlette(routes=endpoint_routes(DynamoDBEndpoint(store)))
    with serving(app) as base:
        yield f"{base}/dynamodb"
    asyncio.run(store.close())


def source(endpoint: str, table: str = "Orders", **settings: Any) -> AwsDynamoDBDataSource:
    connection = AwsConnection(AwsSettings(endpoint=endpoint, **settings))
    return AwsDynamoDBDataSource("orders", table, connection, PageTokens(SECRET))


def run(body: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return asyncio.run(body())


def order(order_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "operation": "PutItem",
        "key": {"id": s(order_id)},
        "attributeValues": {"customerId": s("c1"), "createdAt": s(order_id), **extra},
    }


# --- AppSync request objects through boto3 ---------------------------------------------------


def test_single_items(tmp_path: Path) -> None:
    with syncline_dynamodb(tmp_path) as endpoint:
        orders = source(endpoint)

        async def body() -> None:
            put = await orders.invoke(order("o1", total=n("12.50"), tags={"SS": ["a"]}), CTX)
            assert put == {
                "id": "o1",
                "customerId": "c1",
                "createdAt": "o1",
                "total": 12.5,
                "tags": ["a"],
            }
            got = await orders.invoke({"operation": "GetItem", "key": {"id": s("o1")}}, CTX)
            assert got == put
            updated = await orders.invoke(
                {
                    "operation": "UpdateItem",
                    "key": {"id": s("o1")},
                    "update": {
                        "expression": "SET #t = #t + :one",
                        "expressionNames": {"#t": "total"},
                        "expressionValues": {":one": n(1)},
                    },
                },
                CTX,
            )
            assert updated["total"] == 13.5
            deleted = await orders.invoke({"operation": "DeleteItem", "key": {"id": s("o1")}}, CTX)
            assert deleted == updated
            missing = await orders.invoke({"operation": "GetItem", "key": {"id": s("o1")}}, CTX)
            assert missing is None

        run(body)
        orders.connection.close()


def test_a_failed_condition_carries_the_current_item(tmp_path: Path) -> None:
    with syncline_dynamodb(tmp_path) as endpoint:
        orders = source(endpoint)

        async def body() -> ResolverError:
            await orders.invoke(order("o1", b={"B": "AAE="}), CTX)
            with pytest.raises(ResolverError) as raised:
                await orders.invoke(
                    {**order("o1"), "condition": {"expression": "attribute_not_exists(id)"}}, CTX
                )
            return raised.value

        error = run(body)
        assert error.error_type == "DynamoDB:ConditionalCheckFailedException"
        assert error.data == {"id": "o1", "customerId": "c1", "createdAt": "o1", "b": "AAE="}
        orders.connection.close()


def test_pages_with_sealed_tokens(tmp_path: Path) -> None:
    with syncline_dynamodb(tmp_path) as endpoint:
        orders = source(endpoint)

        async def body() -> None:
            for i in range(5):
                await orders.invoke(order(f"o{i}"), CTX)
            query = {
                "operation": "Query",
                "index": "byCustomer",
                "query": {"expression": "customerId = :c", "expressionValues": {":c": s("c1")}},
                "limit": 2,
            }
            seen: list[str] = []
            token = None
            while True:
                page = await orders.invoke({**query, "nextToken": token}, CTX)
                seen.extend(item["id"] for item in page["items"])
                token = page["nextToken"]
                if token is None:
                    break
            assert seen == [f"o{i}" for i in range(5)]
            for forged in (token or "x") + "A", "bm90IGEgdG9rZW4":
                with pytest.raises(ResolverError, match="Invalid nextToken"):
                    await orders.invoke({**query, "nextToken": forged}, CTX)
            other = PageTokens(b"another-secret-of-32-bytes-long!")
            foreign = other.issue("Orders/byCustomer", {"id": s("o1")})
            with pytest.raises(ResolverError, match="Invalid nextToken"):
                await orders.invoke({**query, "nextToken": foreign}, CTX)

        run(body)
        orders.connection.close()


def test_batches_and_transactions(tmp_path: Path) -> None:
    with syncline_dynamodb(tmp_path) as endpoint:
        orders = source(endpoint)

        async def body() -> None:
            put = await orders.invoke(
                {
                    "operation": "BatchPutItem",
                    "tables": {"Orders": [{"id": s("a")}, {"id": s("b"), "v": n(1)}]},
                },
                CTX,
            )
            assert put == {
                "data": {"Orders": [{"id": "a"}, {"id": "b", "v": 1}]},
                "unprocessedItems": {"Orders": []},
            }
            got = await orders.invoke(
                {
                    "operation": "BatchGetItem",
                    "tables": {
                        "Orders": {"keys": [{"id": s("b")}, {"id": s("zz")}, {"id": s("a")}]}
                    },
                },
                CTX,
            )
            assert got == {
                "data": {"Orders": [{"id": "b", "v": 1}, None, {"id": "a"}]},
                "unprocessedKeys": {"Orders": []},
            }
            with pytest.raises(ResolverError) as raised:
                await orders.invoke(
                    {
                        "operation": "TransactWriteItems",
                        "transactItems": [
                            {"table": "Orders", "operation": "PutItem", "key": {"id": s("c")}},
                            {
                                "table": "Orders",
                                "operation": "ConditionCheck",
                                "key": {"id": s("b")},
                                "condition": {"expression": "attribute_not_exists(id)"},
                            },
                        ],
                    },
                    CTX,
                )
            assert raised.value.error_type == "DynamoDB:TransactionCanceledException"
            assert raised.value.result == {
                "keys": None,
                "cancellationReasons": [
                    {"type": "None", "message": None},
                    {
                        "type": "ConditionalCheckFailed",
                        "message": "The conditional request failed.",
                        "item": {"id": "b", "v": 1},
                    },
                ],
            }
            deleted = await orders.invoke(
                {"operation": "BatchDeleteItem", "tables": {"Orders": [{"id": s("a")}]}}, CTX
            )
            assert deleted == {"data": {"Orders": [{"id": "a"}]}, "unprocessedKeys": {"Orders": []}}

        run(body)
        orders.connection.close()


@pytest.mark.parametrize(
    ("request_object", "error_type"),
    [
        pytest.param({"operation": "Nope"}, "MappingTemplate", id="unknown-operation"),
        pytest.param({"operation": "GetItem"}, "MappingTemplate", id="no-key"),
        pytest.param({"operation": "Sync"}, "MappingTemplate", id="sync"),
        pytest.param(
            {"operation": "Query", "query": {"expression": "id = :i"}, "limit": 0},
            "DynamoDB:ValidationException",
            id="limit-0",
        ),
        pytest.param(
            {"operation": "GetItem", "key": {"id": s("a"), "x": s("b")}},
            "DynamoDB:ValidationException",
            id="bad-key-from-dynamodb",
        ),
        pytest.param(
            {"operation": "Scan", "filter": {"expression": "status = :s"}},
            "DynamoDB:ValidationException",
            id="expression-judged-by-dynamodb",
        ),
    ],
)
def test_request_errors(tmp_path: Path, request_object: dict[str, Any], error_type: str) -> None:
    with syncline_dynamodb(tmp_path) as endpoint:
        orders = source(endpoint)

        async def body() -> ResolverError:
            with pytest.raises(ResolverError) as raised:
                await orders.invoke(request_object, CTX)
            return raised.value

        assert run(body).error_type == error_type
        orders.connection.close()


def test_a_missing_table_is_resource_not_found(tmp_path: Path) -> None:
    with syncline_dynamodb(tmp_path) as endpoint:
        missing = source(endpoint, table="NoSuchTable")

        async def body() -> ResolverError:
            with pytest.raises(ResolverError) as raised:
                await missing.invoke({"operation": "GetItem", "key": {"id": s("a")}}, CTX)
            return raised.value

        assert run(body).error_type == "DynamoDB:ResourceNotFoundException"
        missing.connection.close()


# --- failures: refused, hanging, throttled ---------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_endpoint_fails_the_field_quickly() -> None:
    unreachable = source(f"http://127.0.0.1:{_closed_port()}", connect_timeout=1.0)

    async def body() -> ResolverError:
        with pytest.raises(ResolverError) as raised:
            await unreachable.invoke({"operation": "GetItem", "key": {"id": s("a")}}, CTX)
        return raised.value

    started = time.monotonic()
    error = run(body)
    assert time.monotonic() - started < 5
    assert error.error_type == "DynamoDB:EndpointConnectionError"
    unreachable.connection.close()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections and reads requests, never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        server.close()


def test_a_hanging_endpoint_times_out_instead_of_hanging() -> None:
    with silent_server() as endpoint:
        hanging = source(endpoint, read_timeout=0.5, max_attempts=1)

        async def body() -> ResolverError:
            with pytest.raises(ResolverError) as raised:
                await hanging.invoke({"operation": "GetItem", "key": {"id": s("a")}}, CTX)
            return raised.value

        started = time.monotonic()
        error = run(body)
        assert time.monotonic() - started < 5
        assert error.error_type == "DynamoDB:ReadTimeoutError"
        hanging.connection.close()


class Throttling:
    """A DynamoDB stand-in that throttles the first ``refusals`` calls, then answers GetItem."""

    def __init__(self, refusals: int, delay: float = 0.0) -> None:
        self.refusals = refusals
        self.delay = delay
        self.calls = 0
        self.active = 0
        self.most_active = 0
        self.lock = threading.Lock()

    async def handle(self, request: Request) -> Response:
        with self.lock:
            self.calls += 1
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            throttle = self.calls <= self.refusals
        try:
            await asyncio.sleep(self.delay)
            if throttle:
                body = {
                    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "message": "The level of configured provisioned throughput was exceeded",
                }
                return Response(json.dumps(body), 400, media_type="application/x-amz-json-1.0")
            found = {"Item": {"id": {"S": "a"}}}
            return Response(json.dumps(found), 200, media_type="application/x-amz-json-1.0")
        finally:
            with self.lock:
                self.active -= 1


@pytest.mark.parametrize(
    ("attempts", "outcome"),
    [
        pytest.param(3, {"id": "a"}, id="retried-until-it-passes"),
        pytest.param(2, "DynamoDB:ProvisionedThroughputExceededException", id="out-of-attempts"),
    ],
)
def test_throttling_is_retried_with_backoff(attempts: int, outcome: Any) -> None:
    throttling = Throttling(refusals=2)
    app = Starlette(routes=[Route("/", throttling.handle, methods=["POST"])])
    with serving(app) as endpoint:
        throttled = source(endpoint, max_attempts=attempts)

        async def body() -> Any:
            try:
                return await throttled.invoke({"operation": "GetItem", "key": {"id": s("a")}}, CTX)
            except ResolverError as error:
                return error.error_type

        assert run(body) == outcome
        assert throttling.calls == min(attempts, 3)
        throttled.connection.close()


def test_calls_run_off_the_loop_on_a_bounded_pool() -> None:
    slow = Throttling(refusals=0, delay=0.2)
    app = Starlette(routes=[Route("/", slow.handle, methods=["POST"])])
    with serving(app) as endpoint:
        bounded = source(endpoint, max_connections=2)

        async def body() -> tuple[list[Any], int]:
            ticks = 0
            done = False

            async def tick() -> None:
                nonlocal ticks
                while not done:
                    ticks += 1
                    await asyncio.sleep(0.01)

            ticker = asyncio.create_task(tick())
            results = await asyncio.gather(
                *(
                    bounded.invoke({"operation": "GetItem", "key": {"id": s("a")}}, CTX)
                    for _ in range(6)
                )
            )
            done = True
            await ticker
            return results, ticks

        started = time.monotonic()
        results, ticks = run(body)
        elapsed = time.monotonic() - started
        assert results == [{"id": "a"}] * 6
        assert slow.most_active == 2  # the pool bounds the calls in flight
        assert elapsed >= 0.55  # 6 calls of 0.2 s, two at a time
        assert ticks >= elapsed / 0.01 / 3  # the loop kept turning meanwhile
        bounded.connection.close()


# --- configuration -----------------------------------------------------------------------------


def runtime_for(tmp_path: Path) -> Runtime:
    class Api:
        def __init__(self) -> None:
            self.tables: dict[str, Any] = {}
            self.functions: dict[str, Any] = {}

    return Runtime(Api(), tmp_path, AsyncExitStack())  # type: ignore[arg-type]


def test_the_endpoint_comes_from_the_environment_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``endpoint`` in the config: botocore reads ``AWS_ENDPOINT_URL_DYNAMODB``."""
    with syncline_dynamodb(tmp_path / "store") as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        runtime = runtime_for(tmp_path)
        config = {"tableName": "Orders", "store": "aws", "region": "eu-west-1"}
        data_source = create_dynamodb_data_source(
            DataSource("orders", DataSourceKind.AMAZON_DYNAMODB, config, None, LOCATION), runtime
        )
        assert isinstance(data_source, AwsDynamoDBDataSource)

        async def body() -> Any:
            await data_source.invoke(order("o1"), CTX)
            result = await data_source.invoke({"operation": "GetItem", "key": {"id": s("o1")}}, CTX)
            await runtime.exit_stack.aclose()
            return result

        assert run(body)["id"] == "o1"


def test_data_sources_with_the_same_settings_share_a_client(tmp_path: Path) -> None:
    runtime = runtime_for(tmp_path)
    config = {"store": "aws", "region": "us-east-1", "endpoint": "http://127.0.0.1:9"}
    first, second, third = (
        create_dynamodb_data_source(
            DataSource(name, DataSourceKind.AMAZON_DYNAMODB, {**config, **extra}, None, LOCATION),
            runtime,
        )
        for name, extra in (
            ("a", {"tableName": "A"}),
            ("b", {"tableName": "B"}),
            ("c", {"tableName": "C", "maxConnections": 3}),
        )
    )
    assert isinstance(first, AwsDynamoDBDataSource)
    assert isinstance(second, AwsDynamoDBDataSource)
    assert isinstance(third, AwsDynamoDBDataSource)
    assert first.connection is second.connection
    assert third.connection is not first.connection
    asyncio.run(runtime.exit_stack.aclose())


def test_no_region_is_a_definition_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    config = {"tableName": "Orders", "store": "aws"}
    with pytest.raises(DefinitionError, match="region"):
        create_dynamodb_data_source(
            DataSource("orders", DataSourceKind.AMAZON_DYNAMODB, config, None, LOCATION),
            runtime_for(tmp_path),
        )


def aws_api(root: Path, extra: str) -> Path:
    """An API with one DynamoDB data source whose config ends with ``extra`` (YAML lines)."""
    lines = "".join(f"\n      {line}" for line in extra.splitlines())
    config = f"""
dataSources:
  orders:
    type: AMAZON_DYNAMODB
    config:
      tableName: Orders{lines}
"""
    return write_api(root, "type Query { a: String }", config)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param("store: cloud", "store", id="unknown-store"),
        pytest.param(
            "endpoint: http://127.0.0.1:1", "'endpoint' needs 'store: aws'", id="endpoint-embedded"
        ),
        pytest.param(
            "maxConnections: 4", "'maxConnections' needs 'store: aws'", id="pool-embedded"
        ),
        pytest.param("store: aws\nmaxConnections: 0", "maxConnections", id="pool-zero"),
        pytest.param("store: aws\nretryMode: eager", "retryMode", id="retry-mode"),
        pytest.param("store: aws\nreadTimeout: -1", "readTimeout", id="negative-timeout"),
        pytest.param("store: aws\nnextTokenSecret: short", "16 characters", id="short-secret"),
        pytest.param("store: aws\nendpoint: ftp://x", "http:// or https://", id="bad-url"),
    ],
)
def test_config_errors_name_file_and_line(tmp_path: Path, config: str, message: str) -> None:
    with pytest.raises(InvalidDefinition) as raised:
        load_definition(aws_api(tmp_path, config))
    errors = [str(e) for e in raised.value.errors]
    last_line = len((tmp_path / "syncline.yml").read_text().splitlines())
    assert any(message in e and f"syncline.yml:{last_line}" in e for e in errors), errors


def test_a_valid_aws_config(tmp_path: Path) -> None:
    config = (
        "store: aws\nregion: eu-west-1\nendpoint: http://127.0.0.1:8000/dynamodb\n"
        "maxConnections: 20\nmaxAttempts: 5\nretryMode: adaptive\nconnectTimeout: 0.5\n"
        "readTimeout: 3\nnextTokenSecret: a-secret-of-enough-length"
    )
    definition = load_definition(aws_api(tmp_path, config))
    settings = AwsSettings.from_config(definition.data_sources["orders"].config)
    assert settings == AwsSettings(
        region="eu-west-1",
        endpoint="http://127.0.0.1:8000/dynamodb",
        max_connections=20,
        max_attempts=5,
        retry_mode="adaptive",
        connect_timeout=0.5,
        read_timeout=3.0,
    )
