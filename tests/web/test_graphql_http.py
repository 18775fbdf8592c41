"""GraphQL over HTTP: auth, content negotiation, status codes, limits and GraphiQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apis import API_KEY, HEADERS, client_for, write_api

SCHEMA = """
type Query {
  echo(text: String): String
  when(at: AWSDateTime): AWSDateTime
  node: Node
}
type Node { id: ID, child: Node }
type Mutation { bump: Int }
"""

CONFIG = """
queryDepthLimit: 3
dataSources:
  none:
    type: NONE
resolvers:
  Query.echo:
    kind: UNIT
    dataSource: none
    code: echo.py
  Query.when:
    kind: UNIT
    dataSource: none
    code: when.py
  Query.node:
    kind: UNIT
    dataSource: none
    code: node.py
  Mutation.bump:
    kind: UNIT
    dataSource: none
    code: echo.py
"""

CODE = {
    "echo.py": "def request(ctx):\n    return {'payload': ctx.args.get('text', 1)}\n\ndef response(ctx):\n    return ctx.result\n",
    "when.py": "def request(ctx):\n    return {'payload': ctx.args['at']}\n\ndef response(ctx):\n    return ctx.result\n",
    "node.py": (
        "def request(ctx):\n    return {'payload': {'id': '1', 'child': {'id': '2', 'child': {'id': '3'}}}}\n\n"
        "def response(ctx):\n    return ctx.result\n"
    ),
}

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    root = write_api(tmp_path_factory.mktemp("api") / "api", SCHEMA, CONFIG + "\n", CODE)
    (root / "syncline.yml").write_text(
        (root / "syncline.yml").read_text() + "server:\n  maxRequestBodyBytes: 2048\n"
    )
    with client_for(root) as client:
        yield client


UNAUTHORIZED = {
    "errors": [
        {
            "errorType": "UnauthorizedException",
            "message": "You are not authorized to make this call.",
        }
    ]
}


@pytest.mark.parametrize(
    "headers",
    [pytest.param({}, id="missing"), pytest.param({"x-api-key": "da2-wrong"}, id="unknown")],
)
def test_requests_without_a_valid_key_get_appsync_401(client, headers):
    response = client.post("/graphql", json={"query": "{ echo }"}, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_expired_key_is_refused(tmp_path: Path):
    root = write_api(tmp_path / "api", "type Query { a: Int }\n", "")
    config = (
        (root / "syncline.yml")
        .read_text()
        .replace(f"value: {API_KEY}", f"value: {API_KEY}\n      expiresAt: '2020-01-01T00:00:00Z'")
    )
    (root / "syncline.yml").write_text(config)
    with client_for(root) as expired:
        response = expired.post("/graphql", json={"query": "{ a }"}, headers=HEADERS)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_post_json(client):
    response = client.post("/graphql", json={"query": '{ echo(text: "hi") }'}, headers=HEADERS)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"data": {"echo": "hi"}}


def test_get_query(client):
    response = client.get(
        "/graphql",
        params={
            "query": "query($t: String) { echo(text: $t) }",
            "variables": json.dumps({"t": "g"}),
        },
        headers={**HEADERS, "accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"echo": "g"}}


def test_get_mutation_is_refused_with_405(client):
    response = client.get("/graphql", params={"query": "mutation { bump }"}, headers=HEADERS)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("query", "variables", "fragment"),
    [
        pytest.param("{ echo(", None, "Syntax Error", id="parse"),
        pytest.param("{ nope }", None, "Cannot query field 'nope'", id="validation"),
        pytest.param(
            "query($t: AWSDateTime) { when(at: $t) }",
            {"t": "yesterday"},
            "AWSDateTime",
            id="variable-coercion",
        ),
        pytest.param(
            '{ when(at: "2020-13-01T00:00:00Z") }', None, "AWSDateTime", id="scalar-literal"
        ),
        pytest.param(
            "{ node { child { child { child { id } } } } }", None, "depth", id="depth-limit"
        ),
    ],
)
@pytest.mark.parametrize(
    ("accept", "status"),
    [
        pytest.param("application/json", 200, id="legacy"),
        pytest.param(GRAPHQL_RESPONSE, 400, id="spec"),
    ],
)
def test_request_errors_status_depends_on_media_type(
    client, query, variables, fragment, accept, status
):
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={**HEADERS, "accept": accept},
    )
    assert response.status_code == status
    assert response.headers["content-type"].startswith(accept)
    body = response.json()
    assert "data" not in body
    assert fragment in body["errors"][0]["message"]


def test_bad_scalar_error_names_scalar_and_value(client):
    body = client.post(
        "/graphql", json={"query": '{ when(at: "2020-13-01T00:00:00Z") }'}, headers=HEADERS
    ).json()
    message = body["errors"][0]["message"]
    assert "AWSDateTime" in message
    assert "2020-13-01T00:00:00Z" in message


def test_field_errors_keep_200_with_graphql_response_json(client):
    response = client.post(
        "/graphql",
        json={"query": "{ node { id } echo }"},
        headers={**HEADERS, "accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        pytest.param(
            {"content": b"{nope", "headers": {"content-type": "application/json"}},
            400,
            id="bad-json",
        ),
        pytest.param(
            {"content": b"{ echo }", "headers": {"content-type": "text/plain"}},
            415,
            id="media-type",
        ),
        pytest.param({"json": {"query": "{ echo }", "pad": "x" * 4096}}, 413, id="too-large"),
        pytest.param({"json": {"variables": {}}}, 400, id="no-query"),
        pytest.param({"json": ["{ echo }"]}, 400, id="not-an-object"),
    ],
)
def test_malformed_requests(client, kwargs, status):
    headers = {**HEADERS, **kwargs.pop("headers", {})}
    response = client.post("/graphql", headers=headers, **kwargs)
    assert response.status_code == status
    assert response.json()["errors"][0]["errorType"]


def test_not_acceptable(client):
    response = client.post(
        "/graphql", json={"query": "{ echo }"}, headers={**HEADERS, "accept": "text/csv"}
    )
    assert response.status_code == 406


def test_graphiql_page_with_local_assets_and_api_key(client):
    response = client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert API_KEY in page
    assert "https://" not in page.split("<body")[0].replace("https://unpkg", "")
    assert "/graphql/assets/" in page
    assert client.get("/graphql/assets/graphiql.min.js").status_code == 200


def test_health(client):
    assert client.get("/health").json() == {
        "status": "ok",
        "api": "test",
        "subscriptions": {
            "broker": {"kind": "memory", "state": "connected"},
            "subscriptions": 0,
            "groups": 0,
        },
    }


def test_introspection_can_be_disabled(tmp_path: Path):
    root = write_api(tmp_path / "api", "type Query { a: Int }\n", "introspection: false\n")
    with client_for(root) as closed:
        body = closed.post(
            "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=HEADERS
        ).json()
    assert "introspection" in body["errors"][0]["message"].lower()


def test_resolver_count_limit(tmp_path: Path):
    root = write_api(
        tmp_path / "api",
        "type Query { list: [Item] }\ntype Item { v: Int }\n",
        """
        resolverCountLimit: 3
        dataSources:
          none:
            type: NONE
        resolvers:
          Query.list:
            kind: UNIT
            dataSource: none
            code: list.py
          Item.v:
            kind: UNIT
            dataSource: none
            code: v.py
        """,
        {
            "list.py": "def request(ctx):\n    return {'payload': [{}, {}, {}, {}]}\n\ndef response(ctx):\n    return ctx.result\n",
            "v.py": "def request(ctx):\n    return {'payload': 1}\n\ndef response(ctx):\n    return ctx.result\n",
        },
    )
    with client_for(root) as limited:
        body = limited.post("/graphql", json={"query": "{ list { v } }"}, headers=HEADERS).json()
    assert [item["v"] for item in body["data"]["list"]] == [1, 1, None, None]
    assert {e["errorType"] for e in body["errors"]} == {"ResolverCountLimitExceeded"}


def test_an_unexpected_failure_is_one_500_not_a_dead_server(client, monkeypatch):
    from schema.execution import Executor

    async def broken(*_args, **_kwargs):
        raise RuntimeError("injected")

    with monkeypatch.context() as patch:
        patch.setattr(Executor, "execute", broken)
        response = client.post("/graphql", json={"query": "{ echo }"}, headers=HEADERS)
    assert response.status_code == 500
    assert response.json() == {
        "errors": [{"message": "An internal failure occurred", "errorType": "InternalFailure"}]
    }
    assert "injected" not in response.text
    assert client.post("/graphql", json={"query": "{ echo }"}, headers=HEADERS).status_code == 200
