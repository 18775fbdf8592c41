"""What travels through a broker: one mutation result, or one invalidation request.

Events are plain JSON on the wire (Redis), so every server process of an API — whatever it runs
— can decode them; the version field lets a later format coexist during a rolling upgrade.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

WIRE_VERSION = 1


class EventKind(StrEnum):
    DATA = "data"
    """A mutation field completed: ``field`` is the mutation field, ``payload`` its result."""
    INVALIDATE = "invalidate"
    """``extensions.invalidate_subscriptions``: ``field`` is the subscription field."""


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    field: str
    payload: Any
    id: str
    """For logs only: which event could not be delivered."""

    @classmethod
    def new(cls, kind: EventKind, field: str, payload: Any) -> Event:
        return cls(kind, field, payload, secrets.token_hex(6))

    def to_json(self) -> str:
        return json.dumps(
            {
                "v": WIRE_VERSION,
                "kind": self.kind.value,
                "field": self.field,
                "id": self.id,
                "payload": self.payload,
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Event:
        """Raises ``ValueError`` for anything that is not a version-1 event."""
        raw = json.loads(text)
        if not isinstance(raw, dict) or raw.get("v") != WIRE_VERSION:
            raise ValueError("not a Syncline subscription event")
        field = raw.get("field")
        if not isinstance(field, str):
            raise ValueError("event without a field")
        return cls(EventKind(str(raw.get("kind"))), field, raw.get("payload"), str(raw.get("id")))

    def describe(self) -> str:
        return f"event {self.id} ({self.kind.value} {self.field})"
