"""Resolver caching: which resolvers ``FULL_REQUEST_CACHING`` and ``PER_RESOLVER_CACHING`` cache,
and the ``FieldResolver`` wrapper that reads through the API cache.

AppSync developer guide, "Configuring server-side caching and API payload compression",
"Caching behavior":

- **Full request caching** caches every resolver of a request, each on its own, keyed on
  ``$context.arguments`` and ``$context.identity``. **Deviation**: Syncline keys them on
  ``$context.source`` too, so a nested resolver (``Order.customer``) never answers one parent
  with another parent's entry. A resolver's own ``caching`` block, if it has one, sets its
  TTL and keys (AppSync documents no interaction; the more specific setting wins).
- **Per-resolver caching** caches only resolvers with a ``caching`` block: its ``ttl`` (the API's
  when omitted) and its ``keys`` (without keys: ``$context.arguments``, ``$context.source`` and
  ``$context.identity``, whole).

Never cached, whatever the behaviour: root ``Mutation`` fields (a hit would skip the mutation's
side effects) and subscription fields (the real-time engine runs them). A resolver that raises,
or that reports an error on its own field with ``util.append_error``, is not cached: errors and
partial results are computed again next time. Field authorization (``auth.directives``) wraps
this wrapper, so a cached result is never served to a caller who may not read the field.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLSchema

from cache.api_cache import ApiCache
from cache.keys import CachingKey, ResolverPolicy, Uncacheable, decode_value, encode_value
from resolvers.binding import FieldResolver
from resolvers.context import RequestState, ResolverContext
from schema.errors import DefinitionError, InvalidDefinition
from schema.model import ApiDefinition, CachingBehavior, FieldCoordinate

log = logging.getLogger("syncline.cache")


def resolver_policies(
    api: ApiDefinition, schema: GraphQLSchema
) -> dict[FieldCoordinate, ResolverPolicy]:
    """The cached resolvers of ``api`` under its caching behaviour, and how each is cached.

    Raises ``InvalidDefinition`` (``file:line``) for a caching key that names no entry, such as
    ``$context.arguments.`` (the loader checked the prefixes)."""
    caching = api.caching
    configured = [r for r in api.resolvers.values() if r.caching is not None]
    if caching is None or caching.behavior is CachingBehavior.OPERATION_LEVEL_CACHING:
        for resolver in configured:
            reason = "has no 'caching' block" if caching is None else "uses OPERATION_LEVEL_CACHING"
            log.warning(
                "%s: resolver caching of %s has no effect: appSync %s",
                resolver.caching.location if resolver.caching else resolver.location,
                resolver.coordinate,
                reason,
            )
        return {}
    never = {t.name for t in (schema.mutation_type, schema.subscription_type) if t is not None}
    policies: dict[FieldCoordinate, ResolverPolicy] = {}
    errors: list[DefinitionError] = []
    for coordinate, resolver in api.resolvers.items():
        if coordinate.type_name in never:
            if resolver.caching is not None:
                log.warning(
                    "%s: %s is not cached: %s fields never are",
                    resolver.caching.location,
                    coordinate,
                    coordinate.type_name,
                )
            continue
        own = resolver.caching
        if own is None and caching.behavior is not CachingBehavior.FULL_REQUEST_CACHING:
            continue
        ttl = own.ttl if own is not None and own.ttl is not None else caching.ttl
        keys: tuple[CachingKey, ...] | None = None
        if own is not None and own.keys:
            try:
                keys = tuple(CachingKey.parse(text) for text in own.keys)
            except ValueError as error:
                errors.append(DefinitionError(own.location, str(error)))
                continue
        policies[coordinate] = ResolverPolicy(coordinate, ttl, keys)
    if errors:
        raise InvalidDefinition(errors)
    return policies


def _reported_error_on(state: RequestState, since: int, ctx: ResolverContext) -> bool:
    """Whether this field appended an error (``util.append_error``) while it resolved."""
    if len(state.appended_errors) == since:
        return False
    path = ctx.path.as_list() if ctx.path is not None else None
    return any(error.path == path for error in state.appended_errors[since:])


class CachedResolver:
    """A ``FieldResolver`` that answers from the API cache, or resolves and fills it."""

    __slots__ = ("cache", "inner", "label", "policy")

    def __init__(self, inner: FieldResolver, policy: ResolverPolicy, cache: ApiCache) -> None:
        self.inner = inner
        self.policy = policy
        self.cache = cache
        self.label = policy.prefix

    async def resolve(self, ctx: ResolverContext) -> Any:
        state = ctx.request_state
        try:
            key = self.policy.key(ctx.arguments, ctx.source, state.identity, state.auth_mode)
        except Uncacheable as error:
            log.debug("%s is resolved uncached: its key is not JSON (%s)", self.label, error)
            return await self.inner.resolve(ctx)

        async def produce() -> tuple[Any, bytes | None]:
            errors_before = len(state.appended_errors)
            value = await self.inner.resolve(ctx)
            if _reported_error_on(state, errors_before, ctx):
                return value, None
            try:
                return value, encode_value(value)
            except Uncacheable as error:
                log.debug("%s result is not cached: %s", self.label, error)
                return value, None

        return await self.cache.through(self.label, key, self.policy.ttl, produce, decode_value)


class ResolverCache:
    """The cached resolvers of one API: wraps them at bind time, names their entries."""

    def __init__(self, cache: ApiCache, policies: Mapping[FieldCoordinate, ResolverPolicy]):
        self.cache = cache
        self.policies = dict(policies)

    def wrap(self, coordinate: FieldCoordinate, resolver: FieldResolver) -> FieldResolver:
        """``resolvers.binding.bind_resolvers``'s hook: the resolver, cached if it is."""
        policy = self.policies.get(coordinate)
        return resolver if policy is None else CachedResolver(resolver, policy, self.cache)
