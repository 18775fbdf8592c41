"""The GraphQL requests the bench measures, the APIs they run on, and the targets they are held to.

A new case is one more ``Case`` in ``CASES`` (its resolvers live in its API's folder); a target
is one more ``Target`` or ``LatencyTarget``. They are plain tables so a reader sees the whole
bench at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import orders

Check = Callable[[Any], str | None]
"""Inspects a response's ``data``; returns what is wrong with it, or None."""


@dataclass(frozen=True)
class Api:
    """An API folder the servers serve; ``seeded`` ones get ``bench.orders`` data first."""

    name: str
    directory: Path
    api_key: str
    """Sent as ``x-api-key`` on every request (a key of the API's ``syncline.yml``)."""
    seeded: bool = False


POSTS = Api("posts", Path(__file__).parent / "apis" / "posts", "da2-syncline-bench-key")
"""``bench/apis/posts``: NONE data sources only, so a case measures Syncline's request path."""
ORDERS = Api("orders", orders.API_DIR, orders.API_KEY, seeded=True)
"""``examples/orders`` on its embedded store, seeded with ``bench.orders.ORDERS``."""

API_DIR = POSTS.directory
API_KEY = POSTS.api_key
SUBSCRIBERS = 100
"""Subscribers connected during a case with a ``subscription`` (issue 9: a mutation with 100)."""


@dataclass(frozen=True)
class Case:
    name: str
    query: str
    check: Check
    variables: dict[str, Any] | None = field(default=None)
    api: Api = POSTS
    subscription: str | None = None
    """When set, ``SUBSCRIBERS`` clients subscribe with it while Syncline is driven, and each
    must receive every event the case's mutation publishes (``bench.subscribers``)."""

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


def _check_published(data: Any) -> str | None:
    expected = {"id": "7", "title": "Fan-out", "author": "Ada"}
    post = data.get("publishPost") if isinstance(data, dict) else None
    return None if post == expected else f"expected publishPost {expected}; got {post!r}"


CASES: tuple[Case, ...] = (
    Case("one-field", '{ getPost(id: "1") { id title author } }', _check_one_field),
    Case("list-100x5", "{ listPosts { id title author body views } }", _check_list),
    Case(
        "list-100-resolvers",
        "{ listPosts { id title author body views excerpt } }",
        _check_list_resolvers,
    ),
    Case(
        "get-order",
        orders.GET_ORDER,
        orders.check_get_order,
        variables={"id": orders.GET_ORDER_ID},
        api=ORDERS,
    ),
    Case(
        "list-orders",
        orders.LIST_ORDERS,
        orders.check_list_orders,
        variables={"customerId": orders.LIST_CUSTOMER_ID, "limit": orders.LIST_LIMIT},
        api=ORDERS,
    ),
    Case(
        "mutation-100-subscribers",
        'mutation { publishPost(id: "7", title: "Fan-out", author: "Ada") { id title author } }',
        _check_published,
        subscription="subscription { onPostPublished { id title author } }",
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
list at twice Apollo's; the list with a resolver per item at least Apollo's. The example's
cases and the mutation have no ratio target: the embedded store does real SQLite I/O off the
event loop, and Apollo's copy of them serves from memory."""


@dataclass(frozen=True)
class LatencyTarget:
    """``server``'s p99 must be at most ``max_p99_over_p50`` times its p50 on ``case``."""

    case: str
    max_p99_over_p50: float = 3.0
    server: str = "syncline"


LATENCY_TARGETS: tuple[LatencyTarget, ...] = tuple(LatencyTarget(case.name) for case in CASES)
"""Issue 9: p99 <= 3x p50 for every case at 64 connections."""
