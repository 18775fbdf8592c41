"""One served API: definition → schema → bound resolvers → executor, assembled at start-up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auth.modes import RequestAuthorizer, build_request_authorizer
from cache.api_cache import ApiCache, CacheSettings
from cache.wiring import build_cache
from resolvers.binding import FieldResolver, bind_resolvers
from resolvers.dynamodb import table_store
from resolvers.registry import Runtime
from schema.build import ExecutableSchema, build_executable_schema
from schema.definition import load_definition
from schema.errors import DefinitionError, InvalidDefinition
from schema.execution import Executor
from schema.model import ApiDefinition, FieldCoordinate
from schema.sdl import build_sdl_schema
from subscriptions.wiring import Wiring, read_wiring


@dataclass(frozen=True)
class LoadedApi:
    definition: ApiDefinition
    schema: ExecutableSchema
    executor: Executor
    runtime: Runtime
    authorizer: RequestAuthorizer
    wiring: Wiring = field(default_factory=lambda: Wiring({}))
    """``@aws_subscribe``: which subscription fields each mutation field publishes to."""
    resolvers: Mapping[FieldCoordinate, FieldResolver] = field(default_factory=dict)
    cache: ApiCache | None = None
    """The API cache (``cache``), when ``appSync.caching`` is on."""


def load_api(
    api_dir: Path, data_dir: Path | None = None, cache: CacheSettings | None = None
) -> LoadedApi:
    """Load and bind everything; raises ``InvalidDefinition`` listing every problem found.

    ``cache``: where the API cache keeps entries (``appSync.caching`` says what is cached)."""
    definition = load_definition(api_dir)
    sdl = build_sdl_schema(definition.schema)
    schema = build_executable_schema(sdl)
    runtime = Runtime(definition, data_dir)
    caching = build_cache(definition, schema.graphql, runtime, cache)  # None: no appSync.caching
    resolvers = bind_resolvers(
        schema.graphql, definition, runtime, caching.wrap if caching is not None else None
    )
    if definition.tables:
        # Open the embedded tables now, data sources or not (the /dynamodb endpoint serves them
        # too), so a data file that cannot be opened is a start-up error (docs/dynamodb.md).
        try:
            table_store(runtime)
        except DefinitionError as error:
            raise InvalidDefinition([error]) from error
    wiring = read_wiring(sdl)
    authorizer = build_request_authorizer(definition, sdl, runtime)
    # Last: field checks wrap the resolvers bound above (auth.directives).
    authorizer.install_field_checks(schema.graphql)
    return LoadedApi(
        definition=definition,
        schema=schema,
        executor=(
            caching.executor(schema.graphql, definition.limits)
            if caching is not None
            else Executor(schema.graphql, definition.limits)
        ),
        runtime=runtime,
        wiring=wiring,
        resolvers=resolvers,
        authorizer=authorizer,
        cache=caching.cache if caching is not None else None,
    )
