"""From a mutation's result to each subscription's message, without running graphql-core per event.

AppSync developer guide, "Using subscriptions for real-time data applications": "Subscriptions are
triggered from mutations and the mutation selection set is sent to subscribers." So:

1. ``mutation_payload`` takes the mutation field's executed result and renames aliased keys back
   to field names: the payload holds exactly the fields the mutation selected.
2. ``Projection`` (compiled once per subscription shape) walks the subscription's selection set
   over that payload: aliases, fragments, ``__typename``, ``@skip``/``@include``, leaf
   serialization and null propagation as GraphQL execution does. A field the mutation did not
   select is null; on a non-null field that is AppSync's error
   "Cannot return null for non-nullable type: 'AWSDateTime' within parent 'Todo' (/newTodo/created)".
   Resolvers of nested fields do not run (AppSync sends the mutation's data as is).

Why not graphql-core's ``subscribe``: graphql-core 3.3.2's per-event executors share their parent's
``_relevant_sub_fields`` memo, keyed by ids of per-event lists it keeps alive, so a long-lived
subscription grows by about 1 KB per event. A compiled projection keeps nothing per event.

Fields a subscriber may not see (auth directives) are compiled in as denied: null plus an
``Unauthorized`` error, as AppSync reports a field-level denial.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)

FieldAllowed = Callable[[str, str], bool]
"""``allowed(type_name, field_name)`` for the subscriber the projection is compiled for."""


def _included(
    node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: Mapping[str, Any]
) -> bool:
    """``@skip(if:)`` / ``@include(if:)`` (GraphQL spec, "Field Collection")."""
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        condition: Any = None
        for argument in directive.arguments or ():
            if argument.name.value == "if":
                value = argument.value
                if isinstance(value, BooleanValueNode):
                    condition = value.value
                elif isinstance(value, VariableNode):
                    condition = variables.get(value.name.value)
        if name == "skip" and condition is True:
            return False
        if name == "include" and condition is not True:
            return False
    return True


def iter_fields(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    """Every field node of a selection set, fragments flattened, type conditions ignored."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from iter_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from iter_fields(fragment.selection_set, fragments)


def response_key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def mutation_payload(
    value: Any, nodes: Sequence[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> Any:
    """The executed result of one mutation field with aliases turned back into field names."""
    if isinstance(value, list):
        return [mutation_payload(item, nodes, fragments) for item in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for node in (f for n in nodes for f in iter_fields(n.selection_set, fragments)):
        key = response_key(node)
        if key not in value:
            continue
        name = node.name.value
        item = (
            mutation_payload(value[key], [node], fragments)
            if node.selection_set is not None
            else value[key]
        )
        existing = out.get(name)
        if isinstance(existing, dict) and isinstance(item, dict):
            out[name] = {**existing, **item}
        else:
            out[name] = item
    return out


def collect_fields(
    schema: GraphQLSchema,
    runtime_type: GraphQLObjectType,
    selection_sets: Iterable[SelectionSetNode | None],
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> dict[str, list[FieldNode]]:
    """GraphQL spec "CollectFields" for one runtime object type: response key → field nodes."""
    grouped: dict[str, list[FieldNode]] = {}
    visited: set[str] = set()

    def applies(type_condition: Any) -> bool:
        if type_condition is None:
            return True
        condition = schema.get_type(type_condition.name.value)
        if condition is runtime_type:
            return True
        return is_abstract_type(condition) and schema.is_sub_type(condition, runtime_type)  # type: ignore[arg-type]

    def walk(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            if not _included(selection, variables):  # type: ignore[arg-type]
                continue
            if isinstance(selection, FieldNode):
                grouped.setdefault(response_key(selection), []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                if applies(selection.type_condition):
                    walk(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if applies(fragment.type_condition):
                    walk(fragment.selection_set)

    for selection_set in selection_sets:
        walk(selection_set)
    return grouped


@dataclass(frozen=True, slots=True)
class _Field:
    key: str
    name: str
    type: GraphQLOutputType
    sub: _ObjectPlan | _AbstractPlan | None
    denied: bool


@dataclass(frozen=True, slots=True)
class _ObjectPlan:
    type_name: str
    fields: tuple[_Field, ...]


@dataclass(frozen=True, slots=True)
class _AbstractPlan:
    by_type: Mapping[str, _ObjectPlan]


class _Null(Exception):
    """A non-null field came out null: propagate null to the nearest nullable parent."""


class _Compiler:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        allowed: FieldAllowed,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.allowed = allowed

    def object_plan(
        self, type_: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode | None]
    ) -> _ObjectPlan:
        fields = []
        grouped = collect_fields(self.schema, type_, selection_sets, self.fragments, self.variables)
        for key, nodes in grouped.items():
            name = nodes[0].name.value
            if name == "__typename":
                fields.append(_Field(key, name, type_, None, False))
                continue
            definition = type_.fields[name]
            sub = self.plan_for(definition.type, [n.selection_set for n in nodes])
            fields.append(
                _Field(key, name, definition.type, sub, not self.allowed(type_.name, name))
            )
        return _ObjectPlan(type_.name, tuple(fields))

    def plan_for(
        self, type_: GraphQLOutputType, selection_sets: Sequence[SelectionSetNode | None]
    ) -> _ObjectPlan | _AbstractPlan | None:
        while isinstance(type_, GraphQLNonNull | GraphQLList):
            type_ = type_.of_type
        if isinstance(type_, GraphQLObjectType):
            return self.object_plan(type_, selection_sets)
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            return _AbstractPlan(
                {
                    t.name: self.object_plan(t, selection_sets)
                    for t in self.schema.get_possible_types(type_)
                }
            )
        return None


class Projection:
    """One subscription shape's view of a payload, compiled once; ``render`` runs per event."""

    __slots__ = ("root", "root_key")

    def __init__(self, root_key: str, root: _Field) -> None:
        self.root_key = root_key
        self.root = root

    @classmethod
    def compile(
        cls,
        schema: GraphQLSchema,
        nodes: Sequence[FieldNode],
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        allowed: FieldAllowed,
    ) -> Projection:
        root_type = schema.subscription_type
        assert root_type is not None
        name = nodes[0].name.value
        definition = root_type.fields[name]
        compiler = _Compiler(schema, fragments, variables, allowed)
        sub = compiler.plan_for(definition.type, [n.selection_set for n in nodes])
        key = response_key(nodes[0])
        return cls(key, _Field(key, name, definition.type, sub, False))

    def render(self, payload: Any) -> dict[str, Any]:
        """``{"data": {key: value}}`` plus ``errors`` when a field failed."""
        errors: list[dict[str, Any]] = []
        try:
            value = _complete(
                self.root.type, self.root.sub, payload, [self.root_key], "Subscription", errors
            )
        except _Null:
            value = None
        result: dict[str, Any] = {"data": {self.root_key: value}}
        if errors:
            result["errors"] = errors
        return result


def _path_text(path: Sequence[str | int]) -> str:
    return "/" + "/".join(str(p) for p in path)


def _complete(
    type_: GraphQLOutputType,
    plan: _ObjectPlan | _AbstractPlan | None,
    value: Any,
    path: list[str | int],
    parent: str,
    errors: list[dict[str, Any]],
) -> Any:
    """Complete one position; raises ``_Null`` when a non-null position ends up null."""
    if isinstance(type_, GraphQLNonNull):
        if value is None:
            errors.append(
                {
                    "message": f"Cannot return null for non-nullable type: '{type_.of_type}' "
                    f"within parent '{parent}' ({_path_text(path)})",
                    "path": list(path),
                }
            )
            raise _Null
        completed = _complete_value(type_.of_type, plan, value, path, parent, errors)
        if completed is None:
            raise _Null
        return completed
    try:
        return _complete_value(type_, plan, value, path, parent, errors)
    except _Null:
        return None


def _error(errors: list[dict[str, Any]], message: str, path: list[str | int]) -> None:
    errors.append({"message": message, "path": list(path)})


def _complete_value(
    type_: GraphQLOutputType,
    plan: _ObjectPlan | _AbstractPlan | None,
    value: Any,
    path: list[str | int],
    parent: str,
    errors: list[dict[str, Any]],
) -> Any:
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        if not isinstance(value, list):
            _error(errors, f"Expected a list ({_path_text(path)})", path)
            return None
        items = []
        for index, item in enumerate(value):
            path.append(index)
            try:
                items.append(_complete(type_.of_type, plan, item, path, parent, errors))
            finally:
                path.pop()
        return items
    if plan is None:
        try:
            return type_.serialize(value)  # type: ignore[union-attr]
        except (GraphQLError, TypeError, ValueError) as error:
            message = error.message if isinstance(error, GraphQLError) else str(error)
            _error(errors, f"Can't serialize value ({_path_text(path)}) : {message}", path)
            return None
    if not isinstance(value, Mapping):
        _error(errors, f"Expected an object ({_path_text(path)})", path)
        return None
    if isinstance(plan, _AbstractPlan):
        typename = value.get("__typename")
        object_plan = plan.by_type.get(typename) if isinstance(typename, str) else None
        if object_plan is None:
            _error(
                errors,
                f"Could not determine the type of ({_path_text(path)}): the mutation did not "
                "select __typename",
                path,
            )
            return None
        plan = object_plan
    out: dict[str, Any] = {}
    for field in plan.fields:
        path.append(field.key)
        try:
            if field.name == "__typename":
                out[field.key] = plan.type_name
            elif field.denied:
                errors.append(
                    {
                        "message": f"Not Authorized to access {field.name} on type {plan.type_name}",
                        "errorType": "Unauthorized",
                        "path": list(path),
                    }
                )
                if isinstance(field.type, GraphQLNonNull):
                    raise _Null
                out[field.key] = None
            else:
                out[field.key] = _complete(
                    field.type, field.sub, value.get(field.name), path, plan.type_name, errors
                )
        finally:
            path.pop()
    return out
