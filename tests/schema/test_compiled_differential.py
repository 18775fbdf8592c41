"""Compiled plans against graphql-core's executor on generated schemas, data and operations.

Each example draws a schema (object types implementing an interface, a union of them, leaves of
every built-in scalar and an enum, lists and lists of lists, nullable and non-null wrappers,
fields with resolvers that answer synchronously, asynchronously, after suspending, or raise),
data for it (including nulls in non-null positions and values a scalar rejects) and an
operation (aliases, named fragments, inline fragments on the interface and union, variables,
``@skip``/``@include``). Both executors must return the same ``data`` and the same errors
(message, path, locations). Errors are compared as a set: the spec leaves their order open,
and a plan reports a resolver's error as soon as it completes, graphql-core after awaiting it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import ExecutionResult, GraphQLSchema, build_schema, execute, parse, validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schema.compiled import DocumentPlans

SCALARS = ("String", "Int", "Float", "Boolean", "ID", "Color")
RESOLVER_KINDS = ("sync", "async", "suspend", "raise")


class Model:
    """A generated schema: type name → field name → (type string, resolver kind or None)."""

    def __init__(self, types: dict[str, dict[str, tuple[str, str | None]]]) -> None:
        self.types = types

    def sdl(self) -> str:
        names = sorted(self.types)
        lines = [
            "enum Color { RED GREEN }",
            "interface Node { id: ID! }",
            f"union Any = {' | '.join(names)}",
            "type Query { root: T0  roots: [Node]  any: [Any!]  echo(x: Int): Int }",
            "type Mutation { first: T0  second: Int! }",
        ]
        for name in names:
            fields = " ".join(f"{f}: {t}" for f, (t, _) in self.types[name].items())
            lines.append(f"type {name} implements Node {{ id: ID! {fields} }}")
        return "\n".join(lines)


def _wrap(draw: st.DrawFn, named: str, lists: bool = True) -> str:
    type_ = named
    if draw(st.booleans()):
        type_ += "!"
    if lists and draw(st.integers(0, 3)) == 0:
        type_ = f"[{type_}]" + ("!" if draw(st.booleans()) else "")
        if draw(st.integers(0, 3)) == 0:
            type_ = f"[{type_}]"
    return type_


@st.composite
def models(draw: st.DrawFn) -> Model:
    count = draw(st.integers(1, 3))
    names = [f"T{i}" for i in range(count)]
    types: dict[str, dict[str, tuple[str, str | None]]] = {}
    for name in names:
        fields: dict[str, tuple[str, str | None]] = {}
        for index in range(draw(st.integers(1, 4))):
            named = draw(st.sampled_from(SCALARS))
            resolver = draw(st.sampled_from((None, None, *RESOLVER_KINDS)))
            fields[f"{name.lower()}s{index}"] = (_wrap(draw, named), resolver)
        for index in range(draw(st.integers(0, 2))):
            named = draw(st.sampled_from([*names, "Node", "Any"]))
            resolver = draw(st.sampled_from((None, None, *RESOLVER_KINDS)))
            fields[f"{name.lower()}o{index}"] = (_wrap(draw, named), resolver)
        types[name] = fields
    return Model(types)


def _named(type_: str) -> str:
    return type_.replace("[", "").replace("]", "").replace("!", "")


def _leaf_value(draw: st.DrawFn, named: str) -> Any:
    good = {
        "String": st.text(max_size=3),
        "Int": st.integers(-(2**31), 2**31 - 1),
        "Float": st.floats(allow_nan=False, allow_infinity=False, width=32),
        "Boolean": st.booleans(),
        "ID": st.one_of(st.text(max_size=3), st.integers(0, 99)),
        "Color": st.sampled_from(("RED", "GREEN")),
    }[named]
    bad = st.sampled_from((2**40, "x", 1.5, [], {}, "BLUE", float("nan")))
    return draw(st.one_of(good, good, good, bad))


def _value(draw: st.DrawFn, model: Model, type_: str, depth: int) -> Any:
    if draw(st.integers(0, 7)) == 0:
        return None  # also in non-null positions: graphql-core must report it the same way
    if type_.endswith("!"):
        type_ = type_[:-1]
    if type_.startswith("["):
        if depth <= 0:
            return []
        return [_value(draw, model, type_[1:-1], depth - 1) for _ in range(draw(st.integers(0, 2)))]
    if type_ in SCALARS:
        return _leaf_value(draw, type_)
    if depth <= 0:
        return None
    names = sorted(model.types)
    concrete = draw(st.sampled_from(names)) if type_ in ("Node", "Any") else type_
    item: dict[str, Any] = {"__typename": concrete, "id": str(draw(st.integers(0, 9)))}
    for field, (field_type, _) in model.types[concrete].items():
        item[field] = _value(draw, model, field_type, depth - 1)
    if draw(st.integers(0, 9)) == 0:
        item["__typename"] = draw(st.sampled_from(("Nope", "Color", "Query")))
    return item


class Operation:
    def __init__(self) -> None:
        self.fragments: dict[str, str] = {}
        self.aliases = 0


def _selection(draw: st.DrawFn, model: Model, type_: str, op: Operation, depth: int) -> str:
    """A selection set for the named type ``type_`` (an object type, ``Node`` or ``Any``)."""
    parts: list[str] = []
    if type_ in model.types:
        fields = model.types[type_]
        chosen = draw(st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True))
        for field in chosen:
            named = _named(fields[field][0])
            text = field
            if draw(st.booleans()):
                op.aliases += 1
                text = f"a{op.aliases}: {field}"
            text += _directive(draw, op)
            if named not in SCALARS:
                if depth <= 0:
                    continue
                text += " " + _selection(draw, model, named, op, depth - 1)
            parts.append(text)
        if not chosen or draw(st.booleans()):
            parts.append("id")
    elif type_ == "Node":
        parts.append("id")
    if draw(st.integers(0, 3)) == 0:
        parts.append("__typename")
    if type_ in ("Node", "Any") and depth > 0:
        for concrete in draw(st.lists(st.sampled_from(sorted(model.types)), max_size=2)):
            inner = _selection(draw, model, concrete, op, depth - 1)
            parts.append(f"... on {concrete}{_directive(draw, op)} {inner}")
    if type_ in model.types and depth > 0 and draw(st.integers(0, 3)) == 0:
        name = f"F{len(op.fragments)}"
        op.fragments[name] = "placeholder"
        op.fragments[name] = f"fragment {name} on {type_} " + _selection(
            draw, model, type_, op, depth - 1
        )
        parts.append(f"...{name}")
    return "{ " + " ".join(parts) + " }"


def _directive(draw: st.DrawFn, op: Operation) -> str:
    choice = draw(st.integers(0, 5))
    if choice == 0:
        return " @include(if: $flag)"
    if choice == 1:
        return " @skip(if: $flag)"
    if choice == 2:
        return f" @include(if: {str(draw(st.booleans())).lower()})"
    return ""


@st.composite
def cases(draw: st.DrawFn) -> tuple[GraphQLSchema, str, dict[str, Any], dict[str, Any], Model]:
    model = draw(models())
    schema = build_schema(model.sdl())
    op = Operation()
    mutation = draw(st.integers(0, 5)) == 0
    if mutation:
        body = "{ first " + _selection(draw, model, "T0", op, 2) + " second }"
    else:
        roots = []
        for field, named in (("root", "T0"), ("roots", "Node"), ("any", "Any")):
            if draw(st.booleans()):
                roots.append(f"{field} " + _selection(draw, model, named, op, 2))
        if draw(st.booleans()) or not roots:
            roots.append("echo(x: $x) e2: echo(x: 7)")
        body = "{ " + " ".join(roots) + " }"
    used = body + " ".join(op.fragments.values())
    definitions = []
    if "$flag" in used:
        definitions.append("$flag: Boolean!")
    if "$x" in used:
        definitions.append("$x: Int")
    signature = f"({', '.join(definitions)})" if definitions else ""
    kind = "mutation" if mutation else "query"
    query = f"{kind} Op{signature} {body}\n" + "\n".join(op.fragments.values())
    variables = {"flag": draw(st.booleans()), "x": draw(st.sampled_from((None, 1, 13)))}
    root = {
        "root": _value(draw, model, "T0", 3),
        "roots": _value(draw, model, "[Node]", 3),
        "any": _value(draw, model, "[Any!]", 3),
        "first": _value(draw, model, "T0", 3),
        "second": _value(draw, model, "Int!", 0),
    }
    return schema, query, root, variables, model


def _bind(schema: GraphQLSchema, model: Model) -> None:
    for type_name, fields in model.types.items():
        object_type: Any = schema.type_map[type_name]
        for field, (_, kind) in fields.items():
            if kind is not None:
                object_type.fields[field].resolve = _resolver(field, kind)
    # Interfaces and unions over dicts find their type by __typename (default_type_resolver).
    schema.type_map["Query"].fields["echo"].resolve = _echo  # type: ignore[attr-defined]


def _resolver(field: str, kind: str) -> Any:
    if kind == "sync":
        return lambda source, info: source.get(field)
    if kind == "raise":

        def fail(source: Any, info: Any) -> Any:
            raise ValueError(f"{field} failed at {info.path.as_list()}")

        return fail

    async def resolve(source: Any, info: Any) -> Any:
        if kind == "suspend":
            await asyncio.sleep(0)
        return source.get(field)

    return resolve


async def _echo(source: Any, info: Any, x: int | None = None) -> int | None:
    if x == 13:
        raise ValueError("unlucky")
    return x


def _errors(result: ExecutionResult) -> set[tuple[str, tuple[Any, ...], str]]:
    return {
        (
            e.message,
            tuple(e.path or ()),
            repr([(loc.line, loc.column) for loc in e.locations or ()]),
        )
        for e in result.errors or ()
    }


def _under_null(data: Any, path: tuple[Any, ...]) -> bool:
    """Whether an ancestor of ``path`` was nulled by propagation (is null in ``data``)."""
    for key in path[:-1]:
        if data is None:
            return True
        data = data[key]
    return data is None


async def _both(
    schema: GraphQLSchema, query: str, root: Any, variables: dict[str, Any]
) -> tuple[ExecutionResult, ExecutionResult]:
    document = parse(query)
    expected = execute(schema, document, root, None, variables)
    if not isinstance(expected, ExecutionResult):
        expected = await expected
    compiled = DocumentPlans(schema, document).execute(root, None, variables, None)
    assert compiled is not None, "the plan fell back to graphql-core"
    if not isinstance(compiled, ExecutionResult):
        compiled = await compiled
    return expected, compiled


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cases())
def test_compiled_plans_match_graphql_core(
    case: tuple[GraphQLSchema, str, dict[str, Any], dict[str, Any], Model],
) -> None:
    schema, query, root, variables, model = case
    _bind(schema, model)
    assert validate(schema, parse(query)) == [], query
    expected, compiled = asyncio.run(_both(schema, query, root, variables))
    assert compiled.data == expected.data, query
    # An error inside a subtree that a non-null error later nulls is reported if it happened
    # first (CollectedErrors drops it otherwise). A plan finishes a resolver that does not
    # suspend at once, graphql-core after an await, so only such errors may differ.
    got, want = _errors(compiled), _errors(expected)
    assert want - got == set(), query
    assert all(_under_null(compiled.data, path) for _, path, _ in got - want), query
