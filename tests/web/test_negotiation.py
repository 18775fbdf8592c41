from __future__ import annotations

import pytest

from web.negotiation import MediaType, choose

GRAPHQL = (MediaType.JSON, MediaType.GRAPHQL_RESPONSE_JSON)
WITH_HTML = (*GRAPHQL, MediaType.HTML)


@pytest.mark.parametrize(
    ("accept", "offered", "expected"),
    [
        pytest.param(None, GRAPHQL, MediaType.JSON, id="absent"),
        pytest.param("application/json", GRAPHQL, MediaType.JSON, id="legacy"),
        pytest.param("*/*", GRAPHQL, MediaType.JSON, id="anything"),
        pytest.param(
            "application/graphql-response+json, application/json;q=0.9",
            GRAPHQL,
            MediaType.GRAPHQL_RESPONSE_JSON,
            id="spec-recommended",
        ),
        pytest.param(
            "application/json, application/graphql-response+json;q=0.5",
            GRAPHQL,
            MediaType.JSON,
            id="json-preferred",
        ),
        pytest.param("text/plain", GRAPHQL, None, id="not-acceptable"),
        pytest.param("application/json;q=0", GRAPHQL, None, id="refused"),
        pytest.param(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            WITH_HTML,
            MediaType.HTML,
            id="browser",
        ),
        pytest.param("application/json", WITH_HTML, MediaType.JSON, id="fetch-json"),
        pytest.param("*/*", WITH_HTML, MediaType.JSON, id="curl"),
    ],
)
def test_choose(accept, offered, expected):
    assert choose(accept, offered) is expected
