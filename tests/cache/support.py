"""A small API for cache tests: resolvers that count their data source runs, several callers.

Every resolver returns ``calls``, a counter its code module increments each time its data source
runs, so two responses with equal ``calls`` mean the second came from the cache. Callers are the
API key (no identity) and two IAM access keys (``alice``, ``bob``), signed with botocore.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from starlette.testclient import TestClient

from cache.api_cache import CacheSettings
from web.app import create_app

API_KEY = "da2-cache-test-key"
ADMIN_KEY = "admin-key-for-cache-tests"
IAM_KEYS = {
    "alice": ("AKIACACHEALICE", "alice-secret-access-key"),
    "bob": ("AKIACACHEBOB", "bob-secret-access-key"),
}

SCHEMA = """
type Query @aws_api_key @aws_iam {
  item(id: ID!, lang: String): Item
  plain(id: ID!): Item
  failing(id: ID!): Item
  partial(id: ID!): Item
  odd(id: ID!): Item
  evictInQuery: Int
}
type Mutation @aws_api_key @aws_iam {
  rename(id: ID!, label: String!): Item
  evict(type: String!, field: String!, keys: AWSJSON!): Int
}
type Item @aws_api_key @aws_iam {
  id: ID!  lang: String  calls: Int!  pid: Int  label: String  detail: Detail
}
type Detail @aws_api_key @aws_iam { parent: ID!  calls: Int! }
"""

COUNTING = """
import itertools
import os

_calls = itertools.count(1)


def request(ctx):
    return {"payload": {**ctx.args, "calls": next(_calls), "pid": os.getpid()}}


def response(ctx):
    return ctx.result
"""

FILES = {
    "resolvers/item.py": COUNTING,
    "resolvers/plain.py": COUNTING,
    "resolvers/detail.py": """
        import itertools

        _calls = itertools.count(1)


        def request(ctx):
            return {"payload": {"parent": ctx.source["id"], "calls": next(_calls)}}


        def response(ctx):
            return ctx.result
        """,
    "resolvers/failing.py": """
        import itertools

        from syncline import util

        _calls = itertools.count(1)


        def request(ctx):
            return {"payload": next(_calls)}


        def response(ctx):
            util.error(f"failure {ctx.result}", "Boom")
        """,
    "resolvers/partial.py": """
        import itertools

        from syncline import util

        _calls = itertools.count(1)


        def request(ctx):
            return {"payload": {"id": ctx.args["id"], "calls": next(_calls)}}


        def response(ctx):
            util.append_error("part of it failed", "Partial")
            return ctx.result
        """,
    "resolvers/odd.py": """
        import itertools

        _calls = itertools.count(1)


        class Label:
            # GraphQL's String serializes it with str(); JSON cannot hold it.
            def __str__(self):
                return "custom"


        def request(ctx):
            return {"payload": None}


        def response(ctx):
            return {"id": ctx.args["id"], "calls": next(_calls), "label": Label()}
        """,
    "resolvers/rename.py": """
        from syncline import extensions


        def request(ctx):
            return {"payload": None}


        def response(ctx):
            extensions.evict_from_api_cache(
                "Query", "item", {"context.arguments.id": ctx.args["id"]}
            )
            return {"id": ctx.args["id"], "label": ctx.args["label"], "calls": 0}
        """,
    "resolvers/evict_in_query.py": """
        from syncline import extensions


        def request(ctx):
            return {"payload": None}


        def response(ctx):
            extensions.evict_from_api_cache("Query", "item", {"context.arguments.id": "1"})
            return 1
        """,
    "resolvers/evict.py": """
        from syncline import extensions


        def request(ctx):
            return {"payload": None}


        def response(ctx):
            # AWSJSON arguments reach resolver code parsed.
            extensions.evict_from_api_cache(ctx.args["type"], ctx.args["field"], ctx.args["keys"])
            return 1
        """,
}


def config(
    caching: str, item_caching: str = "", detail_caching: str = "", name: str = "cachetest"
) -> str:
    """``syncline.yml`` with ``caching`` as the appSync.caching block (YAML, or '')."""
    keys = "".join(
        f"          - accessKeyId: {key_id}\n"
        f"            secretAccessKey: {secret}\n"
        f"            username: {user}\n"
        for user, (key_id, secret) in IAM_KEYS.items()
    )

    def resolver(coordinate: str, code: str, extra: str = "") -> str:
        text = f"    {coordinate}:\n      kind: UNIT\n      dataSource: none\n      code: {code}\n"
        if extra:
            text += textwrap.indent(textwrap.dedent(extra).strip(), "      ") + "\n"
        return text

    return (
        "appSync:\n"
        f"  name: {name}\n"
        "  schema: schema.graphql\n"
        "  authentication:\n"
        "    type: API_KEY\n"
        "  additionalAuthentications:\n"
        "    - type: AWS_IAM\n"
        "      config:\n"
        "        accessKeys:\n"
        f"{keys}"
        "  apiKeys:\n"
        f"    - name: test\n      value: {API_KEY}\n"
        "  dataSources:\n"
        "    none:\n"
        "      type: NONE\n"
        "  resolvers:\n"
        + resolver("Query.item", "resolvers/item.py", item_caching)
        + resolver("Query.plain", "resolvers/plain.py")
        + resolver("Query.failing", "resolvers/failing.py", item_caching)
        + resolver("Query.partial", "resolvers/partial.py", item_caching)
        + resolver("Query.odd", "resolvers/odd.py", item_caching)
        + resolver("Item.detail", "resolvers/detail.py", detail_caching)
        + resolver("Mutation.rename", "resolvers/rename.py")
        + resolver("Mutation.evict", "resolvers/evict.py")
        + resolver("Query.evictInQuery", "resolvers/evict_in_query.py")
        + (textwrap.indent(textwrap.dedent(caching).strip(), "  ") + "\n" if caching else "")
    )


def write_cache_api(
    root: Path,
    caching: str,
    item_caching: str = "",
    detail_caching: str = "",
    name: str = "cachetest",
) -> Path:
    """The test API in ``root``; give Redis tests a unique ``name`` (the Redis key namespace)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "schema.graphql").write_text(SCHEMA)
    (root / "syncline.yml").write_text(config(caching, item_caching, detail_caching, name))
    for name_, text in FILES.items():
        path = root / name_
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


class Clock:
    """An injectable TTL clock: time moves only when a test says so."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def client(root: Path, **settings: Any) -> TestClient:
    return TestClient(create_app(root, cache=CacheSettings(**settings)))


def headers_for(caller: str, body: bytes, url: str = "http://testserver/graphql") -> dict[str, str]:
    """``key`` (the API key) or an IAM user of ``IAM_KEYS``, signed for ``body``."""
    base = {"content-type": "application/json"}
    if caller == "key":
        return {**base, "x-api-key": API_KEY}
    key_id, secret = IAM_KEYS[caller]
    request = AWSRequest("POST", url, data=body, headers=base)
    SigV4Auth(Credentials(key_id, secret), "appsync", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def post(
    client: TestClient,
    query: str,
    variables: dict[str, Any] | None = None,
    caller: str = "key",
    operation_name: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {"query": query, "variables": variables}
    if operation_name is not None:
        payload["operationName"] = operation_name
    body = json.dumps(payload).encode()
    response = client.post("/graphql", content=body, headers=headers_for(caller, body))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result
