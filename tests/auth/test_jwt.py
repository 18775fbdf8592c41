"""User pool and OIDC tokens: what verifies, and every forgery that must not."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.auth.support import (
    WHOAMI_QUERY,
    AuthEnv,
    JsonServer,
    cognito_claims,
    lambda_invocations,
    public_jwk,
    rsa_key,
    sign,
)


def b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def refused(env: AuthEnv, token: str, message: str = "You are not authorized to make this call."):
    response = env.post(WHOAMI_QUERY, {"Authorization": token})
    assert response.status_code == 401, response.text
    assert response.json() == {
        "errors": [{"errorType": "UnauthorizedException", "message": message}]
    }


def accepted(env: AuthEnv, token: str) -> dict[str, Any]:
    response = env.post(WHOAMI_QUERY, {"Authorization": token})
    assert response.status_code == 200, response.text
    caller: dict[str, Any] = response.json()["data"]["whoami"]
    return caller


def test_a_valid_user_pool_token(env: AuthEnv):
    assert accepted(env, env.cognito_token())["authType"] == "User Pool Authorization"


def test_a_valid_es256_oidc_token(env: AuthEnv):
    assert accepted(env, env.oidc_token())["authType"] == "Open ID Connect Authorization"


def test_alg_none_is_refused(env: AuthEnv):
    claims = cognito_claims(env.clock.now, ["admins"])
    refused(env, f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': 'c1'})}.{b64(claims)}.")


def test_hs256_signed_with_the_public_key_is_refused(env: AuthEnv):
    """The classic confusion attack: HMAC keyed with the (public) RSA key's PEM."""
    pem = env.cognito_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = (
        f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': 'c1'})}.{b64(cognito_claims(env.clock.now))}"
    )
    mac = hmac.new(pem, head.encode(), hashlib.sha256).digest()
    refused(env, f"{head}.{b64(mac)}")


def test_a_key_named_by_the_token_is_never_fetched(env: AuthEnv):
    attacker = rsa_key()
    with JsonServer().running() as evil:
        evil.documents["/jwks.json"] = {"keys": [public_jwk(attacker, "c1")]}
        token = sign(
            cognito_claims(env.clock.now, ["admins"]),
            attacker,
            "c1",
            headers={"jku": f"{evil.url}/jwks.json", "x5u": f"{evil.url}/cert.pem"},
        )
        refused(env, token)
        assert sum(evil.hits.values()) == 0


def test_an_ec_key_cannot_verify_an_rs256_token(env: AuthEnv):
    """The OIDC JWKS holds an EC key; a token claiming RS256 with its kid is refused."""
    claims = {"iss": env.oidc_issuer, "aud": "oidc-web", "sub": "x", "iat": 1, "exp": 2**31}
    refused(env, sign(claims, rsa_key(), "o1", algorithm="RS256"))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"exp": -60}, "Token has expired.", id="expired"),
        pytest.param({"nbf": 120}, None, id="not-yet-valid-nbf"),
        pytest.param({"iat": 120}, None, id="issued-in-the-future"),
        pytest.param({"aud": "mobile-client"}, None, id="client-not-matching-appIdClientRegex"),
        pytest.param({"token_use": "refresh"}, None, id="wrong-token-use"),
        pytest.param({"token_use": None}, None, id="no-token-use"),
        pytest.param({"exp": None}, None, id="no-exp"),
        pytest.param({"exp": "tomorrow"}, None, id="exp-not-a-number"),
    ],
)
def test_user_pool_token_claims_are_checked(env: AuthEnv, overrides: dict[str, Any], message):
    now = int(env.clock.now)
    claims = cognito_claims(now)
    for name, value in overrides.items():
        if value is None:
            claims.pop(name)
        elif name in ("exp", "nbf", "iat") and isinstance(value, int):
            claims[name] = now + value
        else:
            claims[name] = value
    refused(
        env,
        sign(claims, env.cognito_key, "c1"),
        message or "You are not authorized to make this call.",
    )


def test_clock_skew_within_the_leeway_is_tolerated(env: AuthEnv):
    now = int(env.clock.now)
    token = sign(cognito_claims(now, exp=now - 5, iat=now + 5), env.cognito_key, "c1")
    assert accepted(env, token)["authType"] == "User Pool Authorization"


def test_a_tampered_payload_is_refused(env: AuthEnv):
    head, _, signature = env.cognito_token(groups=["readers"]).split(".")
    claims = cognito_claims(env.clock.now, ["admins"])
    refused(env, f"{head}.{b64(claims)}.{signature}")


def test_a_token_of_another_pool_is_refused_even_with_a_known_key(env: AuthEnv):
    other = {
        **cognito_claims(env.clock.now),
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other",
    }
    before = len(lambda_invocations(env.root))
    refused(env, sign(other, env.cognito_key, "c1"))
    assert len(lambda_invocations(env.root)) == before + 1  # not a pool we trust: the Lambda's


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"aud": "someone-else"}, None, id="wrong-audience"),
        pytest.param({"aud": ["x", "oidc-cli"]}, "ok", id="one-of-several-audiences"),
        pytest.param({"exp": -60}, "Token has expired.", id="expired"),
    ],
)
def test_oidc_token_claims_are_checked(env: AuthEnv, overrides: dict[str, Any], message):
    now = int(env.clock.now)
    values = {k: now + v if k == "exp" else v for k, v in overrides.items()}
    token = env.oidc_token(**values)
    if message == "ok":
        assert accepted(env, token)["authType"] == "Open ID Connect Authorization"
    else:
        refused(env, token, message or "You are not authorized to make this call.")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(lambda t: t.rsplit(".", 1)[0], None, id="no-signature-segment"),
        pytest.param(lambda t: t[:-10], None, id="truncated-signature"),
        pytest.param(lambda t: t.split(".", 1)[1], None, id="no-header-segment"),
        pytest.param(
            lambda t: "%%%." + t.split(".", 1)[1], "Unable to parse JWT token.", id="bad-header"
        ),
        pytest.param(lambda t: "garbage", None, id="garbage"),
        pytest.param(lambda t: "Bearer " + t, "Unable to parse JWT token.", id="bearer-prefix"),
    ],
)
def test_damaged_tokens_are_401_not_500(env: AuthEnv, damage, message):
    refused(
        env, damage(env.cognito_token()), message or "You are not authorized to make this call."
    )
