"""One served API: definition → schema → bound resolvers → executor, assembled at start-up."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from auth.modes import RequestAuthorizer, build_request_authorizer
from resolvers.binding import bind_resolvers
from resolvers.registry import Runtime
from schema.build import ExecutableSchema, build_executable_schema
from schema.definition import load_definition
from schema.execution import Executor
from schema.model import ApiDefinition
from schema.sdl import build_sdl_schema


@dataclass(frozen=True)
class LoadedApi:
    definition: ApiDefinition
    schema: ExecutableSchema
    executor: Executor
    runtime: Runtime
    authorizer: RequestAuthorizer


def load_api(api_dir: Path, data_dir: Path | None = None) -> LoadedApi:
    """Load and bind everything; raises ``InvalidDefinition`` listing every problem found."""
    definition = load_definition(api_dir)
    schema = build_executable_schema(build_sdl_schema(definition.schema))
    runtime = Runtime(definition, data_dir)
    bind_resolvers(schema.graphql, definition, runtime)
    return LoadedApi(
        definition=definition,
        schema=schema,
        executor=Executor(schema.graphql, definition.limits),
        runtime=runtime,
        authorizer=build_request_authorizer(definition),
    )
