from __future__ import annotations

from collections.abc import Iterator

import pytest

from subscriptions.uvicorn_ws import WS_PROTOCOL
from tests.subscriptions.support import ASGI_SEND, serve, ticket_api


@pytest.fixture(
    scope="module",
    params=[
        pytest.param(WS_PROTOCOL, id="frame-writer"),
        pytest.param(ASGI_SEND, id="asgi-send"),
    ],
)
def base(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[str]:
    """The ticket API, served with each of the two ways messages reach a socket."""
    with serve(ticket_api(tmp_path_factory.mktemp("tickets")), ws=request.param) as url:
        yield url
