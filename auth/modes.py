"""Which authorization mode a request is in, and who the caller is: the one entry point.

AppSync developer guide, "Configuring authorization and authentication to secure your GraphQL
APIs": an API has a default mode and additional modes; a request is in the mode whose
credentials it carries, and a request no mode accepts is refused with ``UnauthorizedException``.

How the mode is picked (AppSync documents the outcome, not the algorithm; this is the order
Syncline uses, and every transport — HTTP, both WebSocket protocols — goes through it):

1. an ``x-api-key`` header, when API_KEY is configured: API_KEY;
2. an ``Authorization`` header starting ``AWS4-HMAC-SHA256``: AWS_IAM;
3. an ``Authorization`` JWT whose ``iss`` is a configured user pool's issuer: that pool;
4. an ``Authorization`` JWT whose ``iss`` is a configured OIDC issuer: that provider;
5. any other ``Authorization`` value, when AWS_LAMBDA is configured: the Lambda authorizer.

The mode that claims a request decides it: its credentials are valid, or the request is refused
with that mode's error (no second chance with another mode).

Each mode plugs in as an ``Authorizer`` registered for its ``AuthMode`` (registering twice
raises). ``RequestAuthorizer`` holds an API's authorizers and its field rules
(``auth.directives``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from graphql import GraphQLSchema

from auth.directives import FieldAuthorizer, field_rules
from auth.errors import NO_VALID_HEADER, NOT_AUTHORIZED, UNPARSEABLE_JWT, AuthFailure
from auth.issuer import LocalIssuer
from auth.jwks import JwksFetcher
from auth.jwt import unverified_issuer
from resolvers.registry import Runtime
from schema.errors import DefinitionError, InvalidDefinition
from schema.model import ApiDefinition, AuthMode, AuthProvider, FieldCoordinate

log = logging.getLogger("syncline.auth")

#: Longest ``Authorization`` / ``x-api-key`` value looked at; longer ones are refused unread.
MAX_CREDENTIAL_LENGTH = 16 * 1024

SIGV4_PREFIX = "AWS4-HMAC-SHA256"

#: The order in which modes may claim a request (see the module docstring).
PRECEDENCE = (
    AuthMode.API_KEY,
    AuthMode.AWS_IAM,
    AuthMode.AMAZON_COGNITO_USER_POOLS,
    AuthMode.OPENID_CONNECT,
    AuthMode.AWS_LAMBDA,
)


@dataclass(slots=True)
class HttpCall:
    """What an authorizer may inspect: the request as it arrived, body included (for SigV4).

    For a WebSocket connect or subscription start, build one from the connection's headers
    (or the protocol's ``authorization`` payload), the URL it signs and the signed body.

    Read-only by convention, not frozen: one is built for every request, and a frozen
    dataclass's ``__init__`` (``object.__setattr__`` per field) costs 2.5 times as much.
    """

    method: str
    scheme: str
    host: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    source_ip: str | None
    raw_path: str | None = None
    """The path as sent on the wire (still percent-encoded), when the transport has it."""


@dataclass(frozen=True, slots=True)
class Authorization:
    mode: AuthMode
    identity: Any
    """``ctx.identity`` in AppSync's shape for ``mode`` (None for API keys)."""
    denied_fields: frozenset[FieldCoordinate] = frozenset()
    """Fields a Lambda authorizer denied for this caller (``deniedFields``)."""


class Credentials:
    """The credential headers of one call; the token's unverified issuer is read once."""

    __slots__ = ("_issuer", "_issuer_read", "api_key", "authorization")

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.api_key = headers.get("x-api-key")
        self.authorization = headers.get("authorization") or None
        self._issuer: str | None = None
        self._issuer_read = False

    def too_long(self) -> bool:
        api_key, authorization = self.api_key, self.authorization
        return (api_key is not None and len(api_key) > MAX_CREDENTIAL_LENGTH) or (
            authorization is not None and len(authorization) > MAX_CREDENTIAL_LENGTH
        )

    def is_sigv4(self) -> bool:
        return self.authorization is not None and self.authorization.startswith(SIGV4_PREFIX)

    def issuer(self) -> str | None:
        """The ``iss`` of a JWT in ``Authorization``, unverified; None if it is not a JWT."""
        if not self._issuer_read:
            self._issuer_read = True
            if self.authorization is not None and not self.is_sigv4():
                self._issuer = unverified_issuer(self.authorization)
        return self._issuer


class Authorizer(Protocol):
    mode: AuthMode

    def claims(self, credentials: Credentials) -> bool:
        """Whether the call carries this mode's kind of credentials (valid or not)."""
        ...

    async def authorize(self, call: HttpCall, credentials: Credentials) -> Authorization:
        """The caller's authorization; raises ``AuthFailure`` if the credentials are not valid."""
        ...


@dataclass
class AuthContext:
    """What authorizer factories may use: the API, its runtime (data dir, Lambda functions,
    cleanup), one clock for every time check, and the JWKS fetcher all JWT modes share."""

    api: ApiDefinition
    runtime: Runtime
    clock: Callable[[], float] = time.time
    jwks: JwksFetcher = field(init=False)
    _local_issuer: LocalIssuer | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.jwks = JwksFetcher(self.clock)

    @property
    def data_dir(self) -> Path | None:
        return self.runtime.data_dir

    @property
    def local_issuer(self) -> LocalIssuer:
        """The data dir's local token issuer (its key is loaded or created on first use)."""
        if self._local_issuer is None:
            self._local_issuer = LocalIssuer(self.data_dir)
        return self._local_issuer


AuthorizerFactory = Callable[[AuthProvider, AuthContext], Authorizer]

_FACTORIES: dict[AuthMode, AuthorizerFactory] = {}


def register(mode: AuthMode) -> Callable[[AuthorizerFactory], AuthorizerFactory]:
    def decorator(factory: AuthorizerFactory) -> AuthorizerFactory:
        if mode in _FACTORIES:
            raise RuntimeError(f"authorization mode {mode} is registered twice")
        _FACTORIES[mode] = factory
        return factory

    return decorator


def _load_builtin_modes() -> None:
    # Imported for their @register side effect; each module is one mode.
    import auth.api_key
    import auth.cognito
    import auth.iam
    import auth.lambda_authorizer
    import auth.oidc  # noqa: F401


class RequestAuthorizer:
    """An API's modes and field rules: what every transport asks about every request."""

    def __init__(
        self,
        authorizers: Sequence[Authorizer],
        fields: FieldAuthorizer,
        default_mode: AuthMode,
        context: AuthContext | None = None,
    ) -> None:
        order = {mode: index for index, mode in enumerate(PRECEDENCE)}
        self.authorizers = tuple(sorted(authorizers, key=lambda a: order[a.mode]))
        self.fields = fields
        self.default_mode = default_mode
        self.context = context
        self._jwt_modes = {a.mode for a in self.authorizers} & {
            AuthMode.AMAZON_COGNITO_USER_POOLS,
            AuthMode.OPENID_CONNECT,
        }

    async def authenticate(self, call: HttpCall) -> Authorization:
        """The caller's mode and identity; raises ``AuthFailure`` (status, AppSync body)."""
        credentials = Credentials(call.headers)
        if credentials.too_long():
            raise AuthFailure(NOT_AUTHORIZED)
        for authorizer in self.authorizers:
            if authorizer.claims(credentials):
                try:
                    return await authorizer.authorize(call, credentials)
                except AuthFailure as failure:
                    log.debug("%s refused a request: %s", authorizer.mode, failure.error_type)
                    raise
        raise self._unclaimed(credentials)

    async def authorize(self, call: HttpCall) -> Authorization | None:
        """``authenticate``, with None for any refusal (when the reason does not matter)."""
        try:
            return await self.authenticate(call)
        except AuthFailure:
            return None

    def check_field(self, type_name: str, field_name: str, authorization: Authorization) -> None:
        """Raise ``schema.errors.UnauthorizedError`` ("Not Authorized to access <field> on type
        <Type>", errorType ``Unauthorized``) if this caller may not use the field."""
        self.fields.check(
            type_name,
            field_name,
            authorization.mode,
            authorization.identity,
            authorization.denied_fields,
        )

    def allowed(self, type_name: str, field_name: str, authorization: Authorization) -> bool:
        """``check_field`` as a boolean (``subscriptions.access.FieldAccess``)."""
        rule = self.fields.rule(type_name, field_name)
        return rule is None or self.fields.allows(
            rule, authorization.mode, authorization.identity, authorization.denied_fields
        )

    def visibility_key(self, authorization: Authorization) -> Hashable:
        """Callers with equal keys may read the same fields (``subscriptions.access``), so
        they can share one payload projection per event."""
        return self.fields.visibility_key(
            authorization.mode, authorization.identity, authorization.denied_fields
        )

    def install_field_checks(self, schema: GraphQLSchema) -> int:
        """Guard the executable schema's fields that need it; call after resolvers are bound."""
        return self.fields.install(schema)

    def _unclaimed(self, credentials: Credentials) -> AuthFailure:
        if credentials.authorization is None and credentials.api_key is None:
            if self.default_mode in (
                AuthMode.AMAZON_COGNITO_USER_POOLS,
                AuthMode.OPENID_CONNECT,
            ):
                return AuthFailure(NO_VALID_HEADER)
            return AuthFailure(NOT_AUTHORIZED)
        if (
            credentials.authorization is not None
            and self._jwt_modes
            and not credentials.is_sigv4()
            and credentials.issuer() is None
        ):
            return AuthFailure(UNPARSEABLE_JWT)
        return AuthFailure(NOT_AUTHORIZED)


def build_request_authorizer(
    api: ApiDefinition,
    sdl: GraphQLSchema | None = None,
    runtime: Runtime | None = None,
    clock: Callable[[], float] = time.time,
) -> RequestAuthorizer:
    """Build every configured mode and the field rules; raises ``InvalidDefinition``.

    ``sdl`` is the API's SDL schema (``schema.sdl.build_sdl_schema``; built here if omitted):
    its AST keeps the auth directives, which the executable schema does not.
    """
    _load_builtin_modes()
    if sdl is None:
        from schema.sdl import build_sdl_schema

        sdl = build_sdl_schema(api.schema)
    context = AuthContext(api, runtime or Runtime(api), clock)
    authorizers = []
    errors = []
    for provider in api.auth_providers:
        try:
            authorizers.append(_FACTORIES[provider.mode](provider, context))
        except DefinitionError as error:
            errors.append(error)
    if errors:
        raise InvalidDefinition(errors)
    default = api.authentication
    fields = FieldAuthorizer(
        field_rules(sdl, default.mode),
        {p.mode for p in api.auth_providers},
        cognito_deny=default.mode is AuthMode.AMAZON_COGNITO_USER_POOLS
        and default.config.get("defaultAction") == "DENY",
    )
    return RequestAuthorizer(authorizers, fields, default.mode, context)
