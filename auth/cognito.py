"""AMAZON_COGNITO_USER_POOLS authorization: a user pool's ID or access token in ``Authorization``.

AppSync developer guide, "AMAZON_COGNITO_USER_POOLS authorization", and Amazon Cognito developer
guide, "Verifying a JSON Web Token": the token is signed by a key of the pool's JWKS, ``iss`` is
``https://cognito-idp.<region>.amazonaws.com/<userPoolId>``, ``token_use`` is ``id`` or
``access``, and the app client (``aud`` of an ID token, ``client_id`` of an access token) must
match ``appIdClientRegex`` when one is configured. Groups come from ``cognito:groups`` and are
checked per field (``auth.directives``); ``defaultAction`` is reported as
``ctx.identity.defaultAuthStrategy``.

Where the keys come from (Syncline's own config keys; AWS fetches them from the pool):
``localIssuer: true`` (the local token issuer, ``auth.issuer``), ``jwks: <URL or file>``, or by
default the pool's public JWKS URL.
"""

from __future__ import annotations

import asyncio
import re

from auth.errors import unauthorized
from auth.identity import cognito_identity, source_ips
from auth.issuer import CognitoPool, LocalIssuer
from auth.jwks import Keys, KeySource, StaticJwks, UrlJwks, configured_jwks, parse_jwks
from auth.jwt import VerifiedTokens, verify_jwt
from auth.modes import AuthContext, Authorization, Authorizer, Credentials, HttpCall, register
from schema.errors import DefinitionError
from schema.model import AuthMode, AuthProvider


class CognitoAuthorizer:
    mode = AuthMode.AMAZON_COGNITO_USER_POOLS

    def __init__(
        self,
        pool: CognitoPool,
        keys: KeySource,
        context: AuthContext,
        client_regex: re.Pattern[str] | None = None,
        default_action: str = "ALLOW",
    ) -> None:
        self.pool = pool
        self.issuer = pool.issuer
        self.keys = keys
        self.clock = context.clock
        self.verified = VerifiedTokens(context.clock)
        self.client_regex = client_regex
        self.default_action = default_action

    def claims(self, credentials: Credentials) -> bool:
        return credentials.issuer() == self.issuer

    async def authorize(self, call: HttpCall, credentials: Credentials) -> Authorization:
        token = credentials.authorization or ""
        claims = await verify_jwt(token, self.keys, self.issuer, self.clock, self.verified)
        token_use = claims.get("token_use")
        if token_use not in ("id", "access"):
            raise unauthorized()
        client = claims.get("aud" if token_use == "id" else "client_id")
        if not isinstance(client, str):
            raise unauthorized()
        if self.client_regex is not None and not self.client_regex.fullmatch(client):
            raise unauthorized()
        ips = source_ips(call.headers.get("x-forwarded-for"), call.source_ip)
        identity = cognito_identity(claims, self.issuer, self.default_action, ips)
        return Authorization(self.mode, identity)


def pool_of(provider: AuthProvider) -> CognitoPool:
    pool_id = str(provider.config["userPoolId"])
    region = provider.config.get("awsRegion")
    if not region:
        prefix, separator, _ = pool_id.partition("_")
        if not separator or not prefix:
            raise DefinitionError(
                provider.location,
                f"userPoolId {pool_id!r} is not of the form <region>_<id>; set awsRegion",
            )
        region = prefix
    return CognitoPool(pool_id, str(region))


def _local_keys(issuer: LocalIssuer) -> KeySource:
    async def load() -> Keys:
        return parse_jwks(await asyncio.to_thread(issuer.jwks))

    return StaticJwks(load)


@register(AuthMode.AMAZON_COGNITO_USER_POOLS)
def cognito_authorizer(provider: AuthProvider, context: AuthContext) -> Authorizer:
    config = provider.config
    pool = pool_of(provider)
    if config.get("localIssuer"):
        if config.get("jwks"):
            raise DefinitionError(provider.location, "'jwks' and 'localIssuer' exclude each other")
        keys = _local_keys(context.local_issuer)
    elif config.get("jwks"):
        keys = configured_jwks(config["jwks"], context.api.root, provider.location, context.jwks)
    else:
        keys = UrlJwks(f"{pool.issuer}/.well-known/jwks.json", context.jwks)
    regex = config.get("appIdClientRegex")
    return CognitoAuthorizer(
        pool,
        keys,
        context,
        re.compile(regex) if regex else None,
        str(config.get("defaultAction", "ALLOW")),
    )
