"""API keys: the configured values, compared in constant time, refused once expired."""

from __future__ import annotations

import asyncio
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auth.errors import AuthFailure
from auth.modes import HttpCall, build_request_authorizer
from schema.definition import load_definition
from schema.model import AuthMode
from tests.auth.support import Clock

EXPIRES = datetime(2031, 1, 1, tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("keys")
    (root / "schema.graphql").write_text("type Query { x: String }\n")
    (root / "syncline.yml").write_text(
        textwrap.dedent(
            """\
            appSync:
              name: keys
              schema: schema.graphql
              authentication: {type: API_KEY}
              apiKeys:
                - {name: forever, value: da2-forever}
                - {name: until2031, value: da2-until-2031, expiresAt: '2031-01-01T00:30:00Z'}
            """
        )
    )
    return root


def authenticate(root: Path, key: str, now: float) -> AuthMode:
    authorizer = build_request_authorizer(load_definition(root), clock=Clock(now))
    call = HttpCall("POST", "http", "h", "/graphql", "", {"x-api-key": key}, b"{}", None)
    return asyncio.run(authorizer.authenticate(call)).mode


@pytest.mark.parametrize(
    ("key", "now", "accepted"),
    [
        pytest.param("da2-forever", EXPIRES + 10**8, True, id="no-expiry"),
        pytest.param("da2-until-2031", EXPIRES - 1, True, id="before-expiry"),
        pytest.param("da2-until-2031", EXPIRES, False, id="at-expiry-rounded-down-to-the-hour"),
        pytest.param("da2-until-2031", EXPIRES + 86400, False, id="expired"),
        pytest.param("da2-unknown", EXPIRES - 1, False, id="unknown"),
        pytest.param("DA2-FOREVER", EXPIRES - 1, False, id="case-matters"),
    ],
)
def test_keys_and_expiry(root: Path, key: str, now: float, accepted: bool):
    if accepted:
        assert authenticate(root, key, now) is AuthMode.API_KEY
        return
    with pytest.raises(AuthFailure) as failure:
        authenticate(root, key, now)
    assert (failure.value.status, failure.value.body) == (
        401,
        {
            "errors": [
                {
                    "errorType": "UnauthorizedException",
                    "message": "You are not authorized to make this call.",
                }
            ]
        },
    )
