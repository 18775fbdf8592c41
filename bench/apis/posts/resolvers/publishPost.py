"""Mutation.publishPost: the fixed post under the given id, title and author (NONE data source).

Its result is what ``onPostPublished`` subscribers receive (``@aws_subscribe``), so the
`mutation-100-subscribers` case measures a mutation plus its fan-out, not data access."""

from typing import Any

BODY = "Measure the request path against a ceiling that does no GraphQL work at all."


def request(ctx: Any) -> dict[str, Any]:
    return {"payload": {**ctx.args, "body": BODY, "views": 0}}


def response(ctx: Any) -> Any:
    return ctx.result
