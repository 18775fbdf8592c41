"""Query.listPosts: 100 posts of 5 fields, built once when the code file is loaded."""

from typing import Any

POSTS = [
    {
        "id": str(n),
        "title": f"Post number {n}",
        "author": f"author-{n % 7}",
        "body": f"Body of post {n}: a short paragraph of text that stands in for real content.",
        "views": n * 10,
    }
    for n in range(1, 101)
]


def request(ctx: Any) -> dict[str, Any]:
    return {"payload": POSTS}


def response(ctx: Any) -> Any:
    return ctx.result
