"""Query.getPost: a fixed post, whatever the id (the bench measures the request path, not data)."""

from typing import Any

POST = {
    "id": "1",
    "title": "Benchmarking a GraphQL server",
    "author": "Ada",
    "body": "Measure the request path against a ceiling that does no GraphQL work at all.",
    "views": 42,
}


def request(ctx: Any) -> dict[str, Any]:
    return {"payload": POST}


def response(ctx: Any) -> Any:
    return ctx.result
