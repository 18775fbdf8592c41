"""The GraphQL requests the bench measures, and the ratios Syncline is held to.

A new case is one more ``Case`` in ``CASES`` (its resolvers live in ``bench/apis/posts``); a
target is one more ``Target``. Both are plain tables so a reader sees the whole bench at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API_DIR = Path(__file__).parent / "apis" / "posts"
API_KEY = "da2-syncline-bench-key"
"""The key in ``bench/apis/posts/syncline.yml``; sent as ``x-api-key`` on every request."""

Check = Callable[[Any], str | None]
"""Inspects a response's ``data``; returns what is wrong with it, or None."""


@dataclass(frozen=True)
class Case:
    name: str
    query: str
    check: Check
    variables: dict[str, Any] | None = field(default=None)

    @property
    def body(self) -> bytes:
        """The exact POST body: wrk sends it and the ceiling keys its responses on it."""
        payload: dict[str, Any] = {"query": self.query}
        if self.variables is not None:
            payload["variables"] = self.variables
        return json.dumps(payload, separators=(",", ":")).encode()


def _check_one_field(data: Any) -> str | None:
    post = data.get("getPost") if isinstance(data, dict) else None
    if not isinstance(post, dict) or set(post) != {"id", "title", "author"}:
        return f"expected getPost with id, title, author; got {post!r}"
    return None


def _check_list(data: Any) -> str | None:
    posts = data.get("listPosts") if isinstance(data, dict) else None
    if not isinstance(posts, list) or len(posts) != 100:
        return f"expected 100 posts, got {type(posts).__name__} of {len(posts or [])}"
    fields = {"id", "title", "author", "body", "views"}
    if any(not isinstance(post, dict) or set(post) != fields for post in posts):
        return f"expected every post to have exactly {sorted(fields)}"
    return None


def _check_list_resolvers(data: Any) -> str | None:
    posts = data.get("listPosts") if isinstance(data, dict) else None
    if not isinstance(posts, list) or len(posts) != 100:
        return f"expected 100 posts, got {type(posts).__name__} of {len(posts or [])}"
    if any(post.get("excerpt") != post.get("body", "")[:24] for post in posts):
        return "expected every post's excerpt to be the first 24 characters of its body"
    return None


CASES: tuple[Case, ...] = (
    Case("one-field", '{ getPost(id: "1") { id title author } }', _check_one_field),
    Case("list-100x5", "{ listPosts { id title author body views } }", _check_list),
    Case(
        "list-100-resolvers",
        "{ listPosts { id title author body views excerpt } }",
        _check_list_resolvers,
    ),
)


@dataclass(frozen=True)
class Target:
    """``server`` must reach ``min_ratio`` of ``baseline``'s req/s on ``case``."""

    case: str
    min_ratio: float
    server: str = "syncline"
    baseline: str = "ceiling"


TARGETS: tuple[Target, ...] = (
    Target("one-field", 0.65),
    Target("one-field", 1.0, baseline="apollo"),
    Target("list-100x5", 2.0, baseline="apollo"),
    Target("list-100-resolvers", 1.0, baseline="apollo"),
)
"""Issue 9: one field at >= 65% of the ceiling and at least Apollo Server's rate; the 100-item
list at twice Apollo's; the list with a resolver per item at least Apollo's."""
