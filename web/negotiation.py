"""Content negotiation for GraphQL over HTTP (GraphQL-over-HTTP spec, "Accept" and "Body").

Clients that accept ``application/graphql-response+json`` get it, with the spec's status codes
(4xx when the operation never ran); legacy clients get ``application/json`` and 200.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache


class MediaType(StrEnum):
    GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
    JSON = "application/json"
    HTML = "text/html"


def _accepted(header: str) -> list[tuple[str, float, int]]:
    accepted = []
    for index, part in enumerate(header.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            accepted.append((media.lower(), quality, index))
    return accepted


def _matches(pattern: str, media: str) -> bool:
    if pattern in ("*/*", media):
        return True
    kind, _, sub = pattern.partition("/")
    return sub == "*" and media.startswith(kind + "/")


@lru_cache(maxsize=256)
def choose(header: str | None, offered: tuple[MediaType, ...]) -> MediaType | None:
    """The offered type the client prefers: highest q, then an exact match over a wildcard,
    then the server's order. None when nothing offered is acceptable (406).

    Cached: a client sends the same ``Accept`` with every request, and parsing it costs more
    than the rest of a one-field query's HTTP handling."""
    if not header:
        return offered[0]
    accepted = _accepted(header)
    best: tuple[float, int, int] | None = None
    chosen: MediaType | None = None
    for rank, media in enumerate(offered):
        scores = [
            (-quality, 0 if pattern == media else 1, rank)
            for pattern, quality, _ in accepted
            if _matches(pattern, media)
        ]
        if not scores:
            continue
        score = min(scores, key=lambda s: (s[1], s[0]))  # the most specific pattern decides q
        if score[0] < 0 and (best is None or score < best):
            best, chosen = score, media
    return chosen
