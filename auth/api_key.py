"""API_KEY authorization: the ``x-api-key`` header against the API's configured keys.

AppSync developer guide, "API_KEY authorization": the key travels in ``x-api-key``; an unknown
or expired key is refused with ``UnauthorizedException``. API-key callers have no identity
(``ctx.identity`` is null).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from auth.modes import Authorization, Authorizer, HttpCall, register
from schema.model import ApiDefinition, ApiKey, AuthMode, AuthProvider

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

    async def authorize(self, call: HttpCall) -> Authorization | None:
        value = call.headers.get("x-api-key")
        if value is None or self.find(value) is None:
            return None
        return Authorization(AuthMode.API_KEY, None)


@register(AuthMode.API_KEY)
def api_key_authorizer(_provider: AuthProvider, api: ApiDefinition) -> Authorizer:
    return ApiKeyAuthorizer(api.api_keys)
