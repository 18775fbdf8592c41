"""OIDC's iatTTL and authTTL, which bound a token's age beyond its exp."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from auth.errors import AuthFailure
from auth.modes import HttpCall, build_request_authorizer
from schema.definition import load_definition
from tests.auth.support import Clock, ec_key, public_jwk, sign

ISSUER = "https://id.example.com"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("oidc")
    key = ec_key()
    (root / "keys.json").write_text(json.dumps({"keys": [public_jwk(key, "e1")]}))
    (root / "schema.graphql").write_text("type Query { x: String }\n")
    (root / "syncline.yml").write_text(
        "appSync:\n  name: oidc\n  schema: schema.graphql\n  authentication:\n"
        "    type: OPENID_CONNECT\n"
        f"    config: {{issuer: '{ISSUER}', iatTTL: 60000, authTTL: 3600000, jwks: keys.json}}\n"
    )
    return root, key


@pytest.mark.parametrize(
    ("iat_age", "auth_age", "accepted"),
    [
        pytest.param(30, 600, True, id="fresh"),
        pytest.param(61, 600, False, id="iat-older-than-iatTTL"),
        pytest.param(30, 3601, False, id="auth-older-than-authTTL"),
        pytest.param(30, None, False, id="no-auth-time"),
    ],
)
def test_ttls(setup, iat_age: int, auth_age: int | None, accepted: bool):
    root, key = setup
    now = 1_900_000_000
    claims = {"iss": ISSUER, "sub": "s", "iat": now - iat_age, "exp": now + 3600}
    if auth_age is not None:
        claims["auth_time"] = now - auth_age
    headers = {"authorization": sign(claims, key, "e1")}
    authorizer = build_request_authorizer(load_definition(root), clock=Clock(now))
    call = HttpCall("POST", "http", "h", "/graphql", "", headers, b"{}", None)
    if accepted:
        assert asyncio.run(authorizer.authenticate(call)).identity["sub"] == "s"
    else:
        with pytest.raises(AuthFailure):
            asyncio.run(authorizer.authenticate(call))
