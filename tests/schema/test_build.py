"""SDL → strawberry schema: the run-time strawberry types describe exactly the SDL."""

from __future__ import annotations

from pathlib import Path

import pytest
import strawberry
from graphql import GraphQLSchema, graphql_sync, lexicographic_sort_schema, print_type

from schema.build import build_executable_schema, python_name
from schema.errors import InvalidDefinition
from schema.model import SchemaSource
from schema.sdl import build_sdl_schema

RICH_SDL = '''
"""Root queries"""
type Query @aws_api_key {
  getOrder(id: ID!): Order
  listOrders(customerId: ID!, limit: Int = 20, nextToken: String): OrderConnection!
  search(q: String): [SearchResult!]!
  node(id: ID!): Node
  echoJson(value: AWSJSON): AWSJSON
  class(from: String = "x", in: Filter = {status: PAID}): String @deprecated(reason: "use other")
}
interface Node { id: ID! }
union SearchResult = Order | OrderItem
input Filter { status: OrderStatus = PENDING, and: [Filter!] }
type Order implements Node @aws_iam {
  id: ID!
  "the customer"
  customerId: ID!
  items: [OrderItem!]!
  status: OrderStatus!
  createdAt: AWSDateTime!
  self: String
}
type OrderItem { sku: String! quantity: Int! }
type OrderConnection { items: [Order!]! nextToken: String }
enum OrderStatus { PENDING PAID @deprecated }
type Mutation { place(input: Filter!): Order }
'''

EXTENSION_SDL = """
extend type Query { extra: Int }
"""


def _build(*texts: str):
    sources = [SchemaSource(Path(f"s{i}.graphql"), t) for i, t in enumerate(texts)]
    sdl = build_sdl_schema(sources)
    return sdl, build_executable_schema(sdl)


def _printed_types(schema: GraphQLSchema, names: set[str]) -> str:
    ordered = lexicographic_sort_schema(schema)
    return "\n".join(print_type(t) for name, t in ordered.type_map.items() if name in names)


def test_strawberry_schema_prints_exactly_the_sdl():
    sdl, executable = _build(RICH_SDL, EXTENSION_SDL)
    assert isinstance(executable.strawberry, strawberry.Schema)
    names = {n for n in executable.graphql.type_map if not n.startswith("__")}
    # AWS scalars the schema never references are left out by strawberry; nothing else is.
    assert {n for n in sdl.type_map if not n.startswith("__")} - names <= {
        "AWSDate",
        "AWSTime",
        "AWSTimestamp",
        "AWSEmail",
        "AWSPhone",
        "AWSURL",
        "AWSIPAddress",
    }
    assert _printed_types(executable.graphql, names) == _printed_types(sdl, names)
    assert "extra" in executable.graphql.query_type.fields


def test_resolvers_receive_raw_argument_dicts_with_defaults_and_enum_names():
    _, executable = _build(RICH_SDL)
    schema = executable.graphql
    schema.query_type.fields["class"].resolve = lambda _root, _info, **args: repr(
        sorted(args.items())
    )
    schema.mutation_type.fields["place"].resolve = lambda _root, _info, **args: {"id": repr(args)}
    result = graphql_sync(schema, "{ class }")
    assert result.errors is None
    assert result.data == {"class": "[('from', 'x'), ('in', {'status': 'PAID'})]"}
    result = graphql_sync(schema, "mutation { place(input: {and: [{}]}) { id } }")
    assert result.errors is None
    assert result.data is not None
    assert (
        result.data["place"]["id"]
        == "{'input': {'status': 'PENDING', 'and': [{'status': 'PENDING'}]}}"
    )


def test_parents_are_plain_dicts_and_abstract_types_use_typename():
    _, executable = _build(RICH_SDL)
    schema = executable.graphql
    schema.query_type.fields["getOrder"].resolve = lambda _r, _i, **a: {
        "id": a["id"],
        "status": "PAID",
        "self": "me",
        "items": [{"sku": "s", "quantity": 2}],
    }
    schema.query_type.fields["search"].resolve = lambda _r, _i, **a: [
        {"__typename": "Order", "id": "1"},
        {"__typename": "OrderItem", "sku": "k"},
    ]
    result = graphql_sync(
        schema,
        "{ getOrder(id: 7) { id status self items { quantity } }"
        " search { __typename ... on Order { id } ... on OrderItem { sku } } }",
    )
    assert result.errors is None
    assert result.data == {
        "getOrder": {"id": "7", "status": "PAID", "self": "me", "items": [{"quantity": 2}]},
        "search": [{"__typename": "Order", "id": "1"}, {"__typename": "OrderItem", "sku": "k"}],
    }


@pytest.mark.parametrize(
    ("graphql_name", "expected"),
    [
        pytest.param("class", "class_", id="keyword"),
        pytest.param("match", "match_", id="soft-keyword"),
        pytest.param("self", "self_", id="self"),
        pytest.param("order", "order", id="plain"),
    ],
)
def test_python_names_of_keywords_are_mangled(graphql_name, expected):
    assert python_name(graphql_name) == expected


def test_schema_that_redeclares_appsync_directives_and_scalars_loads():
    redeclared = (
        "directive @aws_api_key on FIELD_DEFINITION | OBJECT\n"
        "scalar AWSDateTime\n"
        "type Query @aws_api_key { now: AWSDateTime }\n"
    )
    _, executable = _build(redeclared)
    assert "now" in executable.graphql.query_type.fields


@pytest.mark.parametrize(
    ("texts", "where", "fragment"),
    [
        pytest.param(
            ["type Query { a: Int }\n", "type Foo {\n  b: Nope\n}\n"],
            "s1.graphql:2",
            "Unknown type 'Nope'",
            id="unknown-type-second-file",
        ),
        pytest.param(
            ["type Query {\n  a: Int\n  a: Int\n}\n"],
            "s0.graphql:2",
            "can only be defined once",
            id="duplicate-field",
        ),
        pytest.param(["type Query {\n  a: Int\n"], "s0.graphql:3", "Syntax Error", id="syntax"),
        pytest.param(
            ["type Query { a: Int }\n\nscalar Money\n"],
            "s0.graphql:3",
            "custom scalar 'Money'",
            id="custom-scalar",
        ),
    ],
)
def test_schema_errors_name_file_and_line(texts, where, fragment):
    with pytest.raises(InvalidDefinition) as raised:
        _build(*texts)
    messages = [str(e) for e in raised.value.errors]
    assert any(m.startswith(where) and fragment in m for m in messages), messages
