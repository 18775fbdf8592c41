"""Picking the mode of a request, ctx.identity's shape per mode, and the one entry point."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from auth.errors import AuthFailure
from auth.modes import HttpCall, register
from schema.model import AuthMode
from tests.auth.support import (
    API_KEY,
    WHOAMI_QUERY,
    AuthEnv,
    cognito_claims,
    lambda_invocations,
    rsa_key,
    sign,
)

UNAUTHORIZED = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }
    ]
}


def whoami(env: AuthEnv, headers: dict[str, str]) -> dict[str, Any]:
    response = env.post(WHOAMI_QUERY, headers)
    assert response.status_code == 200, response.text
    caller = response.json()["data"]["whoami"]
    identity = caller["identity"]
    return {
        "authType": caller["authType"],
        "identity": json.loads(identity) if identity is not None else None,
    }


def test_api_key_callers_have_no_identity(env: AuthEnv):
    assert whoami(env, {"x-api-key": API_KEY}) == {
        "authType": "API Key Authorization",
        "identity": None,
    }


def test_iam_identity(env: AuthEnv):
    body, headers = env.signed(WHOAMI_QUERY, {"x-forwarded-for": "203.0.113.9"})
    response = env.client.post("/graphql", content=body, headers=headers)
    caller = response.json()["data"]["whoami"]
    assert caller["authType"] == "IAM Authorization"
    assert json.loads(caller["identity"]) == {
        "accountId": "123456789012",
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "sourceIp": ["203.0.113.9", "testclient"],
        "username": "AIDAAUTHTESTUSER",
        "userArn": "arn:aws:iam::123456789012:user/AIDAAUTHTESTUSER",
        "cognitoIdentityAuthType": None,
        "cognitoIdentityAuthProvider": None,
    }


@pytest.mark.parametrize(
    ("token_use", "groups"),
    [
        pytest.param("id", ["admins", "staff"], id="id-token"),
        pytest.param("access", None, id="access-token-no-groups"),
    ],
)
def test_cognito_identity(env: AuthEnv, token_use: str, groups: list[str] | None):
    token = env.cognito_token(token_use=token_use, groups=groups)
    caller = whoami(env, {"Authorization": token})
    assert caller["authType"] == "User Pool Authorization"
    identity = caller["identity"]
    assert set(identity) == {
        "sub", "issuer", "username", "claims", "sourceIp", "defaultAuthStrategy", "groups",
    }  # fmt: skip
    assert identity["sub"] == "0f1e2d3c-aaaa-bbbb-cccc-000000000001"
    assert identity["issuer"] == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AuthTests"
    assert identity["username"] == "alice"
    assert identity["groups"] == groups
    assert identity["sourceIp"] == ["testclient"]
    assert identity["defaultAuthStrategy"] == "ALLOW"
    assert identity["claims"]["token_use"] == token_use


def test_oidc_identity(env: AuthEnv):
    caller = whoami(env, {"Authorization": env.oidc_token()})
    assert caller["authType"] == "Open ID Connect Authorization"
    identity = caller["identity"]
    assert set(identity) == {"sub", "issuer", "claims"}
    assert identity["sub"] == "oidc-user-7"
    assert identity["issuer"] == env.oidc_issuer
    assert identity["claims"]["email"] == "o@example.com"


def test_lambda_identity(env: AuthEnv):
    assert whoami(env, {"Authorization": "allow-identity"}) == {
        "authType": "Lambda Authorization",
        "identity": {"resolverContext": {"user": "allow-identity"}},
    }


def test_an_api_key_header_wins_over_a_token(env: AuthEnv):
    headers = {"x-api-key": API_KEY, "Authorization": env.cognito_token()}
    assert whoami(env, headers)["authType"] == "API Key Authorization"
    headers["x-api-key"] = "da2-wrong"
    response = env.post(WHOAMI_QUERY, headers)
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


def test_the_mode_that_claims_a_request_decides_it(env: AuthEnv):
    """A user pool token with a bad signature is refused, not handed to the Lambda authorizer."""
    before = len(lambda_invocations(env.root))
    forged = sign(cognito_claims(env.clock.now), rsa_key(), "c1")
    response = env.post(WHOAMI_QUERY, {"Authorization": forged})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert len(lambda_invocations(env.root)) == before


def test_a_token_of_an_unknown_issuer_goes_to_the_lambda_authorizer(env: AuthEnv):
    stranger = sign({**cognito_claims(env.clock.now), "iss": "https://elsewhere"}, rsa_key())
    before = len(lambda_invocations(env.root))
    response = env.post(WHOAMI_QUERY, {"Authorization": stranger})
    assert (response.status_code, response.json()) == (401, UNAUTHORIZED)
    assert len(lambda_invocations(env.root)) == before + 1


def test_no_credentials_is_appsyncs_401(env: AuthEnv):
    response = env.post(WHOAMI_QUERY, {})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["x-amzn-errortype"] == "UnauthorizedException"


def call(headers: dict[str, str]) -> HttpCall:
    return HttpCall("POST", "http", "testserver", "/graphql", "", headers, b"{}", "127.0.0.1")


def test_authorize_is_authenticate_with_none_for_refusals(env: AuthEnv):
    authorizer = env.api.authorizer

    async def run() -> None:
        assert await authorizer.authorize(call({"x-api-key": "nope"})) is None
        ok = await authorizer.authorize(call({"x-api-key": API_KEY}))
        assert ok is not None
        assert ok.mode is AuthMode.API_KEY
        with pytest.raises(AuthFailure) as failure:
            await authorizer.authenticate(call({}))
        assert (failure.value.status, failure.value.body) == (401, UNAUTHORIZED)

    asyncio.run(run())


def test_registering_a_mode_twice_raises():
    with pytest.raises(RuntimeError, match="registered twice"):
        register(AuthMode.API_KEY)(lambda provider, context: None)  # type: ignore[arg-type,return-value]
