"""SDL → a strawberry schema built at run time, whose fields Syncline then binds to resolvers.

The SDL is first built and validated by graphql-core (``schema.sdl``), which gives exact SDL
semantics (``extend type``, interfaces, defaults) and ``file:line`` errors. Each named type is
then turned into a strawberry type created at run time, and ``strawberry.Schema`` converts
them back into the executable graphql-core schema. Syncline's execution path works on that
graphql-core schema directly (``strawberry_schema._schema``): parents are plain dicts
(DynamoDB items), resolvers receive the raw argument dicts, enum values are their names.
"""

from __future__ import annotations

import enum
import keyword
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, NewType, Optional, Union

import strawberry
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
)
from strawberry.annotation import StrawberryAnnotation
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from schema.scalars import AWS_SCALARS

_BUILTIN_SCALARS: Mapping[str, Any] = {
    "String": str,
    "Int": int,
    "Float": float,
    "Boolean": bool,
    "ID": strawberry.ID,
}

#: Names a dataclass field cannot take; GraphQL allows them (``class``, ``from``, ``self``).
_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"self"}


def python_name(graphql_name: str) -> str:
    return f"{graphql_name}_" if graphql_name in _RESERVED else graphql_name


@dataclass(frozen=True)
class ExecutableSchema:
    strawberry: strawberry.Schema
    graphql: GraphQLSchema


class _Converter:
    """Walks a graphql-core schema and builds the equivalent strawberry types."""

    def __init__(self, sdl: GraphQLSchema) -> None:
        self.sdl = sdl
        self.types: dict[str, Any] = dict(_BUILTIN_SCALARS)
        self.scalar_overrides: dict[object, Any] = {}

    def annotation(self, type_: GraphQLType) -> Any:
        """A strawberry annotation for a GraphQL type reference (nullable unless NonNull)."""
        if isinstance(type_, GraphQLNonNull):
            return self._inner(type_.of_type)
        return Optional[self._inner(type_)]  # noqa: UP045 - a runtime type expression

    def _inner(self, type_: GraphQLType) -> Any:
        if isinstance(type_, GraphQLList):
            return list[self.annotation(type_.of_type)]  # type: ignore[misc]
        assert isinstance(type_, GraphQLNamedType)
        return self.types[type_.name]

    def declare(self, named: GraphQLNamedType) -> None:
        """First pass: a class (or scalar/enum/union object) per named type."""
        name = named.name
        if isinstance(named, GraphQLScalarType) and name not in _BUILTIN_SCALARS:
            spec = AWS_SCALARS[name]
            new_type = NewType(name, object)  # type: ignore[misc]
            self.types[name] = new_type
            self.scalar_overrides[new_type] = strawberry.scalar(
                name=name,
                description=named.description or spec.description,
                serialize=spec.serialize,
                parse_value=spec.parse_value,
                parse_literal=spec.parse_literal,
            )
        elif isinstance(named, GraphQLEnumType):
            # Member values are the GraphQL names, so resolvers see and return plain strings.
            members = {
                python_name(v): strawberry.enum_value(
                    v, deprecation_reason=value.deprecation_reason, description=value.description
                )
                for v, value in named.values.items()
            }
            py_enum = enum.Enum(name, members)  # type: ignore[misc]
            self.types[name] = strawberry.enum(py_enum, name=name, description=named.description)
        elif isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            # Interfaces are declared first (see _interface_depth), so the bases exist already.
            bases = tuple(self.types[i.name] for i in named.interfaces)
            self.types[name] = type(name, bases, {"__module__": __name__})
        elif isinstance(named, GraphQLInputObjectType):
            self.types[name] = type(name, (), {"__module__": __name__})

    def define(self, named: GraphQLNamedType) -> None:
        """Second pass: fields, arguments and interfaces, once every class exists."""
        name = named.name
        if isinstance(named, GraphQLUnionType):
            members = tuple(self.types[t.name] for t in named.types)
            self.types[name] = Annotated[
                Union[members],  # noqa: UP007 - a runtime type expression
                strawberry.union(name, description=named.description),
            ]
            return
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            cls = self.types[name]
            fields = {n: self._output_field(n, f) for n, f in named.fields.items()}
            self._fill(cls, fields)
            wrap: Callable[..., Any] = (
                strawberry.interface if isinstance(named, GraphQLInterfaceType) else strawberry.type
            )
            self.types[name] = wrap(cls, name=name, description=named.description)
        elif isinstance(named, GraphQLInputObjectType):
            cls = self.types[name]
            fields = {n: self._input_field(n, f) for n, f in named.fields.items()}
            self._fill(cls, fields)
            self.types[name] = strawberry.input(cls, name=name, description=named.description)

    @staticmethod
    def _fill(cls: type, fields: Mapping[str, tuple[Any, StrawberryField]]) -> None:
        cls.__annotations__ = {}
        for graphql_name, (annotation, field) in fields.items():
            cls.__annotations__[python_name(graphql_name)] = annotation
            setattr(cls, python_name(graphql_name), field)

    def _output_field(self, name: str, field: GraphQLField) -> tuple[Any, StrawberryField]:
        annotation = self.annotation(field.type)
        strawberry_field = StrawberryField(
            python_name=python_name(name),
            graphql_name=name,
            type_annotation=StrawberryAnnotation(annotation),
            description=field.description,
            deprecation_reason=field.deprecation_reason,
        )
        strawberry_field.arguments = [self._argument(n, a) for n, a in field.args.items()]
        return annotation, strawberry_field

    def _argument(self, name: str, argument: GraphQLArgument) -> StrawberryArgument:
        # Defaults are copied onto the graphql-core schema after conversion (see _bind_sdl_details),
        # because strawberry would want them as instances of the run-time input classes.
        return StrawberryArgument(
            python_name=python_name(name),
            graphql_name=name,
            type_annotation=StrawberryAnnotation(self.annotation(argument.type)),
            description=argument.description,
            deprecation_reason=argument.deprecation_reason,
        )

    def _input_field(self, name: str, field: GraphQLInputField) -> tuple[Any, StrawberryField]:
        annotation = self.annotation(field.type)
        return annotation, StrawberryField(
            python_name=python_name(name),
            graphql_name=name,
            type_annotation=StrawberryAnnotation(annotation),
            description=field.description,
            deprecation_reason=field.deprecation_reason,
            default=None,
        )


def _user_types(sdl: GraphQLSchema) -> list[GraphQLNamedType]:
    return [
        t for n, t in sdl.type_map.items() if not n.startswith("__") and n not in _BUILTIN_SCALARS
    ]


def build_executable_schema(sdl: GraphQLSchema) -> ExecutableSchema:
    """Convert the validated SDL schema into a strawberry schema and its graphql-core form."""
    converter = _Converter(sdl)
    named = _user_types(sdl)
    # Interfaces before the types that implement them, so classes can inherit from them.
    named.sort(key=lambda t: _interface_depth(t))
    for type_ in named:
        converter.declare(type_)
    for type_ in named:
        converter.define(type_)

    def root(t: GraphQLObjectType | None) -> Any:
        return converter.types[t.name] if t is not None else None

    schema = strawberry.Schema(
        query=root(sdl.query_type),
        mutation=root(sdl.mutation_type),
        subscription=root(sdl.subscription_type),
        types=[
            converter.types[t.name]
            for t in named
            if isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)
        ],
        scalar_overrides=converter.scalar_overrides,
        config=StrawberryConfig(auto_camel_case=False),
    )
    executable = schema._schema
    _bind_sdl_details(sdl, executable)
    return ExecutableSchema(strawberry=schema, graphql=executable)


def _interface_depth(type_: GraphQLNamedType) -> int:
    if isinstance(type_, GraphQLInterfaceType | GraphQLObjectType):
        return (0 if isinstance(type_, GraphQLInterfaceType) else 100) + max(
            (_interface_depth(i) + 1 for i in type_.interfaces), default=0
        )
    return 0


def _resolve_type_from_typename(value: Any, _info: Any, _type: Any) -> str | None:
    """Abstract types over plain dicts: the item's ``__typename`` names its concrete type."""
    if isinstance(value, Mapping):
        typename = value.get("__typename")
        return typename if isinstance(typename, str) else None
    return None


def _bind_sdl_details(sdl: GraphQLSchema, executable: GraphQLSchema) -> None:
    """Copy what strawberry cannot express from the SDL schema and reset strawberry's resolvers.

    Argument and input-field defaults come verbatim from the SDL; every field starts with
    graphql-core's default resolver (dict key lookup) until Syncline binds a resolver to it.
    """
    for name, sdl_type in sdl.type_map.items():
        target = executable.type_map.get(name)
        if isinstance(sdl_type, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(target, GraphQLObjectType | GraphQLInterfaceType)
            for field_name, sdl_field in sdl_type.fields.items():
                field = target.fields[field_name]
                field.resolve = None
                field.subscribe = None
                for arg_name, sdl_arg in sdl_field.args.items():
                    _copy_default(sdl_arg, field.args[arg_name])
            if isinstance(target, GraphQLObjectType):
                target.is_type_of = None
        if isinstance(sdl_type, GraphQLInputObjectType):
            assert isinstance(target, GraphQLInputObjectType)
            for field_name, sdl_input in sdl_type.fields.items():
                _copy_default(sdl_input, target.fields[field_name])
        if isinstance(target, GraphQLEnumType):
            # strawberry's enum subclass turns input values into Python enum members; the
            # plain graphql-core type hands resolvers the value, which here is the name.
            target.__class__ = GraphQLEnumType
        if isinstance(target, GraphQLInterfaceType | GraphQLUnionType):
            target.resolve_type = _resolve_type_from_typename


def _copy_default(
    source: GraphQLArgument | GraphQLInputField, target: GraphQLArgument | GraphQLInputField
) -> None:
    target.default = source.default
    target.default_value = source.default_value
