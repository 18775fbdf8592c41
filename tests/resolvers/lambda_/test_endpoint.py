"""The Lambda Invoke endpoint through boto3, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.apis import write_api
from tests.serve import serving
from web.app import create_app

FUNCTIONS = """
functions:
  echo:
    handler: lambdas/handlers.echo
  fails:
    handler: lambdas/handlers.fails
  sleepy:
    handler: lambdas/handlers.sleepy
  deployed:
    runtime: aws
    aws: {region: us-east-1}
"""

HANDLERS = """
    import time

    class CardDeclined(Exception):
        pass

    def echo(event, context):
        return {"event": event, "function": context.function_name}

    def fails(event, context):
        raise CardDeclined("insufficient funds")

    def sleepy(event, context):
        time.sleep(2)
"""


@pytest.fixture(scope="module")
def lambda_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    root = write_api(
        tmp_path_factory.mktemp("api") / "api",
        "type Query { ok: String }",
        "",
        {"lambdas/handlers.py": HANDLERS},
        FUNCTIONS,
    )
    with serving(create_app(root)) as base:
        yield boto3.client(
            "lambda",
            endpoint_url=base,
            region_name="us-east-1",
            aws_access_key_id="AKIDLOCAL",
            aws_secret_access_key="local-secret",
            config=Config(retries={"total_max_attempts": 1}, read_timeout=10),
        )


def payload_of(response: Any) -> Any:
    return json.loads(response["Payload"].read())


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("echo", id="name"),
        pytest.param("arn:aws:lambda:us-east-1:000000000000:function:echo", id="arn"),
        pytest.param("000000000000:function:echo", id="partial-arn"),
        pytest.param("echo:$LATEST", id="qualified"),
    ],
)
def test_request_response(lambda_client, name):
    response = lambda_client.invoke(FunctionName=name, Payload=b'{"n": 1}')
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert payload_of(response) == {"event": {"n": 1}, "function": "echo"}


def test_function_error(lambda_client):
    response = lambda_client.invoke(FunctionName="fails", Payload=b"{}")
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    error = payload_of(response)
    assert (error["errorType"], error["errorMessage"]) == ("CardDeclined", "insufficient funds")


def test_event_is_accepted_at_once(lambda_client):
    started = time.monotonic()
    response = lambda_client.invoke(FunctionName="sleepy", InvocationType="Event", Payload=b"{}")
    assert response["StatusCode"] == 202
    assert time.monotonic() - started < 1.0


def test_dry_run(lambda_client):
    assert lambda_client.invoke(FunctionName="echo", InvocationType="DryRun")["StatusCode"] == 204


def test_empty_payload_is_an_empty_event(lambda_client):
    assert payload_of(lambda_client.invoke(FunctionName="echo"))["event"] == {}


@pytest.mark.parametrize(
    ("arguments", "status", "code", "fragment"),
    [
        pytest.param({"FunctionName": "nosuch"}, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nosuch", id="unknown"),
        pytest.param({"FunctionName": "echo", "Qualifier": "prod"}, 404, "ResourceNotFoundException", "Function not found", id="unknown-qualifier"),
        pytest.param({"FunctionName": "deployed"}, 404, "ResourceNotFoundException", "Function not found", id="aws-runtime-not-served"),
        pytest.param({"FunctionName": "echo", "Payload": b"{not json"}, 400, "InvalidRequestContentException", "Could not parse request body into json", id="not-json"),
        pytest.param({"FunctionName": "echo", "Payload": b'"' + b"x" * (6 * 1024 * 1024) + b'"'}, 413, "RequestTooLargeException", "6291456 bytes", id="over-6mb"),
        pytest.param({"FunctionName": "echo", "InvocationType": "Event", "Payload": b'"' + b"x" * (1024 * 1024) + b'"'}, 413, "RequestTooLargeException", "1048576 bytes", id="event-over-1mb"),
    ],
)  # fmt: skip
def test_refusals_are_lambda_errors(lambda_client, arguments, status, code, fragment):
    with pytest.raises(ClientError) as raised:
        lambda_client.invoke(**arguments)
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == status
    assert error["Error"]["Code"] == code
    assert fragment in error["Error"]["Message"]


def test_the_example_payments_function(tmp_path: Path):
    """The example's processPayment over the Invoke API, as another Lambda would call it."""
    example = Path(__file__).resolve().parents[3] / "examples" / "orders"
    with serving(create_app(example, tmp_path)) as base:
        client = boto3.client(
            "lambda",
            endpoint_url=base,
            region_name="us-east-1",
            aws_access_key_id="AKIDLOCAL",
            aws_secret_access_key="local-secret",
        )
        event = {"customerId": "c1", "cardToken": "tok_decline", "amount": 5}
        declined = payload_of(
            client.invoke(FunctionName="processPayment", Payload=json.dumps(event))
        )
        event["cardToken"] = "tok_visa"
        approved = payload_of(
            client.invoke(FunctionName="processPayment", Payload=json.dumps(event))
        )
    assert declined == {"status": "DECLINED", "reason": "card_declined"}
    assert approved["status"] == "APPROVED"
    assert approved["amount"] == 5
