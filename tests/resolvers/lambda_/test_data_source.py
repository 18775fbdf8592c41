"""The AWS_LAMBDA data source through GraphQL: the direct resolver event against AppSync's,
payload limits, request validation and Event invocations.

``events/appsync_direct_resolver.json`` is AppSync's direct Lambda resolver event for
``mutation { createSomething(id: "my identifier") { id field1 field2 } }`` with an API key, in
the shape AppSync sends (AppSync developer guide, "Direct Lambda resolvers"; the same shape as
the events AWS Lambda Powertools records in ``tests/events/appSyncDirectResolver.json``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.apis import client_for, gql, write_api

EVENTS = Path(__file__).parent / "events"

SCHEMA = """
type Query {
  big(kind: String!): String
  huge: String
  fire(seconds: Float!): String
  fireAndFail: String
  bad(request: AWSJSON!): String
  crash(how: String!): String
}
type Mutation {
  createSomething(id: ID!): Thing
}
type Thing {
  id: ID!
  field1: String
  field2: String
}
"""

CONFIG = """
dataSources:
  recorder: {type: AWS_LAMBDA, config: {functionName: recorder}}
  huge: {type: AWS_LAMBDA, config: {functionName: huge}}
  sleeper: {type: AWS_LAMBDA, config: {functionName: sleeper}}
  fails: {type: AWS_LAMBDA, config: {functionName: fails}}
  crash: {type: AWS_LAMBDA, config: {functionName: crash}}
resolvers:
  Mutation.createSomething: {kind: UNIT, dataSource: recorder}
  Query.big: {kind: UNIT, dataSource: recorder, code: big.py}
  Query.huge: {kind: UNIT, dataSource: huge}
  Query.fire: {kind: UNIT, dataSource: sleeper, code: fire.py}
  Query.fireAndFail: {kind: UNIT, dataSource: fails, code: fire.py}
  Query.bad: {kind: UNIT, dataSource: recorder, code: bad.py}
  Query.crash: {kind: UNIT, dataSource: crash}
"""

FILES = {
    "lambdas/handlers.py": """
        import json
        import os
        import time

        def recorder(event, context):
            with open(os.environ["EVENT_FILE"], "w") as file:
                json.dump(event, file)
            return {"id": event["arguments"].get("id", "?"), "field1": "one", "field2": "two"}

        def huge(event, context):
            return "x" * (6 * 1024 * 1024 + 1)

        def sleeper(event, context):
            time.sleep(event["seconds"])

        def fails(event, context):
            raise KeyError("cardToken")

        def crash(event, context):
            import ctypes
            if event["arguments"]["how"] == "exit":
                os._exit(1)
            if event["arguments"]["how"] == "segfault":
                ctypes.string_at(0)
            return "fine"
    """,
    "big.py": """
        SIZES = {"sync": 6 * 1024 * 1024, "event": 1024 * 1024}

        def request(ctx):
            kind = ctx.args["kind"]
            invocation = "Event" if kind == "event" else "RequestResponse"
            return {"operation": "Invoke", "invocationType": invocation,
                    "payload": {"blob": "x" * SIZES[kind]}}

        def response(ctx):
            if ctx.error:
                from syncline import util
                util.error(ctx.error.message, ctx.error.type)
            return "ok"
    """,
    "fire.py": """
        def request(ctx):
            return {"operation": "Invoke", "invocationType": "Event",
                    "payload": {"seconds": ctx.args.get("seconds", 0)}}

        def response(ctx):
            return "accepted" if ctx.result is None and ctx.error is None else "unexpected"
    """,
    "bad.py": """
        def request(ctx):
            return ctx.args["request"]

        def response(ctx):
            from syncline import util
            util.error(ctx.error.message, ctx.error.type)
    """,
}


def functions_block(event_file: Path) -> str:
    return f"""
functions:
  recorder:
    handler: lambdas/handlers.recorder
    environment:
      EVENT_FILE: {event_file}
  huge:
    handler: lambdas/handlers.huge
  sleeper:
    handler: lambdas/handlers.sleeper
  fails:
    handler: lambdas/handlers.fails
  crash:
    handler: lambdas/handlers.crash
    reservedConcurrency: 1
"""


@pytest.fixture(scope="module")
def event_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("events") / "event.json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory, event_file: Path) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("api") / "api"
    write_api(root, SCHEMA, CONFIG, FILES, functions_block(event_file))
    with client_for(root) as client:
        yield client


def test_direct_resolver_event_matches_appsync(client, event_file):
    recorded = json.loads((EVENTS / "appsync_direct_resolver.json").read_text())
    body = gql(client, 'mutation { createSomething(id: "my identifier") { id field1 field2 } }')
    assert body["data"] == {
        "createSomething": {"id": "my identifier", "field1": "one", "field2": "two"}
    }
    event = json.loads(event_file.read_text())
    assert set(event) == set(recorded)
    for key in ("arguments", "identity", "source", "prev", "stash", "info"):
        assert event[key] == recorded[key], key
    assert set(event["request"]) == set(recorded["request"])
    assert event["request"]["domainName"] in (None, "testserver")  # the Host, behind a domain
    headers = event["request"]["headers"]
    assert all(name == name.lower() and isinstance(value, str) for name, value in headers.items())
    assert headers["x-api-key"] == "da2-test-key"


@pytest.mark.parametrize(
    ("kind", "limit"),
    [
        pytest.param("sync", 6 * 1024 * 1024, id="request-response-6mb"),
        pytest.param("event", 1024 * 1024, id="event-1mb"),
    ],
)
def test_request_payload_over_the_limit_is_refused(client, kind, limit):
    body = gql(client, f'{{ big(kind: "{kind}") }}')
    [error] = body["errors"]
    assert error["errorType"] == "Lambda:RequestTooLargeException"
    assert f"Request must be smaller than {limit} bytes" in error["message"]


def test_response_over_6mb_is_an_error(client):
    body = gql(client, "{ huge }")
    assert body["data"] == {"huge": None}
    [error] = body["errors"]
    assert error["errorType"] == "Function.ResponseSizeTooLarge"
    assert "6291456 bytes" in error["message"]


def test_event_invocation_does_not_wait_for_the_function(client):
    started = time.monotonic()
    assert gql(client, "{ fire(seconds: 2) }")["data"] == {"fire": "accepted"}
    assert time.monotonic() - started < 1.0


def test_event_failures_are_logged(client, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.ERROR, logger="syncline.lambda"):
        assert gql(client, "{ fireAndFail }")["data"] == {"fireAndFail": "accepted"}
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.02)
    [record] = caplog.records
    assert "of fails failed: KeyError: 'cardToken'" in record.getMessage()


@pytest.mark.parametrize(
    ("request_object", "message"),
    [
        pytest.param({"operation": "Scan"}, "is not Invoke or BatchInvoke", id="operation"),
        pytest.param(
            {"operation": "Invoke", "invocationType": "DryRun"},
            "is not RequestResponse or Event",
            id="invocation-type",
        ),
        pytest.param(["Invoke"], "must be an object", id="not-an-object"),
    ],
)
def test_malformed_requests_are_mapping_template_errors(client, request_object, message):
    variables: dict[str, Any] = {"r": json.dumps(request_object)}
    body = gql(client, "query($r: AWSJSON!) { bad(request: $r) }", variables)
    [error] = body["errors"]
    assert error["errorType"] == "MappingTemplate"
    assert message in error["message"]


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        pytest.param("exit", "exit status 1", id="os-exit"),
        pytest.param("segfault", "signal: segmentation fault", id="segfault"),
    ],
)
def test_a_crashing_handler_fails_its_field_and_the_server_carries_on(client, how, reason):
    body = gql(client, f'{{ crash(how: "{how}") }}')
    assert body["data"] == {"crash": None}
    [error] = body["errors"]
    assert error["errorType"] == "Runtime.ExitError"
    assert reason in error["message"]
    assert gql(client, '{ crash(how: "no") }')["data"] == {"crash": "fine"}
    assert client.get("/health").status_code == 200
