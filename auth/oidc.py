"""OPENID_CONNECT authorization: an OIDC provider's token in ``Authorization``.

AppSync developer guide, "OPENID_CONNECT authorization": the token's ``iss`` is the configured
``issuer``; its keys come from the provider's discovery document
(``<issuer>/.well-known/openid-configuration`` → ``jwks_uri``), or from Syncline's own
``jwks:`` (URL or file). ``clientId`` is a regular expression the token's ``aud`` must match;
``iatTTL`` / ``authTTL`` (milliseconds) bound the time since ``iat`` / ``auth_time``; 0 or absent
means no bound. ``ctx.identity`` is ``{sub, issuer, claims}``.
"""

from __future__ import annotations

import re
from typing import Any

from auth.errors import TOKEN_EXPIRED, AuthFailure, unauthorized
from auth.identity import oidc_identity
from auth.jwks import DiscoveredJwks, KeySource, configured_jwks
from auth.jwt import VerifiedTokens, verify_jwt
from auth.modes import AuthContext, Authorization, Authorizer, Credentials, HttpCall, register
from schema.model import AuthMode, AuthProvider


def _audiences(claims: dict[str, Any]) -> list[str]:
    audience = claims.get("aud")
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list):
        return [a for a in audience if isinstance(a, str)]
    return []


class OidcAuthorizer:
    mode = AuthMode.OPENID_CONNECT

    def __init__(
        self,
        issuer: str,
        keys: KeySource,
        context: AuthContext,
        client_regex: re.Pattern[str] | None = None,
        iat_ttl_ms: float = 0,
        auth_ttl_ms: float = 0,
    ) -> None:
        self.issuer = issuer
        # Tokens carry the issuer as the provider writes it; a trailing slash in the config
        # is tolerated either way, as AppSync's console does.
        self.accepted = {issuer, issuer.rstrip("/"), issuer.rstrip("/") + "/"}
        self.keys = keys
        self.clock = context.clock
        self.verified = VerifiedTokens(context.clock)
        self.client_regex = client_regex
        self.iat_ttl = iat_ttl_ms / 1000
        self.auth_ttl = auth_ttl_ms / 1000

    def claims(self, credentials: Credentials) -> bool:
        return credentials.issuer() in self.accepted

    async def authorize(self, call: HttpCall, credentials: Credentials) -> Authorization:
        token = credentials.authorization or ""
        issuer = credentials.issuer() or ""
        claims = await verify_jwt(token, self.keys, issuer, self.clock, self.verified)
        if self.client_regex is not None and not any(
            self.client_regex.fullmatch(audience) for audience in _audiences(claims)
        ):
            raise unauthorized()
        now = self.clock()
        for ttl, claim in ((self.iat_ttl, "iat"), (self.auth_ttl, "auth_time")):
            if ttl <= 0:
                continue
            moment = claims.get(claim)
            if isinstance(moment, bool) or not isinstance(moment, int | float):
                raise unauthorized()
            if now - moment > ttl:
                raise AuthFailure(TOKEN_EXPIRED)
        return Authorization(self.mode, oidc_identity(claims, issuer))


@register(AuthMode.OPENID_CONNECT)
def oidc_authorizer(provider: AuthProvider, context: AuthContext) -> Authorizer:
    config = provider.config
    issuer = str(config["issuer"])
    keys: KeySource
    if config.get("jwks"):
        keys = configured_jwks(config["jwks"], context.api.root, provider.location, context.jwks)
    else:
        keys = DiscoveredJwks(issuer, context.jwks)
    client_id = config.get("clientId")
    return OidcAuthorizer(
        issuer,
        keys,
        context,
        re.compile(client_id) if client_id else None,
        float(config.get("iatTTL") or 0),
        float(config.get("authTTL") or 0),
    )
