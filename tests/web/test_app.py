"""The served application: what its lifespan does for serving (tests of ``/graphql`` itself are
in ``test_graphql_http`` and ``test_graphql_asgi``)."""

from __future__ import annotations

import gc
from pathlib import Path

from tests.apis import HEADERS, client_for, write_api


def test_the_loaded_heap_is_frozen_while_serving_and_unfrozen_after(tmp_path: Path):
    root = write_api(tmp_path / "api", "type Query { a: Int }\n", "")
    before = gc.get_freeze_count()
    with client_for(root) as client:
        # The API and every module, loaded by now, are out of the cyclic GC's full collections.
        assert gc.get_freeze_count() > before
        response = client.post("/graphql", json={"query": "{ a }"}, headers=HEADERS)
        assert response.json() == {"data": {"a": None}}
    assert gc.get_freeze_count() == 0
