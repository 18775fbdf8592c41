"""Operation level caching and cache eviction, around ``schema.execution.Executor.execute``.

AppSync developer guide, "Configuring server-side caching and API payload compression":

- **Operation level caching** stores whole query responses: the key is the operation text, its
  operation name, its variables and ``$context.identity`` (request headers are not part of it),
  and a hit answers without running any resolver. Only responses without errors are stored.
- **Eviction** ("Extensions", ``extensions.evictFromApiCache``): a mutation's resolver names one
  entry of a cached resolver by its caching keys' values; when the mutation is done the entries
  are removed, and the response's ``extensions.apiCacheEntriesDeleted`` says how many were
  (present when at least one was). It works in mutations only; in a query it is an error.

``CachingExecutor`` is the ``Executor`` of an API with a cache; an API without one keeps the
plain ``Executor`` and pays nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
    print_ast,
)

from cache.api_cache import ApiCache
from cache.keys import OPERATION_PREFIX, Uncacheable, decode_value, encode_value, operation_key
from cache.resolver import ResolverCache
from resolvers.context import RequestState
from schema.errors import ResolverError
from schema.execution import Executor, Outcome
from schema.model import CachingBehavior, FieldCoordinate, Limits


class CacheRequest:
    """``RequestState.api_cache``: the evictions one operation asked for."""

    __slots__ = ("mutation", "pending", "resolvers")

    def __init__(self, resolvers: ResolverCache, mutation: bool) -> None:
        self.resolvers = resolvers
        self.mutation = mutation
        self.pending: list[str] = []

    def evict(self, coordinate: FieldCoordinate, keys: Mapping[str, Any]) -> None:
        """Queue the eviction of one entry; ``ResolverError`` if it cannot name one."""
        if not self.mutation:
            raise ResolverError(
                "extensions.evict_from_api_cache() works in mutations only",
                "BadRequestException",
            )
        if not isinstance(keys, Mapping):
            raise ResolverError(
                "evict_from_api_cache() takes the caching keys as a dict, such as "
                "{'context.arguments.id': ctx.args['id']}",
                "BadRequestException",
            )
        policy = self.resolvers.policies.get(coordinate)
        if policy is None:
            raise ResolverError(f"{coordinate} is not cached", "BadRequestException")
        try:
            key = policy.eviction_key(keys)
        except (ValueError, Uncacheable) as error:
            raise ResolverError(str(error), "BadRequestException") from None
        if key not in self.pending:
            self.pending.append(key)


class CachingExecutor(Executor):
    """``Executor`` plus operation level caching and the evictions mutations ask for."""

    def __init__(
        self, schema: GraphQLSchema, limits: Limits, cache: ApiCache, resolvers: ResolverCache
    ) -> None:
        super().__init__(schema, limits)
        self.cache = cache
        self.resolvers = resolvers
        self.operation_level = cache.behavior is CachingBehavior.OPERATION_LEVEL_CACHING
        self._query_request = CacheRequest(resolvers, mutation=False)

    async def execute(
        self,
        document: DocumentNode,
        state: RequestState,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Outcome:
        operation = get_operation_ast(document, operation_name)
        kind = operation.operation if operation is not None else None
        if kind is OperationType.MUTATION:
            request = CacheRequest(self.resolvers, mutation=True)
            state.api_cache = request
            outcome = await super().execute(document, state, variables, operation_name)
            return await self._evict(request, outcome)
        state.api_cache = self._query_request
        if kind is not OperationType.QUERY or not self.operation_level:
            return await super().execute(document, state, variables, operation_name)
        query = document.loc.source.body if document.loc is not None else print_ast(document)
        try:
            key = operation_key(
                query,
                operation_name,
                variables,
                state.auth_mode,
                state.identity,
                state.denied_fields,
            )
        except Uncacheable:
            return await super().execute(document, state, variables, operation_name)

        async def produce() -> tuple[Outcome, bytes | None]:
            outcome = await super(CachingExecutor, self).execute(
                document, state, variables, operation_name
            )
            result = outcome.result
            if outcome.request_error or result.errors or result.data is None:
                return outcome, None
            try:
                return outcome, encode_value(result.data)
            except Uncacheable:
                return outcome, None

        return await self.cache.through(
            OPERATION_PREFIX, key, self.cache.ttl, produce, _cached_outcome
        )

    async def _evict(self, request: CacheRequest, outcome: Outcome) -> Outcome:
        if not request.pending:
            return outcome
        deleted = await self.cache.evict(request.pending)
        if not deleted:
            return outcome
        result = outcome.result
        extensions = {**(result.extensions or {}), "apiCacheEntriesDeleted": deleted}
        return Outcome(
            ExecutionResult(result.data, result.errors, extensions), outcome.request_error
        )


def _cached_outcome(payload: bytes) -> Outcome:
    return Outcome(ExecutionResult(decode_value(payload), None), False)
