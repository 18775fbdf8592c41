"""``python -m bench.auth``: per-request authorization overhead of each mode (p50/p90/p99 µs).

Measures ``RequestAuthorizer.authenticate`` — the one entry point every transport calls — in
process, on a real API with all five modes: API key lookup; SigV4 verification of a request
botocore signed; RS256 (Cognito) and ES256 (OIDC) signature and claim checks with keys from a
JWKS served over HTTP on 127.0.0.1; a Lambda authorizer (a local function) answering once per
token, then from cache. After the run it prints how many JWKS fetches and Lambda invocations
happened: one of each, since everything after the first request is served from cache.

Also times one field check (``auth.directives``) for a field that needs one; fields open to
every configured mode have no check installed at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from starlette.datastructures import Headers

from auth.modes import Authorization, HttpCall, RequestAuthorizer, build_request_authorizer
from resolvers.registry import Runtime
from schema.definition import load_definition
from schema.model import AuthMode

POOL = "us-east-1_Bench"
QUERY = json.dumps({"query": "{ ping }"}).encode()


@contextmanager
def jwks_server(documents: dict[str, Any]) -> Iterator[tuple[str, dict[str, int]]]:
    hits: dict[str, int] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits[self.path] = hits.get(self.path, 0) + 1
            body = json.dumps(documents[self.path]).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def write_api(root: Path, base: str) -> None:
    (root / "schema.graphql").write_text(
        "type Query @aws_api_key @aws_iam @aws_cognito_user_pools @aws_oidc @aws_lambda {\n"
        "  ping: String\n"
        '  admins: String @aws_cognito_user_pools(cognito_groups: ["admins"])\n}\n'
    )
    (root / "authorizer.py").write_text(
        "def handler(event, context):\n"
        "    return {'isAuthorized': event['authorizationToken'] == 'let-me-in',"
        " 'resolverContext': {'user': 'bench'}}\n"
    )
    (root / "syncline.yml").write_text(
        f"""appSync:
  name: bench-auth
  schema: schema.graphql
  authentication: {{type: API_KEY}}
  additionalAuthentications:
    - type: AWS_IAM
      config:
        accessKeys: [{{accessKeyId: AKIABENCH, secretAccessKey: bench-secret}}]
    - type: AMAZON_COGNITO_USER_POOLS
      config: {{userPoolId: {POOL}, jwks: '{base}/cognito/jwks.json'}}
    - type: OPENID_CONNECT
      config: {{issuer: '{base}/oidc', clientId: bench}}
    - type: AWS_LAMBDA
      config: {{functionName: authorizer}}
  apiKeys: [{{name: bench, value: da2-bench-key}}]
functions:
  authorizer: {{handler: authorizer.handler, timeout: 5}}
"""
    )


def call(headers: dict[str, str], body: bytes = QUERY) -> HttpCall:
    return HttpCall(
        "POST", "https", "bench.example", "/graphql", "", Headers(headers), body, "127.0.0.1"
    )


def calls(
    base: str, cognito: rsa.RSAPrivateKey, oidc: ec.EllipticCurvePrivateKey
) -> dict[AuthMode, HttpCall]:
    now = int(time.time())
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}"
    cognito_token = jwt.encode(
        {"sub": "u", "iss": issuer, "token_use": "id", "aud": "web", "iat": now,
         "exp": now + 3600, "cognito:groups": ["admins"]},
        cognito, "RS256", headers={"kid": "c1"},
    )  # fmt: skip
    oidc_token = jwt.encode(
        {"sub": "o", "iss": f"{base}/oidc", "aud": "bench", "iat": now, "exp": now + 3600},
        oidc, "ES256", headers={"kid": "o1"},
    )  # fmt: skip
    request = AWSRequest(
        "POST",
        "https://bench.example/graphql",
        data=QUERY,
        headers={"content-type": "application/json"},
    )
    SigV4Auth(Credentials("AKIABENCH", "bench-secret"), "appsync", "us-east-1").add_auth(request)
    signed = {"host": "bench.example", **dict(request.headers.items())}
    return {
        AuthMode.API_KEY: call({"x-api-key": "da2-bench-key"}),
        AuthMode.AWS_IAM: call(signed),
        AuthMode.AMAZON_COGNITO_USER_POOLS: call({"authorization": cognito_token}),
        AuthMode.OPENID_CONNECT: call({"authorization": oidc_token}),
        AuthMode.AWS_LAMBDA: call({"authorization": "let-me-in"}),
    }


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    pick: Callable[[float], float] = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return statistics.median(ordered), pick(0.9), pick(0.99)


async def measure(authorizer: RequestAuthorizer, request: HttpCall, iterations: int) -> list[float]:
    authorization = await authorizer.authenticate(request)  # warm: fetch keys, invoke once
    assert isinstance(authorization, Authorization)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        await authorizer.authenticate(request)
        samples.append((clock() - start) / 1000)
    return samples


def field_check(authorizer: RequestAuthorizer, iterations: int) -> list[float]:
    admin = Authorization(AuthMode.AMAZON_COGNITO_USER_POOLS, {"groups": ["admins"]})
    samples = []
    clock = time.perf_counter_ns
    for _ in range(iterations):
        start = clock()
        authorizer.check_field("Query", "admins", admin)
        samples.append((clock() - start) / 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.auth", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--iterations", type=int, default=5000)
    args = parser.parse_args()
    cognito, oidc = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ec.generate_private_key(ec.SECP256R1()),
    )
    documents: dict[str, Any] = {
        "/cognito/jwks.json": {"keys": [{**RSAAlgorithm.to_jwk(cognito.public_key(), as_dict=True), "kid": "c1", "alg": "RS256"}]},
        "/oidc/jwks.json": {"keys": [{**ECAlgorithm.to_jwk(oidc.public_key(), as_dict=True), "kid": "o1", "alg": "ES256"}]},
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as directory, jwks_server(documents) as (base, hits):
        documents["/oidc/.well-known/openid-configuration"] = {"jwks_uri": f"{base}/oidc/jwks.json"}
        root = Path(directory)
        write_api(root, base)
        definition = load_definition(root)
        runtime = Runtime(definition, root / "data")
        authorizer = build_request_authorizer(definition, runtime=runtime)
        requests = calls(base, cognito, oidc)

        async def run() -> dict[str, list[float]]:
            async with runtime.exit_stack:
                results = {}
                for mode, request in requests.items():
                    results[str(mode)] = await measure(authorizer, request, args.iterations)
                return results

        results = asyncio.run(run())
        results["field check (groups)"] = field_check(authorizer, args.iterations)
        print(f"{'mode':<28}{'p50 µs':>10}{'p90 µs':>10}{'p99 µs':>10}")
        for name, samples in results.items():
            p50, p90, p99 = percentiles(samples)
            print(f"{name:<28}{p50:>10.1f}{p90:>10.1f}{p99:>10.1f}")
        lambda_ = next(a for a in authorizer.authorizers if a.mode is AuthMode.AWS_LAMBDA)
        print(
            f"\nJWKS fetches: {hits.get('/cognito/jwks.json', 0)} (Cognito), "
            f"{hits.get('/oidc/jwks.json', 0)} (OIDC), discovery "
            f"{hits.get('/oidc/.well-known/openid-configuration', 0)}; Lambda authorizer "
            f"invocations: {getattr(lambda_, 'invocations', '?')} "
            f"for {args.iterations + 1} requests per mode"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
