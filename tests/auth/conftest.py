"""The all-modes API, served in-process, with a real JWKS/discovery server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.auth.support import (
    AuthEnv,
    Clock,
    JsonServer,
    ec_key,
    public_jwk,
    rsa_key,
    served,
    write_all_modes_api,
)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthEnv]:
    server = JsonServer()
    cognito, oidc = rsa_key(), ec_key()
    server.documents["/cognito/jwks.json"] = {"keys": [public_jwk(cognito, "c1")]}
    server.documents["/oidc/jwks.json"] = {"keys": [public_jwk(oidc, "o1")]}
    server.documents["/oidc/.well-known/openid-configuration"] = {
        "issuer": f"{server.url}/oidc",
        "jwks_uri": f"{server.url}/oidc/jwks.json",
    }
    root = write_all_modes_api(
        tmp_path_factory.mktemp("api"), f"{server.url}/cognito/jwks.json", f"{server.url}/oidc"
    )
    clock = Clock()
    api, client = served(root, tmp_path_factory.mktemp("data"), clock)
    with server.running(), client:
        yield AuthEnv(api, client, clock, server, root, cognito, oidc)
