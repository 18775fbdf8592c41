"""BatchInvoke through a real server: sibling resolutions of one field in one request are batched
up to maxBatchSize, never across requests; answers map back per item.

Each handler appends one line per invocation to a log file, so the tests count invocations as
the function saw them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from resolvers.context import Batching, Info, RequestState, ResolverContext
from resolvers.lambda_.data_source import LambdaDataSource
from resolvers.lambda_.local import WorkerPool
from schema.model import LocalFunction, Location
from tests.apis import HEADERS, write_api
from tests.serve import serving
from web.app import create_app

MAX = 3

SCHEMA = """
type Query {
  items(n: Int!, tag: String): [Item!]!
}
type Item {
  id: Int!
  tag: String
  detail: Detail
  viaCode: Detail
  viaPipeline: Detail
  flaky: Detail
  short: Detail
}
type Detail {
  id: Int!
  batchSize: Int!
  tags: [String]
}
"""

CONFIG = f"""
dataSources:
  local: {{type: NONE}}
  detail: {{type: AWS_LAMBDA, config: {{functionName: detail}}}}
  payloads: {{type: AWS_LAMBDA, config: {{functionName: payloads}}}}
  flaky: {{type: AWS_LAMBDA, config: {{functionName: flaky}}}}
  short: {{type: AWS_LAMBDA, config: {{functionName: short}}}}
resolvers:
  Query.items: {{kind: UNIT, dataSource: local, code: items.py}}
  Item.detail: {{kind: UNIT, dataSource: detail, maxBatchSize: {MAX}}}
  Item.viaCode: {{kind: UNIT, dataSource: payloads, code: batched.py, maxBatchSize: {MAX}}}
  Item.viaPipeline: {{kind: PIPELINE, functions: [batchedFunction]}}
  Item.flaky: {{kind: UNIT, dataSource: flaky, maxBatchSize: 10}}
  Item.short: {{kind: UNIT, dataSource: short, maxBatchSize: 10}}
pipelineFunctions:
  batchedFunction: {{dataSource: payloads, code: batched.py, maxBatchSize: 2}}
"""

HANDLERS = """
    import json
    import os

    def _log(events, tags):
        with open(os.environ["LOG"], "a") as log:
            log.write(json.dumps({"size": len(events), "tags": sorted(set(tags))}) + "\\n")

    def detail(events, context):
        _log(events, [event["source"]["tag"] for event in events])
        assert all(event["info"]["fieldName"] == "detail" for event in events)
        return [
            {"id": event["source"]["id"], "batchSize": len(events), "tags": [event["source"]["tag"]]}
            for event in events
        ]

    def payloads(events, context):
        _log(events, [event["tag"] for event in events])
        return [{"id": event["id"], "batchSize": len(events)} for event in events]

    def flaky(events, context):
        return [
            {"errorMessage": f"odd id {e['source']['id']}", "errorType": "OddError",
             "data": {"id": e["source"]["id"]}}
            if e["source"]["id"] % 2 else {"id": e["source"]["id"], "batchSize": len(events)}
            for e in events
        ]

    def short(events, context):
        return [{"id": 0, "batchSize": 0}] * (len(events) - 1)
"""

FILES = {
    "lambdas/batch.py": HANDLERS,
    "items.py": """
        def request(ctx):
            return {"payload": [{"id": i, "tag": ctx.args.get("tag")} for i in range(ctx.args["n"])]}

        def response(ctx):
            return ctx.result
    """,
    "batched.py": """
        from syncline import util

        def request(ctx):
            return {"operation": "BatchInvoke", "payload": {"id": ctx.source["id"], "tag": ctx.source["tag"]}}

        def response(ctx):
            if ctx.error:
                util.error(ctx.error.message, ctx.error.type, ctx.error.data)
            return ctx.result
    """,
}


def functions_block(logs: Path) -> str:
    lines = ["functions:"]
    for name in ("detail", "payloads", "flaky", "short"):
        lines += [
            f"  {name}:",
            f"    handler: lambdas/batch.{name}",
            "    environment:",
            f"      LOG: {logs / name}.log",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, logs: Path) -> Path:
    return write_api(
        tmp_path_factory.mktemp("api") / "api", SCHEMA, CONFIG, FILES, functions_block(logs)
    )


@pytest.fixture(scope="module")
def base(root: Path) -> Iterator[str]:
    with serving(create_app(root)) as url:
        yield url


def batches(logs: Path, name: str) -> list[dict[str, Any]]:
    """The invocations ``name`` logged since the last call (and forget them)."""
    path = logs / f"{name}.log"
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    path.write_text("")
    return [json.loads(line) for line in lines]


def query(base: str, text: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/graphql", json={"query": text}, headers=HEADERS, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("siblings", "sizes"),
    [
        pytest.param(1, [1], id="one"),
        pytest.param(MAX, [MAX], id="maxBatchSize"),
        pytest.param(MAX + 1, [MAX, 1], id="maxBatchSize+1"),
        pytest.param(10, [3, 3, 3, 1], id="ten"),
    ],
)
def test_direct_resolver_batches_siblings_up_to_max_batch_size(base, logs, siblings, sizes):
    batches(logs, "detail")
    body = query(base, f'{{ items(n: {siblings}, tag: "t") {{ id detail {{ id batchSize }} }} }}')
    assert "errors" not in body, body
    items = body["data"]["items"]
    assert [item["detail"]["id"] for item in items] == list(range(siblings))  # aligned
    assert sorted(b["size"] for b in batches(logs, "detail")) == sorted(sizes)


def test_code_resolver_batches_request_payloads(base, logs):
    batches(logs, "payloads")
    body = query(base, '{ items(n: 4, tag: "c") { id viaCode { id batchSize } } }')
    assert "errors" not in body, body
    assert [i["viaCode"] for i in body["data"]["items"]] == [
        {"id": 0, "batchSize": 3},
        {"id": 1, "batchSize": 3},
        {"id": 2, "batchSize": 3},
        {"id": 3, "batchSize": 1},
    ]
    assert sorted(b["size"] for b in batches(logs, "payloads")) == [1, 3]


def test_pipeline_function_batches_with_its_own_max_batch_size(base, logs):
    batches(logs, "payloads")
    body = query(base, '{ items(n: 5, tag: "p") { viaPipeline { id batchSize } } }')
    assert "errors" not in body, body
    assert [i["viaPipeline"]["id"] for i in body["data"]["items"]] == [0, 1, 2, 3, 4]
    assert sorted(b["size"] for b in batches(logs, "payloads")) == [1, 2, 2]


def test_two_fields_batch_separately(base, logs):
    batches(logs, "detail"), batches(logs, "payloads")
    body = query(base, '{ items(n: 2, tag: "x") { detail { id } viaCode { id } } }')
    assert "errors" not in body, body
    assert [b["size"] for b in batches(logs, "detail")] == [2]
    assert [b["size"] for b in batches(logs, "payloads")] == [2]


def test_batches_never_mix_concurrent_requests(base, logs):
    batches(logs, "detail")

    async def concurrently() -> list[Any]:
        async with httpx.AsyncClient(base_url=base, headers=HEADERS, timeout=30) as client:
            calls = [
                client.post(
                    "/graphql",
                    json={"query": f'{{ items(n: 2, tag: "r{i}") {{ detail {{ tags }} }} }}'},
                )
                for i in range(6)
            ]
            return list(await asyncio.gather(*calls))

    for response in asyncio.run(concurrently()):
        assert "errors" not in response.json()
    logged = batches(logs, "detail")
    assert len(logged) == 6
    assert all(len(batch["tags"]) == 1 and batch["size"] == 2 for batch in logged)


def test_item_errors_fail_only_their_own_fields(base):
    body = query(base, "{ items(n: 4) { id flaky { id } } }")
    assert [item["flaky"] for item in body["data"]["items"]] == [{"id": 0}, None, {"id": 2}, None]
    errors = sorted(body["errors"], key=lambda error: error["path"])
    assert [error["path"] for error in errors] == [["items", 1, "flaky"], ["items", 3, "flaky"]]
    assert [error["errorType"] for error in errors] == ["OddError", "OddError"]
    assert [error["message"] for error in errors] == ["odd id 1", "odd id 3"]
    assert [error["data"] for error in errors] == [{"id": 1}, {"id": 3}]


def test_answer_of_the_wrong_length_fails_every_field_of_the_batch(base):
    body = query(base, "{ items(n: 3) { id short { id } } }")
    assert [item["short"] for item in body["data"]["items"]] == [None, None, None]
    assert len(body["errors"]) == 3
    assert {error["errorType"] for error in body["errors"]} == {"Lambda:InvalidBatchResponse"}
    assert "answered 2 items for 3 requests" in body["errors"][0]["message"]


class FieldInfo(Info):
    """``ctx.info`` of ``Item.detail``, without a GraphQL execution around it."""

    def __init__(self) -> None:
        pass

    @property
    def field_name(self) -> str:
        return "detail"

    @property
    def parent_type_name(self) -> str:
        return "Item"


def test_loaders_belong_to_one_request_state(root, logs):
    """Deterministic: siblings of two requests in the same loop turn go out separately."""
    batches(logs, "payloads")
    function = LocalFunction(
        "payloads", "lambdas/batch.payloads", 5, 128, {"LOG": str(logs / "payloads.log")},
        Location(root / "syncline.yml", 1),
    )  # fmt: skip
    pool = WorkerPool(function, root, size=2)
    source = LambdaDataSource("payloads", pool)
    owner = object()
    states = [RequestState(request=None), RequestState(request=None)]  # type: ignore[arg-type]

    async def resolve_all() -> list[Any]:
        calls = []
        for number, state in enumerate(states):
            for sibling in range(2):
                ctx = ResolverContext({}, None, FieldInfo(), state)
                ctx.batching = Batching(owner, 5)
                payload = {"id": sibling, "tag": f"request-{number}"}
                calls.append(source.invoke({"operation": "BatchInvoke", "payload": payload}, ctx))
        return list(await asyncio.gather(*calls))

    try:
        results = asyncio.run(resolve_all())
    finally:
        pool.close()
    assert [result["batchSize"] for result in results] == [2, 2, 2, 2]
    logged = batches(logs, "payloads")
    assert sorted(batch["tags"][0] for batch in logged) == ["request-0", "request-1"]
    assert all(batch["size"] == 2 and len(batch["tags"]) == 1 for batch in logged)
