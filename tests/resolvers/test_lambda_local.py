"""AWS_LAMBDA data sources on local handlers: direct resolvers, errors, timeouts, events."""

from __future__ import annotations

import pytest

from tests.apis import client_for, gql, write_api

SCHEMA = """
type Query {
  direct(id: ID!, tags: [String]): AWSJSON
  failing: String
  slow: String
  fire: String
}
"""

CONFIG = """
dataSources:
  echo:
    type: AWS_LAMBDA
    config:
      functionName: echo
  fails:
    type: AWS_LAMBDA
    config:
      functionName: fails
  slow:
    type: AWS_LAMBDA
    config:
      functionName: slow
resolvers:
  Query.direct:
    kind: UNIT
    dataSource: echo
  Query.failing:
    kind: UNIT
    dataSource: fails
  Query.slow:
    kind: UNIT
    dataSource: slow
  Query.fire:
    kind: UNIT
    dataSource: fails
    code: fire.py
"""

FUNCTIONS = """
functions:
  echo:
    handler: lambdas/handlers.echo
  fails:
    handler: lambdas/handlers.fails
  slow:
    handler: lambdas/handlers.slow
    timeout: 1
"""

FILES = {
    "lambdas/handlers.py": """
        import json
        import time

        class CardDeclined(Exception):
            pass

        def echo(event, context):
            return json.dumps({
                "event": event,
                "function_name": context.function_name,
                "arn": context.invoked_function_arn,
                "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 6000,
                "request_id": bool(context.aws_request_id),
            })

        def fails(event, context):
            raise CardDeclined("insufficient funds")

        def slow(event, context):
            time.sleep(2)
            return "late"
    """,
    "fire.py": """
        def request(ctx):
            return {"operation": "Invoke", "invocationType": "Event", "payload": {}}

        def response(ctx):
            return "accepted" if ctx.result is None else "unexpected"
    """,
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    root = write_api(tmp_path_factory.mktemp("api") / "api", SCHEMA, CONFIG, FILES, FUNCTIONS)
    with client_for(root) as client:
        yield client


def test_direct_lambda_resolver_receives_appsync_context_event(client):
    import json

    body = gql(client, 'query Q($t: [String]) { direct(id: "7", tags: $t) }', {"t": ["a"]})
    result = json.loads(body["data"]["direct"])
    event = result["event"]
    assert event["arguments"] == {"id": "7", "tags": ["a"]}
    assert event["identity"] is None
    assert event["source"] is None
    assert event["stash"] == {}
    assert event["prev"] is None
    assert event["request"]["headers"]["x-api-key"] == "da2-test-key"
    assert event["info"] == {
        "fieldName": "direct",
        "parentTypeName": "Query",
        "variables": {"t": ["a"]},
        "selectionSetList": [],
        "selectionSetGraphQL": "",
    }
    assert result["function_name"] == "echo"
    assert result["arn"].endswith(":function:echo")
    assert result["remaining_ok"] is True
    assert result["request_id"] is True


def test_handler_exception_becomes_the_field_error(client):
    body = gql(client, "{ failing }")
    assert body["data"] == {"failing": None}
    [error] = body["errors"]
    assert error["errorType"] == "CardDeclined"
    assert error["message"] == "insufficient funds"


def test_handler_past_its_timeout_fails_the_caller(client):
    body = gql(client, "{ slow }")
    assert body["data"] == {"slow": None}
    assert body["errors"][0]["errorType"] == "Sandbox.Timedout"


def test_event_invocation_returns_at_once(client):
    assert gql(client, "{ fire }")["data"] == {"fire": "accepted"}
