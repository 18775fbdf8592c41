"""Assemble one API's cache at start-up: the backend, the cached resolvers, the executor."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLSchema

from auth.identity import api_id
from cache.api_cache import ApiCache, CacheSettings
from cache.operation import CachingExecutor
from cache.resolver import ResolverCache, resolver_policies
from resolvers.binding import FieldResolver
from resolvers.registry import Runtime
from schema.model import ApiDefinition, FieldCoordinate, Limits


@dataclass(frozen=True)
class CacheWiring:
    cache: ApiCache
    resolvers: ResolverCache

    def wrap(self, coordinate: FieldCoordinate, resolver: FieldResolver) -> FieldResolver:
        """The hook ``resolvers.binding.bind_resolvers`` calls for every bound field."""
        return self.resolvers.wrap(coordinate, resolver)

    def executor(self, schema: GraphQLSchema, limits: Limits) -> CachingExecutor:
        return CachingExecutor(schema, limits, self.cache, self.resolvers)


def build_cache(
    api: ApiDefinition,
    schema: GraphQLSchema,
    runtime: Runtime,
    settings: CacheSettings | None = None,
) -> CacheWiring | None:
    """The API's cache, or None when ``appSync.caching`` is absent or disabled.

    The backend is closed with the runtime (``runtime.exit_stack``) when the server stops.
    """
    if api.caching is None:
        resolver_policies(api, schema)  # warns about resolver caching that has no effect
        return None
    cache = ApiCache(
        api.name,
        api.caching.behavior,
        api.caching.ttl,
        settings or CacheSettings(),
        api_id(api.name),
    )
    runtime.exit_stack.push_async_callback(cache.close)
    return CacheWiring(cache, ResolverCache(cache, resolver_policies(api, schema)))
