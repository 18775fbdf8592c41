"""Lambda authorizers: AppSync's event, its answer honoured, answers cached per token."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from auth.identity import api_id
from tests.auth.support import (
    Clock,
    lambda_invocations,
    served,
    write_all_modes_api,
)
from tests.live import running_server

UNAUTHORIZED = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }
    ]
}
QUERY = "query Who($n: Int) { whoami { authType identity } }"


def post(client: Any, token: str, query: str = QUERY, **extra: Any) -> Any:
    return client.post("/graphql", json={"query": query, **extra}, headers={"Authorization": token})


def unique(prefix: str = "allow") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_the_event_is_appsyncs(env):
    token = unique()
    response = post(env.client, token, operationName="Who", variables={"n": 3})
    assert response.status_code == 200
    event = lambda_invocations(env.root)[-1]
    assert event["authorizationToken"] == token
    context = event["requestContext"]
    assert set(context) == {
        "apiId", "accountId", "requestId", "queryString", "operationName", "variables",
    }  # fmt: skip
    assert context["apiId"] == api_id("authtest")
    assert context["accountId"] == "000000000000"
    assert uuid.UUID(context["requestId"])
    assert context["queryString"] == QUERY
    assert (context["operationName"], context["variables"]) == ("Who", {"n": 3})
    assert event["requestHeaders"]["content-type"] == "application/json"


def test_answers_are_cached_per_token(env):
    token = unique()
    before = len(lambda_invocations(env.root))
    for _ in range(5):
        assert post(env.client, token).status_code == 200
    assert len(lambda_invocations(env.root)) == before + 1
    assert post(env.client, unique()).status_code == 200
    assert len(lambda_invocations(env.root)) == before + 2


def test_the_cache_lasts_authorizer_result_ttl(env):
    token = unique()
    post(env.client, token)
    before = len(lambda_invocations(env.root))
    env.clock.advance(299)
    post(env.client, token)
    assert len(lambda_invocations(env.root)) == before
    env.clock.advance(2)
    post(env.client, token)
    assert len(lambda_invocations(env.root)) == before + 1


def test_ttl_override_zero_is_not_cached(env):
    before = len(lambda_invocations(env.root))
    for _ in range(3):
        assert post(env.client, "ttl-zero").status_code == 200
    assert len(lambda_invocations(env.root)) == before + 3


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("deny-me", id="isAuthorized-false"),
        pytest.param("boom", id="handler-raises"),
        pytest.param("not-an-object", id="answer-not-an-object"),
    ],
)
def test_refusals_and_failures_are_401(env, token: str):
    response = post(env.client, token)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_denials_are_cached_too(env):
    token = unique("deny")
    post(env.client, token)
    before = len(lambda_invocations(env.root))
    assert post(env.client, token).status_code == 401
    assert len(lambda_invocations(env.root)) == before


def test_denied_fields_resolve_to_null_with_unauthorized_errors(env):
    response = post(env.client, "deny-fields", "{ open whoami { authType identity } }")
    body = response.json()
    assert body["data"] == {
        "open": None,
        "whoami": {"authType": "Lambda Authorization", "identity": None},
    }
    errors = sorted(body["errors"], key=lambda e: e["path"])
    assert [(e["path"], e["message"], e["errorType"]) for e in errors] == [
        (["open"], "Not Authorized to access open on type Query", "Unauthorized"),
        (
            ["whoami", "identity"],
            "Not Authorized to access identity on type Caller",
            "Unauthorized",
        ),
    ]


def test_identity_validation_expression_is_applied_before_invoking(tmp_path: Path):
    extra = "\n                identityValidationExpression: '^allow-'"
    root = write_all_modes_api(tmp_path / "api", "http://127.0.0.1:9/unused", "https://idp", extra)
    _, client = served(root, tmp_path / "data", Clock())
    with client:
        assert post(client, "allow-1").status_code == 200
        response = post(client, "deny-fields")
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert [e["authorizationToken"] for e in lambda_invocations(root)] == ["allow-1"]


def test_an_aws_lambda_authorizer_is_invoked_through_boto3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """``functionArn``: boto3 ``lambda.invoke`` over real HTTP, here against the Lambda Invoke
    API of another Syncline server that runs the function locally."""
    host_root = write_all_modes_api(tmp_path / "host", "http://127.0.0.1:9/x", "https://idp")
    with running_server(host_root, tmp_path / "host-data") as base:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", base)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIALOCAL")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
        root = tmp_path / "api"
        root.mkdir()
        (root / "schema.graphql").write_text("type Query @aws_lambda { ping: String }\n")
        (root / "syncline.yml").write_text(
            "appSync:\n  name: remote\n  schema: schema.graphql\n  authentication:\n"
            "    type: AWS_LAMBDA\n    config:\n"
            "      functionArn: arn:aws:lambda:us-east-1:000000000000:function:authorizer\n"
        )
        _, client = served(root, tmp_path / "data", Clock())
        with client:
            ok = post(client, "allow-remote", "{ ping }")
            refused = post(client, "nope", "{ ping }")
    assert (ok.status_code, ok.json()) == (200, {"data": {"ping": None}})
    assert (refused.status_code, refused.json()) == (401, UNAUTHORIZED)
    events = lambda_invocations(host_root)
    assert [e["authorizationToken"] for e in events] == ["allow-remote", "nope"]
    assert events[0]["requestContext"]["apiId"] == api_id("remote")
