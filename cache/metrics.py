"""Cache counters per resolver, rendered in the Prometheus text exposition format.

Prometheus, "Exposition formats" (text format 0.0.4): ``# HELP`` and ``# TYPE`` lines, then one
``name{label="value"} number`` sample per line. Counters are cumulative since the process
started, as Prometheus expects (it computes rates itself), so two server processes each report
their own; sum them in the query.

The ``resolver`` label is a ``Type.field`` coordinate, or ``operation`` for operation level
caching. Label values come only from the API definition, never from requests, so the number of
series is bounded by the number of resolvers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from enum import StrEnum


class CacheEvent(StrEnum):
    HIT = "hits"
    MISS = "misses"
    """Looked up and not found, including lookups skipped while the backend is degraded."""
    EVICTION = "evictions"
    ERROR = "errors"
    """A backend operation that failed (the request was served without the cache)."""


class EvictionReason(StrEnum):
    API = "api"
    """``extensions.evict_from_api_cache`` from a mutation resolver."""
    CAPACITY = "capacity"
    """The memory backend made room (entry or byte bound)."""


_HELP: Mapping[CacheEvent, str] = {
    CacheEvent.HIT: "Lookups answered from the API cache.",
    CacheEvent.MISS: "Lookups the API cache could not answer (the resolver or operation ran).",
    CacheEvent.EVICTION: "Entries removed before their TTL, by reason.",
    CacheEvent.ERROR: "Cache backend operations that failed; the request was served uncached.",
}

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class CacheMetrics:
    """Counters of one API's cache, per resolver label."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[CacheEvent, str, EvictionReason | None]] = Counter()
        self.flushes = 0

    def count(
        self, event: CacheEvent, resolver: str, reason: EvictionReason | None = None, n: int = 1
    ) -> None:
        self.counts[(event, resolver, reason)] += n

    def value(self, event: CacheEvent, resolver: str, reason: EvictionReason | None = None) -> int:
        return self.counts[(event, resolver, reason)]

    def by_resolver(self) -> dict[str, dict[str, int]]:
        """``{resolver: {hits, misses, evictions, errors}}`` for ``/health`` and tests."""
        table: dict[str, dict[str, int]] = {}
        for (event, resolver, _), n in sorted(self.counts.items()):
            row = table.setdefault(resolver, {e.value: 0 for e in CacheEvent})
            row[event.value] += n
        return table

    def render(self, api: str, gauges: Mapping[str, tuple[str, float]] | None = None) -> str:
        """The Prometheus text for these counters; ``gauges`` maps name → (help, value)."""
        lines: list[str] = []
        api_label = f'api="{_escape(api)}"'
        for event in CacheEvent:
            name = f"syncline_cache_{event.value}_total"
            lines += [f"# HELP {name} {_HELP[event]}", f"# TYPE {name} counter"]
            for (counted, resolver, reason), n in sorted(self.counts.items(), key=_sort_key):
                if counted is not event:
                    continue
                labels = f'{api_label},resolver="{_escape(resolver)}"'
                if reason is not None:
                    labels += f',reason="{reason.value}"'
                lines.append(f"{name}{{{labels}}} {n}")
        name = "syncline_cache_flushes_total"
        lines += [
            f"# HELP {name} Whole-cache flushes (syncline cache flush, FlushApiCache).",
            f"# TYPE {name} counter",
            f"{name}{{{api_label}}} {self.flushes}",
        ]
        for gauge, (text, number) in (gauges or {}).items():
            lines += [
                f"# HELP {gauge} {text}",
                f"# TYPE {gauge} gauge",
                f"{gauge}{{{api_label}}} {_number(number)}",
            ]
        return "\n".join(lines) + "\n"


def _sort_key(item: tuple[tuple[CacheEvent, str, EvictionReason | None], int]) -> tuple[str, ...]:
    (event, resolver, reason), _ = item
    return (event.value, resolver, reason.value if reason else "")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
