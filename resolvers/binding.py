"""Bind an API definition's resolvers to the fields of the executable schema, once, at boot.

Every configured data source is built, every code file loaded and every ``Type.field`` checked
against the schema here, so a broken definition fails at start-up with ``file:line`` and never
at request time. Fields without a resolver keep graphql-core's default resolver, which reads
the parent dict's key — AppSync's behaviour for fields without a resolver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from resolvers.code import CodeModule, load_code
from resolvers.context import Info, RequestState, ResolverContext
from resolvers.pipeline import FunctionStep, PipelineResolver
from resolvers.registry import DataSourceClient, Runtime, factory_for
from resolvers.unit import UnitResolver
from schema.errors import DefinitionError, InvalidDefinition, ResolverError
from schema.model import ApiDefinition, FieldCoordinate, Location, Resolver, ResolverKind


class FieldResolver(Protocol):
    async def resolve(self, ctx: ResolverContext) -> Any: ...


class ResolverCountExceeded(ResolverError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The number of resolvers in this request exceeds the limit of {limit}",
            "ResolverCountLimitExceeded",
        )


#: AppSync's default and maximum ``resolverCountLimit`` ("Configuring GraphQL run complexity").
DEFAULT_RESOLVER_COUNT_LIMIT = 10_000


def never_suspends(resolver: FieldResolver) -> bool:
    """True when every data source the resolver calls answers without awaiting anything.

    Such a resolver (NONE data sources only) is run to completion synchronously, so the
    executor handles its value at once instead of scheduling a coroutine per field.
    """
    if isinstance(resolver, UnitResolver):
        sources = [resolver.data_source]
    elif isinstance(resolver, PipelineResolver):
        sources = [step.data_source for step in resolver.functions]
    else:
        return False
    return all(getattr(source, "never_suspends", False) for source in sources)


def field_resolver(resolver: FieldResolver, resolver_count_limit: int) -> Any:
    """The graphql-core resolve function of one bound field."""
    resolve_field = resolver.resolve

    def context(source: Any, info: GraphQLResolveInfo[Any], arguments: Any) -> ResolverContext:
        state: RequestState = info.context
        state.resolver_count += 1
        if state.resolver_count > resolver_count_limit:
            raise ResolverCountExceeded(resolver_count_limit)
        return ResolverContext(arguments, source, Info(info), state, info.path)

    if never_suspends(resolver):

        def resolve_now(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
            coroutine = resolve_field(context(source, info, arguments))
            try:
                coroutine.send(None)
            except StopIteration as done:
                return done.value
            coroutine.close()
            raise RuntimeError("a resolver on NONE data sources suspended")

        return resolve_now

    async def resolve(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
        return await resolve_field(context(source, info, arguments))

    return resolve


class _Binder:
    def __init__(self, api: ApiDefinition, runtime: Runtime) -> None:
        self.api = api
        self.runtime = runtime
        self.errors: list[DefinitionError] = []
        self.data_sources: dict[str, DataSourceClient] = {}
        for name, data_source in api.data_sources.items():
            try:
                self.data_sources[name] = factory_for(data_source.kind)(data_source, runtime)
            except DefinitionError as error:
                self.errors.append(error)
        self.functions: dict[str, FunctionStep] = {}
        for name, function in api.pipeline_functions.items():
            step = self._step(
                name,
                function.data_source,
                function.code,
                function.location,
                function.max_batch_size,
            )
            if step is not None:
                self.functions[name] = step

    def _code(self, path: Any, location: Location) -> CodeModule | None:
        if path is None:
            return None
        try:
            return load_code(self.api.root, path, location)
        except DefinitionError as error:
            self.errors.append(error)
            return None

    def _data_source(self, name: str | None, location: Location) -> DataSourceClient | None:
        client = self.data_sources.get(name or "")
        if client is None and name not in self.api.data_sources:
            self.errors.append(DefinitionError(location, f"unknown data source '{name}'"))
        return client

    def _step(
        self,
        name: str,
        data_source: str,
        code: Any,
        location: Location,
        max_batch_size: int | None = None,
    ) -> FunctionStep | None:
        client = self._data_source(data_source, location)
        module = self._code(code, location)
        if client is None:
            return None
        return FunctionStep(name, client, module, max_batch_size)

    def resolver(self, resolver: Resolver) -> FieldResolver | None:
        code = self._code(resolver.code, resolver.location)
        if resolver.kind is ResolverKind.UNIT:
            client = self._data_source(resolver.data_source, resolver.location)
            if client is None:
                return None
            return UnitResolver(client, code, resolver.max_batch_size)
        steps = []
        for name in resolver.functions:
            step = self.functions.get(name)
            if step is None:
                if name not in self.api.pipeline_functions:
                    self.errors.append(
                        DefinitionError(resolver.location, f"unknown pipeline function '{name}'")
                    )
                continue
            steps.append(step)
        return PipelineResolver(code, tuple(steps))


ResolverWrapper = Callable[[FieldCoordinate, FieldResolver], FieldResolver]
"""Wraps a bound field's resolver (the API cache: ``cache.wiring.CacheWiring.wrap``)."""


def bind_resolvers(
    schema: GraphQLSchema,
    api: ApiDefinition,
    runtime: Runtime,
    wrap: ResolverWrapper | None = None,
) -> Mapping[FieldCoordinate, FieldResolver]:
    """Set ``resolve`` on every field that has a resolver; raise ``InvalidDefinition`` on errors.

    ``wrap`` sees the resolver of every bound field but subscription fields; the
    returned mapping holds the resolvers unwrapped."""
    binder = _Binder(api, runtime)
    limit = api.limits.resolver_count_limit or DEFAULT_RESOLVER_COUNT_LIMIT
    bound: dict[FieldCoordinate, FieldResolver] = {}
    for coordinate, resolver in api.resolvers.items():
        parent = schema.type_map.get(coordinate.type_name)
        if not isinstance(parent, GraphQLObjectType) or coordinate.field_name not in parent.fields:
            binder.errors.append(
                DefinitionError(
                    resolver.location, f"resolver for {coordinate}: the schema has no such field"
                )
            )
            continue
        field_resolver_impl = binder.resolver(resolver)
        if field_resolver_impl is None:
            continue
        bound[coordinate] = field_resolver_impl
        field = parent.fields[coordinate.field_name]
        if parent is schema.subscription_type:
            # Subscription resolvers run per subscribe; the real-time engine drives them.
            continue
        if wrap is not None:
            field_resolver_impl = wrap(coordinate, field_resolver_impl)
        field.resolve = field_resolver(field_resolver_impl, limit)
    if binder.errors:
        raise InvalidDefinition(binder.errors)
    return bound
