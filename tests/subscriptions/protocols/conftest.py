from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.subscriptions.support import serve, ticket_api


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(ticket_api(tmp_path_factory.mktemp("tickets"))) as url:
        yield url
