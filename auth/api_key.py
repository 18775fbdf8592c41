"""API_KEY authorization: the ``x-api-key`` header against the API's configured keys.

AppSync developer guide, "API_KEY authorization": the key travels in ``x-api-key``; an unknown
or expired key is refused with ``UnauthorizedException``. API-key callers have no identity
(``ctx.identity`` is null).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from schema.model import ApiKey

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ApiKeyAuthorizer:
    def __init__(self, keys: Sequence[ApiKey], clock: Clock = _utcnow) -> None:
        self.keys = tuple(keys)
        self.clock = clock

    def find(self, value: str) -> ApiKey | None:
        """The configured key with this value, if it has not expired (compared in constant time)."""
        now = self.clock()
        for key in self.keys:
            if hmac.compare_digest(key.value.encode(), value.encode()):
                if key.expires_at is not None and key.expires_at <= now:
                    return None
                return key
        return None

    def authorize(self, headers: Mapping[str, str]) -> bool:
        value = headers.get("x-api-key")
        return value is not None and self.find(value) is not None
