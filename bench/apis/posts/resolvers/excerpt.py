"""Post.excerpt: a per-item resolver (the `list-100-resolvers` case runs it 100 times a request)."""

from typing import Any


def request(ctx: Any) -> dict[str, Any]:
    return {"payload": ctx.source["body"][:24]}


def response(ctx: Any) -> Any:
    return ctx.result
