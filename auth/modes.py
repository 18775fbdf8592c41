"""Which authorization mode a request is in, and who the caller is.

AppSync developer guide, "Configuring authorization and authentication to secure your GraphQL
APIs": an API has a default mode and additional modes; a request is in the mode whose
credentials it carries, and a request no mode accepts is refused with ``UnauthorizedException``.

Each mode plugs in as an ``Authorizer`` registered for its ``AuthMode`` (registering twice
raises); ``RequestAuthorizer`` asks the API's configured modes in order, default first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from schema.errors import DefinitionError
from schema.model import ApiDefinition, AuthMode, AuthProvider


@dataclass(frozen=True, slots=True)
class HttpCall:
    """What an authorizer may inspect: the request as it arrived, body included (for SigV4)."""

    method: str
    scheme: str
    host: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    source_ip: str | None


@dataclass(frozen=True, slots=True)
class Authorization:
    mode: AuthMode
    identity: Any
    """``ctx.identity`` in AppSync's shape for ``mode`` (None for API keys)."""


class Authorizer(Protocol):
    async def authorize(self, call: HttpCall) -> Authorization | None:
        """The caller's authorization in this mode, or None when the call carries no valid
        credentials for it."""
        ...


AuthorizerFactory = Callable[[AuthProvider, ApiDefinition], Authorizer]

_FACTORIES: dict[AuthMode, AuthorizerFactory] = {}


def register(mode: AuthMode) -> Callable[[AuthorizerFactory], AuthorizerFactory]:
    def decorator(factory: AuthorizerFactory) -> AuthorizerFactory:
        if mode in _FACTORIES:
            raise RuntimeError(f"authorization mode {mode} is registered twice")
        _FACTORIES[mode] = factory
        return factory

    return decorator


def _load_builtin_modes() -> None:
    import auth.api_key  # noqa: F401 - registers API_KEY


class RequestAuthorizer:
    """The API's modes, asked in order (default first); the first that accepts wins."""

    def __init__(self, authorizers: Sequence[Authorizer]) -> None:
        self.authorizers = tuple(authorizers)

    async def authorize(self, call: HttpCall) -> Authorization | None:
        for authorizer in self.authorizers:
            authorization = await authorizer.authorize(call)
            if authorization is not None:
                return authorization
        return None


def build_request_authorizer(api: ApiDefinition) -> RequestAuthorizer:
    _load_builtin_modes()
    authorizers = []
    errors = []
    for provider in api.auth_providers:
        factory = _FACTORIES.get(provider.mode)
        if factory is None:
            # Parsed and accepted by the loader; enforced once its mode is implemented.
            continue
        try:
            authorizers.append(factory(provider, api))
        except DefinitionError as error:
            errors.append(error)
    if errors:
        from schema.errors import InvalidDefinition

        raise InvalidDefinition(errors)
    return RequestAuthorizer(authorizers)
