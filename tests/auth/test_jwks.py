"""JWKS fetching: cached, refetched once on an unknown kid (rotation), rate-limited, file-backed.

Every fetch goes to a real HTTP server on 127.0.0.1 that counts requests.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from auth.errors import AuthFailure
from auth.jwks import JWKS_TTL, REFETCH_INTERVAL, JwksFetcher, UrlJwks
from auth.jwt import LEEWAY, VERIFIED_TTL
from auth.modes import HttpCall, RequestAuthorizer, build_request_authorizer
from schema.definition import load_definition
from schema.errors import InvalidDefinition
from tests.auth.support import (
    POOL_ID,
    Clock,
    JsonServer,
    cognito_claims,
    ec_key,
    public_jwk,
    rsa_key,
    sign,
)

JWKS_PATH = "/pool/jwks.json"


def write_api(root: Path, cognito_config: str, oidc_issuer: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "schema.graphql").write_text("type Query { ping: String }\n")
    oidc = (
        f"\n  additionalAuthentications:\n    - type: OPENID_CONNECT\n"
        f"      config: {{issuer: '{oidc_issuer}'}}"
        if oidc_issuer
        else ""
    )
    config = f"""\
appSync:
  name: jwks
  schema: schema.graphql
  authentication:
    type: AMAZON_COGNITO_USER_POOLS
    config: {{userPoolId: {POOL_ID}, {cognito_config}}}{oidc}
"""
    (root / "syncline.yml").write_text(textwrap.dedent(config))
    return root


@dataclass
class Pool:
    server: JsonServer
    authorizer: RequestAuthorizer
    clock: Clock
    key: Any

    def token(self, kid: str = "k1", key: Any = None, **claims: Any) -> str:
        return sign(cognito_claims(self.clock.now, **claims), key or self.key, kid)

    def authenticate(self, token: str) -> Any:
        headers = {"authorization": token}
        call = HttpCall("POST", "http", "t", "/graphql", "", headers, b"{}", None)
        return asyncio.run(self.authorizer.authenticate(call))

    @property
    def fetches(self) -> int:
        return self.server.hits[JWKS_PATH]


@pytest.fixture
def pool(tmp_path: Path) -> Iterator[Pool]:
    server = JsonServer()
    key = rsa_key()
    server.documents[JWKS_PATH] = {"keys": [public_jwk(key, "k1")]}
    root = write_api(tmp_path, f"jwks: '{server.url}{JWKS_PATH}'")
    clock = Clock()
    with server.running():
        authorizer = build_request_authorizer(load_definition(root), clock=clock)
        yield Pool(server, authorizer, clock, key)


def test_keys_are_fetched_once_and_served_from_cache(pool: Pool):
    for _ in range(25):
        assert pool.authenticate(pool.token()).identity["username"] == "alice"
    assert pool.fetches == 1


def test_the_cache_expires_after_an_hour(pool: Pool):
    pool.authenticate(pool.token())
    pool.clock.advance(JWKS_TTL + 1)
    pool.authenticate(pool.token())
    assert pool.fetches == 2


def test_a_rotated_key_is_picked_up_by_one_refetch(pool: Pool):
    pool.authenticate(pool.token())
    new_key = ec_key()
    pool.server.documents[JWKS_PATH] = {"keys": [public_jwk(new_key, "k2")]}
    pool.clock.advance(REFETCH_INTERVAL)
    assert pool.authenticate(pool.token("k2", new_key)).mode.name == "AMAZON_COGNITO_USER_POOLS"
    assert pool.fetches == 2
    with pytest.raises(AuthFailure):  # the old key is gone with the rotation
        pool.authenticate(pool.token())


def test_unknown_kids_cause_at_most_one_refetch_per_interval(pool: Pool):
    pool.authenticate(pool.token())
    with pytest.raises(AuthFailure):  # right after a fetch: no refetch yet
        pool.authenticate(pool.token(uuid.uuid4().hex))
    assert pool.fetches == 1
    pool.clock.advance(REFETCH_INTERVAL)
    for _ in range(20):
        with pytest.raises(AuthFailure):
            pool.authenticate(pool.token(uuid.uuid4().hex))
    assert pool.fetches == 2
    pool.clock.advance(REFETCH_INTERVAL)
    with pytest.raises(AuthFailure):
        pool.authenticate(pool.token(uuid.uuid4().hex))
    assert pool.fetches == 3


def test_an_unreachable_jwks_refuses_without_crashing(pool: Pool):
    del pool.server.documents[JWKS_PATH]
    with pytest.raises(AuthFailure) as failure:
        pool.authenticate(pool.token())
    assert failure.value.status == 401


def test_concurrent_lookups_share_one_fetch(pool: Pool):
    fetcher = JwksFetcher(pool.clock)
    source = UrlJwks(f"{pool.server.url}{JWKS_PATH}", fetcher)

    async def many() -> list[Any]:
        return await asyncio.gather(*(source.key("k1") for _ in range(10)))

    assert all(key is not None for key in asyncio.run(many()))
    assert pool.fetches == 1
    assert fetcher.fetches[source.url] == 1


def test_oidc_keys_come_through_discovery_once(tmp_path: Path):
    key = ec_key()
    with JsonServer().running() as server:
        issuer = f"{server.url}/idp"
        server.documents["/idp/.well-known/openid-configuration"] = {
            "issuer": issuer,
            "jwks_uri": f"{server.url}/idp/keys",
        }
        server.documents["/idp/keys"] = {"keys": [public_jwk(key, "e1")]}
        root = write_api(tmp_path, f"jwks: '{server.url}/unused'", oidc_issuer=issuer)
        clock = Clock()
        authorizer = build_request_authorizer(load_definition(root), clock=clock)
        pool = Pool(server, authorizer, clock, key)
        now = int(clock.now)
        for _ in range(5):
            token = sign({"iss": issuer, "sub": "s", "iat": now, "exp": now + 60}, key, "e1")
            assert pool.authenticate(token).identity["sub"] == "s"
        assert server.hits["/idp/.well-known/openid-configuration"] == 1
        assert server.hits["/idp/keys"] == 1


def test_a_jwks_file_is_read_and_reread_when_replaced(tmp_path: Path):
    key, new_key = rsa_key(), rsa_key()
    jwks = tmp_path / "api" / "keys" / "pool.json"
    jwks.parent.mkdir(parents=True)
    jwks.write_text(json.dumps({"keys": [public_jwk(key, "k1")]}))
    root = write_api(tmp_path / "api", "jwks: keys/pool.json")
    clock = Clock()
    pool = Pool(
        JsonServer.unstarted(),
        build_request_authorizer(load_definition(root), clock=clock),
        clock,
        key,
    )
    assert pool.authenticate(pool.token()).identity["sub"]
    replacement = tmp_path / "replacement.json"
    replacement.write_text(json.dumps({"keys": [public_jwk(new_key, "k2")]}))
    replacement.replace(jwks)
    assert pool.authenticate(pool.token("k2", new_key)).identity["sub"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "cannot read JWKS file", id="missing"),
        pytest.param("{not json", "cannot read JWKS file", id="not-json"),
        pytest.param(
            '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', "holds no RS256", id="hmac-key"
        ),
    ],
)
def test_a_broken_jwks_file_fails_at_start_up(tmp_path: Path, content: str | None, message: str):
    if content is not None:
        (tmp_path / "keys.json").write_text(content)
    root = write_api(tmp_path, "jwks: keys.json")
    with pytest.raises(InvalidDefinition, match=message):
        build_request_authorizer(load_definition(root))


def test_a_verified_token_is_not_reverified_for_five_minutes(pool: Pool):
    """The signature of a token seen before is not checked again (its times are): with the
    cached keys dropped and the JWKS emptied, it still passes until ``VERIFIED_TTL``."""
    token = pool.token(exp=int(pool.clock.now) + 3600)
    pool.authenticate(token)
    assert pool.authorizer.context is not None
    pool.authorizer.context.jwks.cache.clear()
    pool.server.documents[JWKS_PATH] = {"keys": []}
    pool.clock.advance(VERIFIED_TTL - 1)
    assert pool.authenticate(token).identity["sub"]
    assert pool.fetches == 1
    pool.clock.advance(2)
    with pytest.raises(AuthFailure):
        pool.authenticate(token)
    assert pool.fetches == 2


def test_a_cached_token_still_expires(pool: Pool):
    token = pool.token(exp=int(pool.clock.now) + 30)
    pool.authenticate(token)
    pool.clock.advance(30 + LEEWAY + 1)
    with pytest.raises(AuthFailure, match=r"Token has expired\."):
        pool.authenticate(token)
