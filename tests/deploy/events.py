"""The API Gateway event fixtures of ``tests/events/``, loaded and adjusted per test."""

from __future__ import annotations

import base64
import copy
import functools
import json
from pathlib import Path
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

EVENTS = Path(__file__).resolve().parent.parent / "events"

EXAMPLE_KEY = "da2-syncline-local-example-key"
ACCESS_KEY_ID = "AKIASYNCLINEEXAMPLE"
SECRET_KEY = "syncline-example-secret-access-key"


@functools.cache
def _raw(name: str) -> str:
    return (EVENTS / f"{name}.json").read_text()


def load(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(_raw(name))
    return event


def with_body(event: dict[str, Any], body: dict[str, Any], *, base64_encoded: bool = False) -> Any:
    event = copy.deepcopy(event)
    text = json.dumps(body)
    event["body"] = base64.b64encode(text.encode()).decode() if base64_encoded else text
    event["isBase64Encoded"] = base64_encoded
    return event


def set_header(event: dict[str, Any], name: str, value: str | None) -> None:
    """Set (or with None remove) a header in both the single- and multi-value maps."""
    for key, wrap in (("headers", lambda v: v), ("multiValueHeaders", lambda v: [v])):
        headers = event.get(key)
        if headers is None:
            continue
        for existing in [k for k in headers if k.lower() == name.lower()]:
            del headers[existing]
        if value is not None:
            headers[name] = wrap(value)


def sign_sigv4(
    event: dict[str, Any],
    *,
    host: str,
    path: str,
    secret: str = SECRET_KEY,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """Sign the event's body as a client would for ``https://{host}{path}`` (botocore's signer),
    then drop the API key so SigV4 is the mode that decides."""
    event = copy.deepcopy(event)
    body = event["body"].encode()
    request = AWSRequest(
        "POST", f"https://{host}{path}", data=body, headers={"content-type": "application/json"}
    )
    SigV4Auth(Credentials(ACCESS_KEY_ID, secret), "appsync", region).add_auth(request)
    set_header(event, "x-api-key", None)
    for name, value in request.headers.items():
        set_header(event, name, value)
    return event
