"""The security table: every kind of bad credential, for every mode.

Each gets the right status and AppSync error, never a 500; neither the response nor anything
logged (at any level) contains the secret, token or signature that was sent.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.auth.support import (
    API_KEY,
    POOL_ISSUER,
    SECRET_KEY,
    WHOAMI_QUERY,
    AuthEnv,
    cognito_claims,
    rsa_key,
    sign,
)
from tests.live import ROOT, running_server

ADMINS_QUERY = "{ admins }"
NOT_AUTHORIZED = "You are not authorized to make this call."


@dataclass
class Attempt:
    headers: dict[str, str]
    body: bytes | None = None
    secrets: list[str] = field(default_factory=list)
    query: str = WHOAMI_QUERY
    clock_skew: float = 0


Build = Callable[[AuthEnv], Attempt]


def token_attempt(token: str, query: str = WHOAMI_QUERY) -> Attempt:
    return Attempt(
        {"Authorization": token}, secrets=[token.rsplit(".", 1)[-1] or token], query=query
    )


def cognito(**overrides) -> Build:
    def build(env: AuthEnv) -> Attempt:
        return token_attempt(env.cognito_token(**overrides))

    return build


def tampered_cognito(env: AuthEnv) -> Attempt:
    head, _, signature = env.cognito_token(groups=["readers"]).split(".")
    claims = cognito_claims(env.clock.now, ["admins"])
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return token_attempt(f"{head}.{payload}.{signature}", ADMINS_QUERY)


def signed(body_change: bytes | None = None, skew: float = 0, **options) -> Build:
    def build(env: AuthEnv) -> Attempt:
        body, headers = env.signed(WHOAMI_QUERY, **options)
        signature = headers["Authorization"].rpartition("Signature=")[2]
        return Attempt(
            headers,
            body_change if body_change is not None else body,
            [signature, SECRET_KEY, options.get("secret", SECRET_KEY)],
            clock_skew=skew,
        )

    return build


def truncated(token: str, *, decodable: bool) -> str:
    """``token`` cut inside its signature, at least 12 characters short.

    Whether a cut signature still decodes depends on its length: base64url text of a length
    divisible by 4 always does, of length 1 (mod 4) never does (other lengths depend on the
    final character's spare bits, and the signature changes with the time claims, so the cut
    is chosen to give the same case on every run)."""
    wanted = 0 if decodable else 1
    cut = token[:-12]
    while len(cut.rsplit(".", 1)[-1]) % 4 != wanted:
        cut = cut[:-1]
    return cut


def raw(headers: dict[str, str]) -> Build:
    return lambda env: Attempt(headers, secrets=[v for v in headers.values() if len(v) > 8])


BIG = "x" * (17 * 1024)

TABLE = [
    # API_KEY
    pytest.param(raw({}), 401, "UnauthorizedException", NOT_AUTHORIZED, id="missing"),
    pytest.param(
        raw({"x-api-key": ""}), 401, "UnauthorizedException", NOT_AUTHORIZED, id="api-key-empty"
    ),
    pytest.param(
        raw({"x-api-key": "da2-garbage-key-value"}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="api-key-garbage",
    ),
    pytest.param(
        raw({"x-api-key": API_KEY[:-3]}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="api-key-truncated",
    ),
    pytest.param(
        raw({"x-api-key": API_KEY + BIG}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="api-key-oversized",
    ),
    # AMAZON_COGNITO_USER_POOLS
    pytest.param(
        raw({"Authorization": ""}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="authorization-empty",
    ),
    pytest.param(
        lambda env: token_attempt(env.cognito_token(exp=int(env.clock.now) - 60)),
        401,
        "UnauthorizedException",
        "Token has expired.",
        id="cognito-expired",
    ),
    pytest.param(
        lambda env: token_attempt(env.cognito_token(nbf=int(env.clock.now) + 120)),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="cognito-not-yet-valid",
    ),
    pytest.param(
        lambda env: token_attempt(
            sign({**cognito_claims(env.clock.now), "iss": POOL_ISSUER + "x"}, env.cognito_key, "c1")
        ),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="cognito-wrong-issuer",
    ),
    pytest.param(
        cognito(aud="mobile-app"),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="cognito-wrong-audience",
    ),
    pytest.param(
        lambda env: token_attempt(sign(cognito_claims(env.clock.now), rsa_key(), "c1")),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="cognito-wrong-key",
    ),
    pytest.param(
        tampered_cognito, 401, "UnauthorizedException", NOT_AUTHORIZED, id="cognito-tampered"
    ),
    pytest.param(
        lambda env: token_attempt(truncated(env.cognito_token(), decodable=False)),
        401,
        "UnauthorizedException",
        "Unable to parse JWT token.",
        id="cognito-truncated",
    ),
    pytest.param(
        lambda env: token_attempt(truncated(env.cognito_token(), decodable=True)),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="cognito-truncated-signature",
    ),
    pytest.param(
        lambda env: token_attempt(env.cognito_token() + BIG),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="cognito-oversized",
    ),
    pytest.param(
        lambda env: token_attempt(env.cognito_token(groups=["readers"]), ADMINS_QUERY),
        200,
        "Unauthorized",
        "Not Authorized to access admins on type Query",
        id="cognito-wrong-group",
    ),
    # OPENID_CONNECT
    pytest.param(
        lambda env: token_attempt(env.oidc_token(exp=int(env.clock.now) - 60)),
        401,
        "UnauthorizedException",
        "Token has expired.",
        id="oidc-expired",
    ),
    pytest.param(
        lambda env: token_attempt(env.oidc_token(aud="other")),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="oidc-wrong-audience",
    ),
    pytest.param(
        lambda env: token_attempt(env.oidc_token(iat=int(env.clock.now) + 300)),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="oidc-issued-in-the-future",
    ),
    pytest.param(
        lambda env: token_attempt(env.oidc_token()[:-5] + "AAAAA"),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="oidc-tampered-signature",
    ),
    # AWS_IAM
    pytest.param(
        signed(key_id="AKIANOBODYKNOWS00000"),
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        id="iam-unknown-key",
    ),
    pytest.param(
        signed(secret="guessed-secret"),
        403,
        "InvalidSignatureException",
        "The request signature we calculated does not match",
        id="iam-wrong-secret",
    ),
    pytest.param(
        signed(region="ap-south-1"),
        403,
        "InvalidSignatureException",
        "Credential should be scoped to a valid region.",
        id="iam-wrong-region",
    ),
    pytest.param(
        signed(service="lambda"),
        403,
        "InvalidSignatureException",
        "Credential should be scoped to correct service: 'appsync'.",
        id="iam-wrong-service",
    ),
    pytest.param(
        signed(body_change=b'{"query": "{ admins }"}'),
        403,
        "InvalidSignatureException",
        "The request signature we calculated does not match",
        id="iam-tampered-body",
    ),
    pytest.param(
        signed(skew=360), 403, "InvalidSignatureException", "Signature expired:", id="iam-replayed"
    ),
    pytest.param(
        signed(token="a-session-token-nobody-issued"),
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        id="iam-unknown-session-token",
    ),
    pytest.param(
        raw({"Authorization": "AWS4-HMAC-SHA256 garbage"}),
        403,
        "IncompleteSignatureException",
        "Authorization header requires 'Credential' parameter.",
        id="iam-garbage",
    ),
    pytest.param(
        lambda env: Attempt({"Authorization": "AWS4-HMAC-SHA256 Credential=" + BIG}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="iam-oversized",
    ),
    # AWS_LAMBDA
    pytest.param(
        raw({"Authorization": "deny-this-caller"}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="lambda-denied",
    ),
    pytest.param(
        raw({"Authorization": "boom"}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="lambda-crashes",
    ),
    pytest.param(
        raw({"Authorization": "%%%\u0001garbage"}),
        401,
        "UnauthorizedException",
        NOT_AUTHORIZED,
        id="lambda-garbage",
    ),
]


@pytest.mark.parametrize(("build", "status", "error_type", "message"), TABLE)
def test_bad_credentials(
    env: AuthEnv,
    caplog: pytest.LogCaptureFixture,
    build: Build,
    status: int,
    error_type: str,
    message: str,
):
    attempt = build(env)
    env.clock.advance(attempt.clock_skew)
    try:
        with caplog.at_level(logging.DEBUG):
            if attempt.body is not None:
                response = env.client.post(
                    "/graphql", content=attempt.body, headers=attempt.headers
                )
            else:
                response = env.client.post(
                    "/graphql", json={"query": attempt.query}, headers=attempt.headers
                )
    finally:
        env.clock.advance(-attempt.clock_skew)
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["errorType"] == error_type
    assert error["message"].startswith(message)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in attempt.secrets:
        assert secret not in response.text
        assert secret not in logged


def test_oversized_headers_never_reach_a_500_on_a_real_server(tmp_path: Path):
    with running_server(ROOT / "examples" / "orders", tmp_path) as base:
        response = httpx.post(
            f"{base}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": "x" * (200 * 1024)},
        )
    assert 400 <= response.status_code < 500
