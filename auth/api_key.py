"""API_KEY authorization: the ``x-api-key`` header against the API's configured keys.

AppSync developer guide, "API_KEY authorization": the key travels in ``x-api-key``; an unknown
or expired key is refused with 401 ``UnauthorizedException`` ("You are not authorized to make
this call."), the same answer for both so a caller cannot tell them apart. API-key callers have
no identity (``ctx.identity`` is null).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from auth.errors import unauthorized
from auth.modes import AuthContext, Authorization, Authorizer, Credentials, HttpCall, register
from schema.model import ApiKey, AuthMode, AuthProvider


class ApiKeyAuthorizer:
    mode = AuthMode.API_KEY

    def __init__(self, keys: Sequence[ApiKey], clock: Callable[[], float]) -> None:
        self.keys = tuple((key.value.encode(), key) for key in keys)
        self.clock = clock
        self.authorization = Authorization(AuthMode.API_KEY, None)
        """Every API-key caller's authorization (no identity), built once: it is immutable."""

    def find(self, value: str) -> ApiKey | None:
        """The configured key with this value, if it has not expired.

        Every key is compared, in constant time, so timing tells nothing about near misses.
        """
        candidate = value.encode()
        found = None
        for encoded, key in self.keys:
            if hmac.compare_digest(encoded, candidate):
                found = key
        if found is None:
            return None
        if found.expires_at is not None:
            now = datetime.fromtimestamp(self.clock(), UTC)
            if found.expires_at <= now:
                return None
        return found

    def claims(self, credentials: Credentials) -> bool:
        return credentials.api_key is not None

    async def authorize(self, call: HttpCall, credentials: Credentials) -> Authorization:
        if credentials.api_key is None or self.find(credentials.api_key) is None:
            raise unauthorized()
        return self.authorization


@register(AuthMode.API_KEY)
def api_key_authorizer(_provider: AuthProvider, context: AuthContext) -> Authorizer:
    return ApiKeyAuthorizer(context.api.api_keys, context.clock)
