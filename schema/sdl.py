"""Read an API's SDL files into one validated graphql-core document, errors at ``file:line``.

AppSync provides its directives and AWS scalars without the schema declaring them (AppSync
developer guide, "Scalar types" and "Authorization directives"); ``schema/appsync.graphql``
holds those declarations and is prepended here, minus anything the schema re-declares, so a
schema written for another tool that declares them still loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    Source,
    TypeDefinitionNode,
    build_ast_schema,
    parse,
    validate_schema,
)
from graphql.language import Node
from graphql.validation.validate import validate_sdl

from schema.errors import DefinitionError
from schema.model import Location, SchemaSource

PRELUDE_PATH = Path(__file__).with_name("appsync.graphql")

#: Custom scalars are not supported by AppSync ("Scalar types in AWS AppSync"); only these are.
BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})


@cache
def prelude() -> tuple[DefinitionNode, ...]:
    """``appsync.graphql``'s definitions, parsed once per process (``schema.scalars`` reads
    its descriptions, every schema build its declarations)."""
    source = Source(PRELUDE_PATH.read_text(), str(PRELUDE_PATH))
    return tuple(parse(source).definitions)


def aws_scalar_names() -> frozenset[str]:
    from graphql import ScalarTypeDefinitionNode

    return frozenset(d.name.value for d in prelude() if isinstance(d, ScalarTypeDefinitionNode))


def node_location(node: Node | None) -> Location | None:
    if node is None or node.loc is None:
        return None
    source = node.loc.source
    return Location(Path(source.name), source.get_location(node.loc.start).line)


def error_location(error: GraphQLError) -> Location | None:
    if error.source is not None and error.locations:
        return Location(Path(error.source.name), error.locations[0].line)
    for node in error.nodes or ():
        location = node_location(node)
        if location is not None:
            return location
    return None


def _definition_name(node: DefinitionNode) -> str | None:
    if isinstance(node, TypeDefinitionNode | DirectiveDefinitionNode):
        return node.name.value
    return None


def parse_sources(sources: Sequence[SchemaSource]) -> tuple[DocumentNode, list[DefinitionError]]:
    """Parse each file on its own (so locations name the file), then join them with the prelude."""
    errors: list[DefinitionError] = []
    definitions: list[DefinitionNode] = []
    for schema_source in sources:
        try:
            document = parse(Source(schema_source.text, str(schema_source.path)))
        except GraphQLError as error:
            errors.append(DefinitionError(error_location(error), error.message))
            continue
        definitions.extend(document.definitions)
    declared = {name for d in definitions if (name := _definition_name(d))}
    declarations = [d for d in prelude() if _definition_name(d) not in declared]
    return DocumentNode(definitions=(*declarations, *definitions)), errors


def _custom_scalar_errors(document: DocumentNode) -> Iterable[DefinitionError]:
    from graphql import ScalarTypeDefinitionNode

    allowed = aws_scalar_names()
    for definition in document.definitions:
        if (
            isinstance(definition, ScalarTypeDefinitionNode)
            and definition.name.value not in allowed
        ):
            yield DefinitionError(
                node_location(definition),
                f"custom scalar '{definition.name.value}' is not supported; AppSync allows only "
                f"the built-in and AWS scalars ({', '.join(sorted(allowed))})",
            )


def build_sdl_schema(sources: Sequence[SchemaSource]) -> GraphQLSchema:
    """The API's type system as graphql-core sees it; raises ``InvalidDefinition`` on errors."""
    from schema.errors import InvalidDefinition

    document, errors = parse_sources(sources)
    if errors:
        raise InvalidDefinition(errors)
    errors.extend(_custom_scalar_errors(document))
    errors.extend(DefinitionError(error_location(e), e.message) for e in validate_sdl(document))
    if errors:
        raise InvalidDefinition(errors)
    schema = build_ast_schema(document, assume_valid_sdl=True)
    problems = validate_schema(schema)
    if problems:
        raise InvalidDefinition(DefinitionError(error_location(e), e.message) for e in problems)
    return schema
