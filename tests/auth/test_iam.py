"""SigV4 verification, against requests signed by botocore's own signer."""

from __future__ import annotations

import asyncio
import hashlib
import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.datastructures import Headers

from auth.errors import AuthFailure
from auth.iam import canonical_request, parse_authorization, remove_dot_segments
from auth.modes import Authorization, HttpCall, RequestAuthorizer, build_request_authorizer
from schema.definition import load_definition
from schema.model import AuthMode
from tests.auth.support import Clock

KEY_ID, SECRET = "AKIASIGV4TESTKEY", "sigv4-test-secret"
TEMP_ID, TEMP_SECRET, SESSION = "ASIASIGV4TEMPKEY", "sigv4-temp-secret", "session-token-xyz"
BODY = json.dumps({"query": "{ ping }"}).encode()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("iam")
    (root / "schema.graphql").write_text("type Query { ping: String }\n")
    (root / "syncline.yml").write_text(
        textwrap.dedent(
            f"""\
            appSync:
              name: iam
              schema: schema.graphql
              authentication:
                type: AWS_IAM
                config:
                  accessKeys:
                    - {{accessKeyId: {KEY_ID}, secretAccessKey: {SECRET}, region: eu-west-1}}
                    - accessKeyId: {TEMP_ID}
                      secretAccessKey: {TEMP_SECRET}
                      sessionToken: {SESSION}
                      userArn: arn:aws:sts::000000000000:assumed-role/dev/session
                      username: AROADEV:session
            """
        )
    )
    return root


@dataclass
class Signed:
    """A request as botocore signed it, and what Syncline sees of it."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    def call(self, path: str = "/graphql", query: str | None = None) -> HttpCall:
        _, _, rest = self.url.partition("://")
        host, _, path_query = rest.partition("/")
        real_query = path_query.partition("?")[2]
        # botocore signs the URL's host; the HTTP client sends it as the Host header.
        return HttpCall(
            self.method,
            "https",
            host,
            path,
            real_query if query is None else query,
            Headers(headers={"host": host, **self.headers}),
            self.body,
            "198.51.100.7",
        )


def botocore_signed(
    body: bytes = BODY,
    method: str = "POST",
    url: str = "https://example.appsync-api.eu-west-1.amazonaws.com/graphql",
    extra: dict[str, str] | None = None,
    key_id: str = KEY_ID,
    secret: str = SECRET,
    token: str | None = None,
    region: str = "eu-west-1",
    service: str = "appsync",
) -> Signed:
    headers = {"content-type": "application/json", **(extra or {})}
    request = AWSRequest(method, url, data=body or None, headers=headers)
    SigV4Auth(Credentials(key_id, secret, token), service, region).add_auth(request)
    return Signed(method, url, dict(request.headers.items()), body)


def authenticate(root: Path, call: HttpCall, clock: Clock | None = None) -> Authorization:
    authorizer: RequestAuthorizer = build_request_authorizer(
        load_definition(root), clock=clock or Clock()
    )
    return asyncio.run(authorizer.authenticate(call))


@pytest.mark.parametrize(
    "signed",
    [
        pytest.param(lambda: botocore_signed(), id="botocore"),
        pytest.param(
            lambda: botocore_signed(extra={"content-length": str(len(BODY))}),
            id="aws4-style-signs-content-length",
        ),
        pytest.param(
            lambda: botocore_signed(
                extra={"x-amz-content-sha256": hashlib.sha256(BODY).hexdigest()}
            ),
            id="js-sdk-v3-style-adds-content-sha256",
        ),
        pytest.param(
            lambda: botocore_signed(
                b"",
                "GET",
                "https://example.appsync-api.eu-west-1.amazonaws.com/graphql"
                "?query=%7B%20ping%20%7D&operationName=Ping&a=b%2Fc",
            ),
            id="get-with-query-string",
        ),
        pytest.param(
            lambda: botocore_signed(extra={"x-amz-user-agent": "aws-amplify/6  api/1"}),
            id="amplify-signs-its-user-agent",
        ),
    ],
)
def test_signatures_from_every_signer_verify(root: Path, signed: Callable[[], Signed]):
    authorization = authenticate(root, signed().call())
    assert authorization.mode is AuthMode.AWS_IAM
    assert authorization.identity["username"] == KEY_ID
    assert authorization.identity["userArn"] == f"arn:aws:iam::000000000000:user/{KEY_ID}"
    assert authorization.identity["sourceIp"] == ["198.51.100.7"]


def test_session_credentials(root: Path):
    signed = botocore_signed(key_id=TEMP_ID, secret=TEMP_SECRET, token=SESSION, region="us-east-1")
    identity = authenticate(root, signed.call()).identity
    assert identity["username"] == "AROADEV:session"
    assert identity["userArn"] == "arn:aws:sts::000000000000:assumed-role/dev/session"


def test_the_canonical_request_is_botocores(root: Path):
    url = "https://example.appsync-api.eu-west-1.amazonaws.com/graphql?b=2&a=hello%20world&a=x"
    request = AWSRequest("POST", url, data=BODY, headers={"content-type": "application/json"})
    signer = SigV4Auth(Credentials(KEY_ID, SECRET), "appsync", "eu-west-1")
    signer.add_auth(request)
    signed = Signed("POST", url, dict(request.headers.items()), BODY)
    del request.headers["Authorization"]  # what botocore signed, before it added the signature
    expected = signer.canonical_request(request)
    parts = parse_authorization(signed.headers["Authorization"])
    ours = canonical_request(signed.call(), parts.signed_headers, hashlib.sha256(BODY).hexdigest())
    assert ours == expected


@pytest.mark.parametrize(
    ("path", "normalized"),
    [
        pytest.param("/graphql", "/graphql", id="plain"),
        pytest.param("/a/./b/../graphql", "/a/graphql", id="dots"),
        pytest.param("/a/b/..", "/a/", id="trailing-dots"),
    ],
)
def test_paths_are_normalized_as_sigv4_does(path: str, normalized: str):
    assert remove_dot_segments(path) == normalized


def _tamper_header(name: str, value: str) -> Callable[[Signed], HttpCall]:
    def tamper(signed: Signed) -> HttpCall:
        headers = {**signed.headers, name: value}
        return replace(signed, headers=headers).call()

    return tamper


def _auth_rewrite(old: str, new: str) -> Callable[[Signed], HttpCall]:
    def tamper(signed: Signed) -> HttpCall:
        value = signed.headers["Authorization"]
        assert old in value
        return replace(
            signed, headers={**signed.headers, "Authorization": value.replace(old, new)}
        ).call()

    return tamper


MISMATCH = ("InvalidSignatureException", "The request signature we calculated does not match")
UNKNOWN = ("UnrecognizedClientException", "The security token included in the request is invalid.")

TAMPERING: list[Any] = [
    pytest.param(
        lambda: botocore_signed(),
        lambda s: replace(s, body=s.body.replace(b"ping", b"pong")).call(),
        MISMATCH,
        id="body",
    ),
    pytest.param(
        lambda: botocore_signed(),
        _tamper_header("content-type", "application/json; charset=latin-1"),
        MISMATCH,
        id="signed-header",
    ),
    pytest.param(
        lambda: botocore_signed(), lambda s: s.call(path="/graphql/x"), MISMATCH, id="path"
    ),
    pytest.param(
        lambda: botocore_signed(), lambda s: replace(s, method="PUT").call(), MISMATCH, id="method"
    ),
    pytest.param(lambda: botocore_signed(), lambda s: s.call(query="a=1"), MISMATCH, id="query"),
    pytest.param(
        lambda: botocore_signed(),
        lambda s: _auth_rewrite("Signature=", "Signature=0")(s),
        MISMATCH,
        id="signature",
    ),
    pytest.param(
        lambda: botocore_signed(secret="not-the-secret"), Signed.call, MISMATCH, id="secret"
    ),
    pytest.param(
        lambda: botocore_signed(key_id="AKIAUNKNOWNKEY0000"), Signed.call, UNKNOWN, id="key"
    ),
    pytest.param(
        lambda: botocore_signed(region="us-west-2"),
        Signed.call,
        ("InvalidSignatureException", "Credential should be scoped to a valid region."),
        id="region",
    ),
    pytest.param(
        lambda: botocore_signed(service="execute-api"),
        Signed.call,
        ("InvalidSignatureException", "Credential should be scoped to correct service: 'appsync'."),
        id="service",
    ),
    pytest.param(
        lambda: botocore_signed(key_id=TEMP_ID, secret=TEMP_SECRET, region="us-east-1"),
        Signed.call,
        UNKNOWN,
        id="session-token-missing",
    ),
    pytest.param(
        lambda: botocore_signed(
            key_id=TEMP_ID, secret=TEMP_SECRET, token="stolen", region="us-east-1"
        ),
        Signed.call,
        UNKNOWN,
        id="session-token-wrong",
    ),
    pytest.param(
        lambda: botocore_signed(token="unexpected"),
        Signed.call,
        UNKNOWN,
        id="token-on-long-term-key",
    ),
    pytest.param(
        lambda: botocore_signed(extra={"x-amz-content-sha256": "0" * 64}),
        Signed.call,
        (
            "InvalidSignatureException",
            "The provided 'x-amz-content-sha256' header does not match what was computed.",
        ),
        id="content-sha256",
    ),
    pytest.param(
        lambda: botocore_signed(),
        lambda s: _auth_rewrite("SignedHeaders=content-type;host;", "SignedHeaders=content-type;")(
            s
        ),
        (
            "InvalidSignatureException",
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
        ),
        id="host-not-signed",
    ),
    pytest.param(
        lambda: botocore_signed(),
        lambda s: _auth_rewrite("Signature=", "Sig=")(s),
        ("IncompleteSignatureException", "Authorization header requires 'Signature' parameter."),
        id="no-signature-parameter",
    ),
    pytest.param(
        lambda: botocore_signed(),
        lambda s: _auth_rewrite("/aws4_request", "")(s),
        ("IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements"),
        id="short-credential",
    ),
    pytest.param(
        lambda: botocore_signed(),
        lambda s: _auth_rewrite("aws4_request", "aws5_request")(s),
        ("InvalidSignatureException", "Credential should be scoped with a valid terminator"),
        id="terminator",
    ),
    pytest.param(
        lambda: botocore_signed(),
        lambda s: replace(
            s, headers={k: v for k, v in s.headers.items() if k != "X-Amz-Date"}
        ).call(),
        (
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date'",
        ),
        id="no-date",
    ),
    pytest.param(
        lambda: botocore_signed(),
        lambda s: _tamper_header("X-Amz-Date", "20200101T000000Z")(s),
        ("InvalidSignatureException", "Date in Credential scope does not match"),
        id="date-not-scope-date",
    ),
]


@pytest.mark.parametrize(("signed", "tamper", "expected"), TAMPERING)
def test_tampering_is_refused_with_awss_error(
    root: Path,
    signed: Callable[[], Signed],
    tamper: Callable[[Signed], HttpCall],
    expected: tuple[str, str],
):
    original = signed()
    with pytest.raises(AuthFailure) as failure:
        authenticate(root, tamper(original))
    assert failure.value.status == 403
    assert (str(failure.value.error_type), failure.value.message[: len(expected[1])]) == expected
    signature = original.headers["Authorization"].rpartition("Signature=")[2]
    for secret in (SECRET, TEMP_SECRET, SESSION, signature):
        assert secret not in json.dumps(failure.value.body)


@pytest.mark.parametrize(
    ("refused", "accepted", "message"),
    [
        pytest.param(310, 250, "Signature expired: ", id="replayed-after-5-minutes"),
        pytest.param(-310, -250, "Signature not yet current: ", id="signed-in-the-future"),
    ],
)
def test_signatures_are_valid_for_five_minutes(
    root: Path, refused: float, accepted: float, message: str
):
    signed = botocore_signed()
    clock = Clock()
    clock.advance(refused)
    with pytest.raises(AuthFailure) as failure:
        authenticate(root, signed.call(), clock)
    assert failure.value.message.startswith(message)
    assert failure.value.message.endswith(" 5 min.)")
    clock.advance(accepted - refused)
    assert authenticate(root, signed.call(), clock).mode is AuthMode.AWS_IAM
