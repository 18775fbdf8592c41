"""The ``aws`` runtime: boto3 ``lambda.invoke`` against a real HTTP Invoke endpoint.

AWS Lambda cannot run here, so the deployed side is a second Syncline server whose local
functions answer the Invoke API (``resolvers.lambda_.endpoint``); the API under test declares
the same functions with ``runtime: aws`` and reaches them over HTTP, as it would reach AWS.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.apis import client_for, gql, write_api
from tests.serve import free_port, serving
from web.app import create_app

HANDLERS = """
    import time

    class CardDeclined(Exception):
        pass

    def echo(event, context):
        return {"arguments": event["arguments"], "function": context.function_name}

    def fails(event, context):
        raise CardDeclined("insufficient funds")

    def hangs(event, context):
        time.sleep(10)

    def batch(events, context):
        return [{"arguments": e["arguments"], "function": len(events)} for e in events]

    def sleepy(event, context):
        time.sleep(2)
"""

DEPLOYED = """
functions:
  echo: {handler: lambdas/handlers.echo}
  fails: {handler: lambdas/handlers.fails}
  hangs: {handler: lambdas/handlers.hangs, timeout: 1}
  batch: {handler: lambdas/handlers.batch}
  sleepy: {handler: lambdas/handlers.sleepy}
"""

SCHEMA = """
type Query {
  echo(n: Int): Result
  fails: Result
  hangs: Result
  missing: Result
  unreachable: Result
  byArn(n: Int): Result
  items: [Item!]!
  fire: String
}
type Item { n: Int!  result: Result }
type Result { arguments: AWSJSON  function: String }
"""

CONFIG = """
dataSources:
  local: {type: NONE}
  echo: {type: AWS_LAMBDA, config: {functionName: echo}}
  fails: {type: AWS_LAMBDA, config: {functionName: fails}}
  hangs: {type: AWS_LAMBDA, config: {functionName: hangs}}
  missing: {type: AWS_LAMBDA, config: {functionName: missing}}
  unreachable: {type: AWS_LAMBDA, config: {functionName: unreachable}}
  batch: {type: AWS_LAMBDA, config: {functionName: batch}}
  sleepy: {type: AWS_LAMBDA, config: {functionName: sleepy}}
  byArn:
    type: AWS_LAMBDA
    config:
      functionArn: arn:aws:lambda:us-east-1:000000000000:function:echo
resolvers:
  Query.echo: {kind: UNIT, dataSource: echo}
  Query.fails: {kind: UNIT, dataSource: fails}
  Query.hangs: {kind: UNIT, dataSource: hangs}
  Query.missing: {kind: UNIT, dataSource: missing}
  Query.unreachable: {kind: UNIT, dataSource: unreachable}
  Query.byArn: {kind: UNIT, dataSource: byArn}
  Query.items: {kind: UNIT, dataSource: local, code: items.py}
  Item.result: {kind: UNIT, dataSource: batch, maxBatchSize: 2}
  Query.fire: {kind: UNIT, dataSource: sleepy, code: fire.py}
"""

FILES = {
    "items.py": """
        def request(ctx):
            return {"payload": [{"n": n} for n in range(3)]}

        def response(ctx):
            return ctx.result
    """,
    "fire.py": """
        def request(ctx):
            return {"operation": "Invoke", "invocationType": "Event", "payload": {}}

        def response(ctx):
            return "accepted" if ctx.error is None else ctx.error.type
    """,
}


def caller_functions(base: str, closed: int) -> str:
    credentials = "region: us-east-1, accessKeyId: AKIDLOCAL, secretAccessKey: local-secret"
    lines = ["functions:"]
    for name, endpoint, remote, timeout in [
        ("echo", base, "echo", 6),
        ("fails", base, "fails", 6),
        ("hangs", base, "hangs", 3),
        ("missing", base, "no-such-function", 6),
        ("unreachable", f"http://127.0.0.1:{closed}", "echo", 6),
        ("batch", base, "arn:aws:lambda:us-east-1:000000000000:function:batch", 6),
        ("sleepy", base, "sleepy", 6),
    ]:
        lines += [
            f"  {name}:",
            "    runtime: aws",
            f"    timeout: {timeout}",
            f"    aws: {{functionName: '{remote}', endpointUrl: '{endpoint}', {credentials}}}",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    deployed = write_api(
        tmp_path_factory.mktemp("deployed") / "api",
        "type Query { ok: String }",
        "",
        {"lambdas/handlers.py": HANDLERS},
        DEPLOYED,
    )
    with serving(create_app(deployed)) as base, pytest.MonkeyPatch.context() as env:
        # The ARN-only data source uses the standard chain: endpoint and keys from the environment.
        env.setenv("AWS_ENDPOINT_URL_LAMBDA", base)
        env.setenv("AWS_ACCESS_KEY_ID", "AKIDLOCAL")
        env.setenv("AWS_SECRET_ACCESS_KEY", "local-secret")
        root = write_api(
            tmp_path_factory.mktemp("caller") / "api",
            SCHEMA,
            CONFIG,
            FILES,
            caller_functions(base, free_port()),
        )
        with client_for(root) as client:
            yield client


def test_direct_resolver_through_boto3(client):
    body = gql(client, "{ echo(n: 1) { arguments function } }")
    assert body == {"data": {"echo": {"arguments": '{"n":1}', "function": "echo"}}}


def test_function_known_only_by_arn(client):
    body = gql(client, "{ byArn(n: 2) { arguments function } }")
    assert body["data"]["byArn"] == {"arguments": '{"n":2}', "function": "echo"}


def test_function_error_keeps_its_error_type(client):
    [error] = gql(client, "{ fails { function } }")["errors"]
    assert (error["errorType"], error["message"]) == ("CardDeclined", "insufficient funds")


def test_remote_timeout(client):
    started = time.monotonic()
    [error] = gql(client, "{ hangs { function } }")["errors"]
    assert error["errorType"] == "Sandbox.Timedout"
    assert time.monotonic() - started < 5


def test_unknown_function(client):
    [error] = gql(client, "{ missing { function } }")["errors"]
    assert error["errorType"] == "Lambda:ResourceNotFoundException"
    assert "no-such-function" in error["message"]


def test_unreachable_endpoint(client):
    [error] = gql(client, "{ unreachable { function } }")["errors"]
    assert error["errorType"] == "Lambda:EndpointConnectionError"


def test_batch_invoke_through_boto3(client):
    body = gql(client, "{ items { n result { function } } }")
    assert "errors" not in body, body
    assert [item["result"]["function"] for item in body["data"]["items"]] == ["2", "2", "1"]


def test_event_through_boto3_returns_at_once(client):
    started = time.monotonic()
    assert gql(client, "{ fire }")["data"] == {"fire": "accepted"}
    assert time.monotonic() - started < 1.5
