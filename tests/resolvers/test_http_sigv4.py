"""SigV4 on outbound HTTP data source requests, verified on the upstream side by recomputing the
signature with botocore from what actually arrived (method, raw path and query, the signed
headers, the body, ``X-Amz-Date``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.apis import client_for, gql, write_api
from tests.serve import serving

REGION, SERVICE = "eu-west-1", "execute-api"
KEY_ID, SECRET = "AKIDSYNCLINETEST", "syncline-test-secret"
AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<headers>[^,]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def expected_signature(request: Request, body: bytes, signed: list[str], secret: str) -> str:
    """botocore's signature for the request as received, with the signer's timestamp."""
    scope = request.scope
    url = f"http://{request.headers['host']}{scope['raw_path'].decode()}"
    if scope["query_string"]:
        url += "?" + scope["query_string"].decode()
    headers = {name: request.headers[name] for name in signed}
    received = AWSRequest(method=request.method, url=url, data=body, headers=headers)
    received.context["timestamp"] = request.headers["x-amz-date"]
    token = request.headers.get("x-amz-security-token")
    signer = SigV4Auth(Credentials(KEY_ID, secret, token), SERVICE, REGION)
    canonical = signer.canonical_request(received)
    return signer.signature(signer.string_to_sign(received, canonical), received)


async def verify(request: Request) -> Response:
    body = await request.body()
    match = AUTHORIZATION.fullmatch(request.headers.get("authorization", ""))
    if match is None:
        return JSONResponse({"verified": False, "reason": "no SigV4 authorization"}, 403)
    signed = match.group("headers").split(";")
    secret = request.app.state.secret
    verified = match.group("signature") == expected_signature(request, body, signed, secret)
    return JSONResponse(
        {
            "verified": verified,
            "key": match.group("key"),
            "region": match.group("region"),
            "service": match.group("service"),
            "signedHeaders": signed,
            "token": request.headers.get("x-amz-security-token"),
        },
        200 if verified else 403,
    )


def upstream(secret: str = SECRET) -> Starlette:
    app = Starlette(routes=[Route("/{path:path}", verify, methods=["GET", "POST", "PUT"])])
    app.state.secret = secret
    return app


SCHEMA = "type Query { signed(request: AWSJSON!): AWSJSON }"
PASSTHROUGH = """
from syncline import util

def request(ctx):
    return ctx.args["request"]

def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
"""


def config(base: str, credentials: dict[str, str] | None) -> str:
    creds = ""
    if credentials:
        creds = "      credentials:\n" + "".join(
            f"        {name}: {value}\n" for name, value in credentials.items()
        )
    return f"""
dataSources:
  signed:
    type: HTTP
    config:
      endpoint: {base}
      timeout: 5
      authorizationConfig:
        authorizationType: AWS_IAM
        awsIamConfig:
          signingRegion: {REGION}
          signingServiceName: {SERVICE}
{creds}resolvers:
  Query.signed: {{kind: UNIT, dataSource: signed, code: pass.py}}
"""


@pytest.fixture
def make_client(tmp_path) -> Iterator[Any]:
    stack: list[Any] = []

    def make(base: str, credentials: dict[str, str] | None) -> TestClient:
        root = write_api(
            tmp_path / f"api{len(stack)}",
            SCHEMA,
            config(base, credentials),
            {"pass.py": PASSTHROUGH},
        )
        client = client_for(root).__enter__()
        stack.append(client)
        return client

    yield make
    for client in stack:
        client.__exit__(None, None, None)


REQUEST = {
    "method": "POST",
    "resourcePath": "/prod/orders/a%20b",
    "params": {
        "query": {"limit": "10", "q": "x y", "tag": ["b", "a"]},
        "headers": {"content-type": "application/json", "x-custom": "yes"},
        "body": {"sku": "book", "quantity": 2},
    },
}


def signed_call(client: TestClient, request: dict[str, Any] = REQUEST) -> dict[str, Any]:
    body = gql(client, "query($r: AWSJSON!) { signed(request: $r) }", {"r": json.dumps(request)})
    assert "errors" not in body, body
    result: dict[str, Any] = json.loads(body["data"]["signed"])
    return result


@pytest.mark.parametrize(
    ("credentials", "token"),
    [
        pytest.param({"accessKeyId": KEY_ID, "secretAccessKey": SECRET}, None, id="static"),
        pytest.param(
            {"accessKeyId": KEY_ID, "secretAccessKey": SECRET, "sessionToken": "session-token-1"},
            "session-token-1",
            id="session-token",
        ),
    ],
)
def test_signature_verifies_on_the_upstream(make_client, credentials, token):
    with serving(upstream()) as base:
        result = signed_call(make_client(base, credentials))
    assert result["statusCode"] == 200, result
    verdict = json.loads(result["body"])
    assert verdict["verified"] is True
    assert (verdict["key"], verdict["region"], verdict["service"]) == (KEY_ID, REGION, SERVICE)
    assert {"host", "x-amz-date", "content-type", "x-custom"} <= set(verdict["signedHeaders"])
    assert verdict["token"] == token
    assert ("x-amz-security-token" in verdict["signedHeaders"]) == (token is not None)


def test_credentials_from_the_standard_chain(make_client, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    with serving(upstream()) as base:
        result = signed_call(make_client(base, None), {"method": "GET", "resourcePath": "/"})
    assert json.loads(result["body"])["verified"] is True


def test_a_wrong_secret_does_not_verify(make_client):
    """The negative control: the upstream's check really checks."""
    with serving(upstream(secret="another-secret")) as base:
        result = signed_call(make_client(base, {"accessKeyId": KEY_ID, "secretAccessKey": SECRET}))
    assert result["statusCode"] == 403
    assert json.loads(result["body"])["verified"] is False


def test_no_credentials_anywhere_is_a_signing_error(make_client, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    with serving(upstream()) as base:
        client = make_client(base, None)
        body = gql(
            client, "query($r: AWSJSON!) { signed(request: $r) }", {"r": '{"resourcePath": "/"}'}
        )
    [error] = body["errors"]
    assert error["errorType"] == "HTTP:SigningError"
    assert "no AWS credentials" in error["message"]
