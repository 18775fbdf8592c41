"""What the auth tests share: keys, token signing, a real JWKS server, an all-modes API."""

from __future__ import annotations

import hashlib
import json
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.testclient import TestClient

from auth.modes import build_request_authorizer
from web.api import LoadedApi, load_api
from web.app import create_app_for

API_KEY = "da2-auth-test-key"
ACCESS_KEY_ID = "AKIAAUTHTESTEXAMPLE"
SECRET_KEY = "auth-test-secret-access-key"
POOL_ID = "us-east-1_AuthTests"
POOL_ISSUER = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
CLIENT_ID = "web-client"


class Clock:
    """A settable clock for the authorizers (``build_request_authorizer(clock=...)``)."""

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: Any, kid: str) -> dict[str, Any]:
    if isinstance(key, rsa.RSAPrivateKey):
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        jwk["alg"] = "RS256"
    else:
        jwk = ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
        jwk["alg"] = "ES256"
    return {**jwk, "kid": kid, "use": "sig"}


def sign(
    claims: Mapping[str, Any],
    key: Any,
    kid: str | None = "k1",
    algorithm: str | None = None,
    headers: Mapping[str, Any] | None = None,
) -> str:
    algorithm = algorithm or ("RS256" if isinstance(key, rsa.RSAPrivateKey) else "ES256")
    extra = {"kid": kid, **(headers or {})} if kid is not None else dict(headers or {})
    return jwt.encode(dict(claims), key, algorithm=algorithm, headers=extra)


def cognito_claims(
    now: float, groups: list[str] | None = None, token_use: str = "id", **extra: Any
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "sub": "0f1e2d3c-aaaa-bbbb-cccc-000000000001",
        "iss": POOL_ISSUER,
        "token_use": token_use,
        "auth_time": int(now),
        "iat": int(now),
        "exp": int(now) + 3600,
    }
    if token_use == "id":
        claims.update({"aud": CLIENT_ID, "cognito:username": "alice"})
    else:
        claims.update({"client_id": CLIENT_ID, "username": "alice"})
    if groups is not None:
        claims["cognito:groups"] = groups
    claims.update(extra)
    return claims


class JsonServer:
    """A real HTTP server on 127.0.0.1 serving JSON documents by path, counting requests."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.hits: Counter[str] = Counter()
        documents, hits = self.documents, self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits[self.path] += 1
                if self.path not in documents:
                    self.send_error(404)
                    return
                body = json.dumps(documents[self.path]).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    @classmethod
    def unstarted(cls) -> JsonServer:
        """A server that is never started (its socket closed at once), for code paths that
        must not fetch anything."""
        server = cls()
        server.server.server_close()
        return server

    @contextmanager
    def running(self) -> Iterator[JsonServer]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join()


ALL_MODES_SCHEMA = """\
type Query @aws_api_key @aws_iam @aws_cognito_user_pools @aws_oidc @aws_lambda {
  whoami: Caller
  open: String
  admins: String @aws_cognito_user_pools(cognito_groups: ["admins"])
  iamOnly: String @aws_iam
}

type Caller @aws_api_key @aws_iam @aws_cognito_user_pools @aws_oidc @aws_lambda {
  authType: String
  identity: AWSJSON
}
"""

WHOAMI = """\
from syncline import util


def request(ctx):
    return {"payload": None}


def response(ctx):
    return {"authType": util.auth_type(), "identity": ctx.identity}
"""

CONSTANT = """\
def request(ctx):
    return {"payload": "value of " + ctx.info.field_name}


def response(ctx):
    return ctx.result
"""

AUTHORIZER = """\
import json
import pathlib

LOG = pathlib.Path(__file__).with_name("invocations.jsonl")


def handler(event, context):
    with LOG.open("a") as log:
        log.write(json.dumps(event) + "\\n")
    token = event["authorizationToken"]
    if token.startswith("allow"):
        return {"isAuthorized": True, "resolverContext": {"user": token}}
    if token == "deny-fields":
        arn = "arn:aws:appsync:us-east-1:000000000000:apis/{}/types/Caller/fields/{}"
        return {
            "isAuthorized": True,
            "resolverContext": {"user": "limited"},
            "deniedFields": [
                "Query.open",
                arn.format(event["requestContext"]["apiId"], "identity"),
                arn.format("someotherapiid", "authType"),
            ],
        }
    if token == "ttl-zero":
        return {"isAuthorized": True, "resolverContext": {}, "ttlOverride": 0}
    if token == "boom":
        raise RuntimeError("authorizer crashed")
    if token == "not-an-object":
        return ["isAuthorized", True]
    return {"isAuthorized": False}
"""


def all_modes_config(jwks_url: str, oidc_issuer: str, extra_lambda: str = "") -> str:
    return textwrap.dedent(
        f"""\
        appSync:
          name: authtest
          schema: schema.graphql
          authentication:
            type: API_KEY
          additionalAuthentications:
            - type: AWS_IAM
              config:
                accessKeys:
                  - accessKeyId: {ACCESS_KEY_ID}
                    secretAccessKey: {SECRET_KEY}
                    region: us-east-1
                    accountId: "123456789012"
                    username: AIDAAUTHTESTUSER
            - type: AMAZON_COGNITO_USER_POOLS
              config:
                userPoolId: {POOL_ID}
                appIdClientRegex: "web-.*"
                jwks: {jwks_url}
            - type: OPENID_CONNECT
              config:
                issuer: {oidc_issuer}
                clientId: "oidc-(web|cli)"
            - type: AWS_LAMBDA
              config:
                functionName: authorizer
                authorizerResultTtlInSeconds: 300{extra_lambda}
          apiKeys:
            - name: test
              value: {API_KEY}
          dataSources:
            none:
              type: NONE
          resolvers:
            Query.whoami: {{kind: UNIT, dataSource: none, code: resolvers/whoami.py}}
            Query.open: {{kind: UNIT, dataSource: none, code: resolvers/constant.py}}
            Query.admins: {{kind: UNIT, dataSource: none, code: resolvers/constant.py}}
            Query.iamOnly: {{kind: UNIT, dataSource: none, code: resolvers/constant.py}}
        functions:
          authorizer:
            handler: lambdas/authorizer.handler
            timeout: 5
        """
    )


def write_all_modes_api(root: Path, jwks_url: str, oidc_issuer: str, extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "schema.graphql").write_text(ALL_MODES_SCHEMA)
    (root / "syncline.yml").write_text(all_modes_config(jwks_url, oidc_issuer, extra))
    for name, text in {
        "resolvers/whoami.py": WHOAMI,
        "resolvers/constant.py": CONSTANT,
        "lambdas/authorizer.py": AUTHORIZER,
    }.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def with_clock(api: LoadedApi, clock: Clock) -> LoadedApi:
    """The same API, its authorizers reading ``clock`` (field checks are already installed)."""
    return replace(
        api, authorizer=build_request_authorizer(api.definition, None, api.runtime, clock)
    )


def served(root: Path, data_dir: Path, clock: Clock) -> tuple[LoadedApi, TestClient]:
    """The API in ``root`` with its authorizers on ``clock``, and a TestClient serving it."""
    api = with_clock(load_api(root, data_dir), clock)
    return api, TestClient(create_app_for(api))


WHOAMI_QUERY = "{ whoami { authType identity } }"


@dataclass
class AuthEnv:
    api: LoadedApi
    client: TestClient
    clock: Clock
    server: JsonServer
    root: Path
    cognito_key: Any
    oidc_key: Any

    @property
    def oidc_issuer(self) -> str:
        return f"{self.server.url}/oidc"

    def cognito_token(self, **overrides: Any) -> str:
        groups = overrides.pop("groups", None)
        token_use = overrides.pop("token_use", "id")
        claims = cognito_claims(self.clock.now, groups, token_use, **overrides)
        return sign(claims, self.cognito_key, "c1")

    def oidc_token(self, **overrides: Any) -> str:
        now = int(self.clock.now)
        claims = {
            "sub": "oidc-user-7",
            "iss": self.oidc_issuer,
            "aud": "oidc-web",
            "iat": now,
            "auth_time": now,
            "exp": now + 600,
            "email": "o@example.com",
            **overrides,
        }
        return sign(claims, self.oidc_key, "o1")

    def post(self, query: str, headers: dict[str, str]) -> Any:
        return self.client.post("/graphql", json={"query": query}, headers=headers)

    def signed(
        self,
        query: str,
        extra: dict[str, str] | None = None,
        key_id: str = ACCESS_KEY_ID,
        secret: str = SECRET_KEY,
        region: str = "us-east-1",
        service: str = "appsync",
        token: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """A body and the headers botocore's SigV4 signer gives it."""
        body = json.dumps({"query": query}).encode()
        headers = {"content-type": "application/json", **(extra or {})}
        request = AWSRequest("POST", "http://testserver/graphql", data=body, headers=headers)
        SigV4Auth(Credentials(key_id, secret, token), service, region).add_auth(request)
        return body, dict(request.headers.items())


def lambda_invocations(root: Path) -> list[dict[str, Any]]:
    log = root / "lambdas" / "invocations.jsonl"
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
