"""Compiled execution: each validated operation becomes a plan once, and runs as plain loops.

graphql-core's executor decides everything per field and per request: which fields a selection
set groups (memoized per request only), the field definition, a resolve-info tuple, a response
``Path``, the default resolver, then ``complete_value``'s chain of type tests — 4-5 µs per field,
most of a 100-item list. A plan decides it once per document, operation and the values of the
variables ``@skip``/``@include`` read (spec, "CollectFields"): each object type's grouped field
set becomes a tuple of field steps carrying their definition, nodes, constant arguments, resolver
(only where one is bound) and a completion function specialised for the return type (non-null,
list, leaf, object, abstract). At run time a leaf read from a dict parent is one ``dict.get`` and
one type test; a response path and resolve info are built only where a resolver runs or an error
is reported; resolvers on NONE data sources answer synchronously (``resolvers.binding``), and
pending resolver coroutines are gathered like graphql-core's: one is awaited in place, several
run concurrently in their own tasks, so siblings waiting for I/O overlap.

Semantics are graphql-core 3.3's (spec, "Executing Fields", "Value Completion", "Handling Field
Errors"): errors are located and collected with the same ``CollectedErrors``, a null in a
non-null position propagates to the nearest nullable parent with the same messages, paths and
locations, and mutation root fields run serially. ``tests/schema/test_compiled_differential.py``
holds both executors to identical ``data`` and ``errors`` on generated schemas and operations.
What a plan does not handle — subscriptions, ``@defer``/``@stream``, introspection root fields,
``@experimental_disable_error_propagation``, fragment arguments — makes ``compile`` return None
and the operation runs on graphql-core; an async iterable where a list is expected is completed
by a graphql-core executor built for that request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    default_field_resolver,
    default_type_resolver,
    located_error,
    visit,
)
from graphql import Visitor as AstVisitor
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.executor import CollectedErrors, invalid_return_type_error
from graphql.execution.executor import Executor as GraphQLCoreExecutor
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import Path, Undefined, inspect, is_awaitable, is_iterable
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from graphql.type.definition import GraphQLResolveInfoHelpers

Complete = Callable[["Run", Any, Path, Any], Any]
"""Completes a resolved value for one position: ``(run, result, path, info) -> value``."""

#: Directives and meta fields a plan leaves to graphql-core.
_UNSUPPORTED_DIRECTIVES = frozenset({"defer", "stream", "experimental_disable_error_propagation"})
_INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})

#: Python types that are their own serialized value for a built-in scalar (the common case,
#: decided with one ``type(value) is`` test instead of ``coerce_output_value``).
_PASSTHROUGH: dict[GraphQLScalarType, tuple[type, ...]] = {
    GraphQLString: (str,),
    GraphQLID: (str,),
    GraphQLBoolean: (bool,),
}
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1

#: Types of values that are never awaitable: ``type(value) in _PLAIN`` answers for most values
#: before graphql-core's ``is_awaitable`` (three type tests and a failing ``hasattr``) is called.
_PLAIN = frozenset({dict, list, str, int, float, bool, type(None)})


def _gather(awaitables: Any) -> Awaitable[list[Any]]:
    return asyncio.gather(*awaitables)


def _track(values: Any) -> None:
    _settle_in_background([value for value in values if is_awaitable(value)])


#: ``info.async_helpers`` for resolvers run by a plan.
_ASYNC_HELPERS = GraphQLResolveInfoHelpers(gather=_gather, track=_track)


#: ``Path`` and ``GraphQLResolveInfo`` are NamedTuples, whose generated ``__new__`` is a Python
#: function; ``tuple.__new__`` builds the same objects without that frame (one of each per
#: resolver call, a path per list item that needs one).
_new_tuple = tuple.__new__


class Unsupported(Exception):
    """The operation uses something a plan does not handle; graphql-core runs it."""


# --- Driving resolver coroutines -----------------------------------------------------------


# --- Plans -----------------------------------------------------------------------------------


class FieldStep:
    """One response key of one object type's grouped field set."""

    __slots__ = (
        "args",
        "complete",
        "details",
        "dynamic_args",
        "field_def",
        "info_head",
        "key",
        "leaf_int",
        "leaf_types",
        "name",
        "needs_info",
        "nodes",
        "non_null",
        "parent_type",
        "resolve",
        "return_type",
        "typename",
    )

    def __init__(
        self,
        key: str,
        parent_type: GraphQLObjectType,
        details: list[FieldDetails],
        field_def: GraphQLField,
        plans: OperationPlan,
    ) -> None:
        node = details[0].node
        self.key = key
        self.name = node.name.value
        self.parent_type = parent_type
        self.details = details
        self.nodes = [d.node for d in details]
        self.field_def = field_def
        self.return_type = field_def.type
        self.info_head = (self.name, self.nodes, self.return_type, parent_type)
        self.non_null = isinstance(self.return_type, GraphQLNonNull)
        self.resolve = field_def.resolve
        self.typename = self.name == "__typename"
        self.dynamic_args = False
        self.args: dict[str, Any] = {}
        if field_def.args or node.arguments:
            if _uses_variables(node):
                self.dynamic_args = True
            else:
                # Validation guarantees literal arguments coerce; computed once per plan.
                self.args = get_argument_values(field_def, node, plans.empty_variables)
        self.complete = plans.completer(self.return_type, self)
        self.needs_info = self.resolve is not None or plans.needs_info(self.return_type)
        # A leaf without a resolver: read straight from a dict parent in execute_fields.
        self.leaf_types: tuple[type, ...] | None = None
        self.leaf_int = False
        named: Any = self.return_type
        if isinstance(named, GraphQLNonNull):
            named = named.of_type
        if self.resolve is None and not self.typename and not self.dynamic_args and not self.args:
            if named in _PASSTHROUGH:
                self.leaf_types = _PASSTHROUGH[named]
            elif named is GraphQLInt:
                self.leaf_types = ()
                self.leaf_int = True


class ObjectPlan:
    __slots__ = ("fields", "leaves", "rest", "type")

    def __init__(self, type_: GraphQLObjectType, fields: tuple[FieldStep, ...]) -> None:
        self.type = type_
        self.fields = fields
        self.rest = tuple(step for step in fields if not _is_leaf(step))
        """The steps ``leaves`` does not answer: those with resolvers, objects, lists."""
        self.leaves = _leaves_function(type_, fields) if len(self.rest) < len(fields) else None
        """For a dict parent: the leaves' values in one call (``rest`` still to run)."""


def _is_leaf(step: FieldStep) -> bool:
    return step.typename or step.leaf_types is not None


def _leaves_function(
    type_: GraphQLObjectType, fields: tuple[FieldStep, ...]
) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """Python source specialised for one selection set read from a dict parent: read every
    leaf field without a resolver, and if each value is its own serialized value (a ``str``
    for String, an ``int`` in range for Int, None where nullable), return the result with
    those values, ``__typename``, and a None placeholder for the other fields (in order, for
    the general loop to fill); otherwise return None and the general loop does it all (and
    reports any error). One call and a ``dict.get`` plus a type test per leaf, instead of the
    general loop's per-field dispatch (bench list-100x5: 500 such fields a request)."""
    reads: list[str] = []
    tests: list[str] = []
    items: list[str] = []
    for number, step in enumerate(fields):
        if step.typename:
            items.append(f"{step.key!r}: {type_.name!r}")
            continue
        if step.leaf_types is None:
            items.append(f"{step.key!r}: None")
            continue
        value = f"v{number}"
        reads.append(f"    {value} = get({step.name!r})")
        if step.leaf_int:
            test = f"(type({value}) is int and {_INT_MIN} <= {value} <= {_INT_MAX})"
        else:
            test = " or ".join(f"type({value}) is {kind.__name__}" for kind in step.leaf_types)
        tests.append(test if step.non_null else f"({value} is None or {test})")
        items.append(f"{step.key!r}: {value}")
    source = "\n".join(
        [
            "def leaves(source):",
            "    get = source.get",
            *reads,
            f"    if {' and '.join(f'({test})' for test in tests) or 'True'}:",
            f"        return {{{', '.join(items)}}}",
            "    return None",
        ]
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, f"<selection on {type_.name}>", "exec"), namespace)
    return cast(Callable[[dict[str, Any]], "dict[str, Any] | None"], namespace["leaves"])


def _uses_variables(node: FieldNode) -> bool:
    found = False

    class Finder(AstVisitor):
        def enter_variable(self, *_: Any) -> None:
            nonlocal found
            found = True

    for argument in node.arguments or ():
        visit(argument, Finder())
    return found


def _directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of the variables ``@skip``/``@include`` read: a plan is per their values."""
    names: list[str] = []

    class Finder(AstVisitor):
        def enter_directive(self, node: Any, *_: Any) -> None:
            if node.name.value in _UNSUPPORTED_DIRECTIVES:
                raise Unsupported(node.name.value)
            if node.name.value in ("skip", "include"):
                for argument in node.arguments or ():
                    if isinstance(argument.value, VariableNode):
                        names.append(argument.value.name.value)

        def enter_fragment_definition(self, node: FragmentDefinitionNode, *_: Any) -> None:
            if node.variable_definitions:
                raise Unsupported("fragment arguments")

    visit(document, Finder())
    return tuple(dict.fromkeys(names))


class OperationPlan:
    """The plan of one operation for one set of ``@skip``/``@include`` variable values."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDetails],
        fragment_definitions: dict[str, FragmentDefinitionNode],
        variable_values: VariableValues,
    ) -> None:
        self.schema = schema
        self.document = document
        self.operation = operation
        self.fragments = fragments
        self.fragment_definitions = fragment_definitions
        self.variable_values = variable_values
        self.empty_variables = VariableValues({}, {})
        self.serial = operation.operation is OperationType.MUTATION
        root_type = schema.get_root_type(operation.operation)
        if root_type is None:
            raise Unsupported("no root type")
        self._object_plans: dict[tuple[GraphQLObjectType, int], ObjectPlan] = {}
        self._completers: dict[tuple[GraphQLObjectType, int], Complete] = {}
        self._keep: list[Any] = []
        """Steps whose ids key the caches above, kept alive so no id is reused."""
        grouped, defers, _ = collect_fields(
            schema, fragments, variable_values, root_type, operation
        )
        if defers:
            raise Unsupported("defer")
        self.root = self._object_plan(root_type, grouped)

    def _object_plan(
        self, type_: GraphQLObjectType, grouped: Mapping[str, list[FieldDetails]]
    ) -> ObjectPlan:
        steps = []
        for key, details in grouped.items():
            name = details[0].node.name.value
            if name in _INTROSPECTION_ROOTS:
                raise Unsupported("introspection")
            if any(d.fragment_variable_values is not None for d in details):
                raise Unsupported("fragment arguments")
            field_def = self.schema.get_field(type_, name)
            if field_def is None:
                continue  # graphql-core skips unknown fields too (validation rejects them)
            steps.append(FieldStep(key, type_, list(details), field_def, self))
        return ObjectPlan(type_, tuple(steps))

    def subplan(self, type_: GraphQLObjectType, step: FieldStep) -> ObjectPlan:
        """The plan of ``step``'s selection set on the object type ``type_`` (cached)."""
        key = (type_, id(step))
        plan = self._object_plans.get(key)
        if plan is None:
            grouped, defers, _ = collect_subfields(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                type_,
                step.details,
            )
            if defers:
                raise Unsupported("defer")
            plan = self._object_plan(type_, grouped)
            self._object_plans[key] = plan
            self._keep.append(step)
        return plan

    def needs_info(self, type_: GraphQLOutputType) -> bool:
        """Whether completing ``type_`` can call code that reads resolve info."""
        while isinstance(type_, GraphQLNonNull | GraphQLList):
            type_ = type_.of_type
        if isinstance(type_, GraphQLAbstractType):
            return True
        return isinstance(type_, GraphQLObjectType) and type_.is_type_of is not None

    def completer(self, type_: GraphQLOutputType, step: FieldStep) -> Complete:
        if isinstance(type_, GraphQLNonNull):
            return _non_null(self.completer(type_.of_type, step), step)
        if isinstance(type_, GraphQLList):
            return _list(self.completer(type_.of_type, step), type_.of_type, step, self)
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            return _leaf(type_)
        if isinstance(type_, GraphQLObjectType):
            return _object(type_, step, self)
        return _abstract(type_, step, self)

    def object_completer(self, type_: GraphQLObjectType, step: FieldStep) -> Complete:
        """The completion of ``step``'s value as the runtime type ``type_`` (cached)."""
        key = (type_, id(step))
        complete = self._completers.get(key)
        if complete is None:
            complete = self._completers[key] = _object(type_, step, self)
            self._keep.append(step)
        return complete


# --- Completion functions, one per return type of each field step --------------------------


def _non_null(inner: Complete, step: FieldStep) -> Complete:
    message = f"Cannot return null for non-nullable field {step.parent_type.name}.{step.name}."

    def complete(run: Run, result: Any, path: Path, info: Any) -> Any:
        if isinstance(result, Exception):
            raise result
        completed = inner(run, result, path, info)
        if completed is None:
            raise TypeError(message)
        return completed

    return complete


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Complete:
    coerce = type_.coerce_output_value
    same = _PASSTHROUGH.get(type_, ()) if isinstance(type_, GraphQLScalarType) else ()

    def complete(run: Run, result: Any, path: Path, info: Any) -> Any:
        if result is None or result is Undefined:
            return None
        if isinstance(result, Exception):
            raise result
        if type(result) in same:
            return result
        coerced = coerce(result)
        if coerced is Undefined or coerced is None:
            raise TypeError(
                f"Expected `{inspect(type_)}.coerce_output_value("
                f"{inspect(result)})` to return non-nullable value, returned:"
                f" {inspect(coerced)}"
            )
        return coerced

    return complete


def _list(
    item: Complete, item_type: GraphQLOutputType, step: FieldStep, plans: OperationPlan
) -> Complete:
    message = (
        f"Expected Iterable, but did not find one for field '{step.parent_type.name}.{step.name}'."
    )
    list_type = GraphQLList(item_type)
    # Items of an object type without isTypeOf (nullable or not): a dict item's fields run
    # straight from the list, and its response path is built only if one of them needs it.
    named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
    direct = named if isinstance(named, GraphQLObjectType) and named.is_type_of is None else None
    subplan: ObjectPlan | None = None

    def complete(run: Run, result: Any, path: Path, info: Any) -> Any:
        nonlocal subplan
        if result is None or result is Undefined:
            return None
        if isinstance(result, Exception):
            raise result
        if type(result) is not list and type(result) is not tuple:
            if hasattr(result, "__aiter__"):
                return run.graphql_core().complete_value(
                    list_type, step.details, info or run.info(step, path), path, result, None
                )
            if not is_iterable(result):
                raise GraphQLError(message)
        elif direct is not None:
            if subplan is None:
                subplan = plans.subplan(direct, step)
            leaves = subplan.leaves
            if leaves is not None and not subplan.rest:
                # Dicts of leaves only (a field's selection is never empty, so a result is
                # truthy): one call per item; any other item and the loop below decides.
                fast = [leaves(value) if type(value) is dict else None for value in result]
                if all(fast):
                    return fast
        completed: list[Any] = []
        pending: list[int] | None = None
        for index, value in enumerate(result):
            try:
                if direct is not None and type(value) is dict:
                    if subplan is None:
                        subplan = plans.subplan(direct, step)
                    done: Any = run.execute_fields(subplan, value, path, index)
                    if type(done) is not dict:
                        done = run.await_completed(
                            done, item_type, step, _new_tuple(Path, (path, index, None))
                        )
                elif type(value) not in _PLAIN and is_awaitable(value):
                    done = run.complete_awaitable(
                        item, item_type, step, _new_tuple(Path, (path, index, None)), info, value
                    )
                else:
                    item_path = _new_tuple(Path, (path, index, None))
                    done = item(run, value, item_path, info)
                    if type(done) not in _PLAIN and is_awaitable(done):
                        done = run.await_completed(done, item_type, step, item_path)
                if type(done) not in _PLAIN and is_awaitable(done):
                    pending = pending or []
                    pending.append(index)
                completed.append(done)
            except Exception as raw:
                try:
                    run.handle_error(raw, item_type, step, _new_tuple(Path, (path, index, None)))
                except GraphQLError:
                    if pending:
                        _settle_in_background([completed[i] for i in pending])
                    raise
                completed.append(None)
        if pending is None:
            return completed
        return run.gather_into(completed, pending)

    return complete


def _object(type_: GraphQLObjectType, step: FieldStep, plans: OperationPlan) -> Complete:
    is_type_of = type_.is_type_of
    subplan: ObjectPlan | None = None

    def complete(run: Run, result: Any, path: Path, info: Any) -> Any:
        nonlocal subplan
        if result is None or result is Undefined:
            return None
        if isinstance(result, Exception):
            raise result
        if is_type_of is not None:
            matches = is_type_of(result, info)
            if is_awaitable(matches):
                return run.complete_object_async(type_, step, path, result, matches)
            if not matches:
                raise invalid_return_type_error(type_, result, step.details)
        if subplan is None:
            subplan = plans.subplan(type_, step)
        return run.execute_fields(subplan, result, path)

    return complete


def _abstract(type_: GraphQLAbstractType, step: FieldStep, plans: OperationPlan) -> Complete:
    resolve_type = type_.resolve_type or default_type_resolver

    def complete(run: Run, result: Any, path: Path, info: Any) -> Any:
        if result is None or result is Undefined:
            return None
        if isinstance(result, Exception):
            raise result
        runtime_name = resolve_type(result, info, type_)
        if is_awaitable(runtime_name):
            return run.complete_abstract_async(type_, step, path, info, result, runtime_name)
        runtime = run.runtime_type(runtime_name, type_, step, info, result)
        return plans.object_completer(runtime, step)(run, result, path, info)

    return complete


# --- One execution ------------------------------------------------------------------------


class Run:
    """What one execution of a plan holds: its context, variables and collected errors."""

    __slots__ = (
        "_core",
        "context",
        "errors",
        "info_tail",
        "plan",
        "root_value",
        "schema",
        "variables",
    )

    def __init__(
        self, plan: OperationPlan, root_value: Any, context: Any, variables: VariableValues
    ) -> None:
        self.plan = plan
        self.schema = plan.schema
        self.root_value = root_value
        self.context = context
        self.variables = variables
        self.errors = CollectedErrors()
        self._core: GraphQLCoreExecutor[Any] | None = None
        self.info_tail = (
            self.schema,
            plan.fragment_definitions,
            root_value,
            plan.operation,
            variables,
            context,
            is_awaitable,
            None,
            _ASYNC_HELPERS,
        )

    def graphql_core(self) -> GraphQLCoreExecutor[Any]:
        """A graphql-core executor sharing this run's errors, for what plans do not handle."""
        if self._core is None:
            plan = self.plan
            core: GraphQLCoreExecutor[Any] = GraphQLCoreExecutor(
                self.schema,
                plan.fragment_definitions,
                plan.fragments,
                self.root_value,
                self.context,
                plan.operation,
                self.variables,
                default_field_resolver,
                default_type_resolver,
                default_field_resolver,
            )
            core.collected_errors = self.errors
            self._core = core
        return self._core

    def info(self, step: FieldStep, path: Path) -> GraphQLResolveInfo[Any]:
        # GraphQLResolveInfo(field_name, field_nodes, return_type, parent_type, path, schema,
        # fragments, root_value, operation, variable_values, context, is_awaitable,
        # abort_signal, async_helpers): the step's part, the path, this run's part.
        info: GraphQLResolveInfo[Any] = _new_tuple(
            GraphQLResolveInfo, (*step.info_head, path, *self.info_tail)
        )
        return info

    def handle_error(
        self, raw: Exception, return_type: GraphQLOutputType, step: FieldStep, path: Path
    ) -> None:
        error = located_error(raw, step.nodes, path.as_list())
        if isinstance(return_type, GraphQLNonNull):
            raise error
        self.errors.add(error, path)

    def execute(self) -> Any:
        """The operation's data (or an awaitable of it), errors collected in ``self.errors``."""
        plan = self.plan
        try:
            if plan.serial:
                data = self.execute_serially(plan.root, self.root_value)
            else:
                data = self.execute_fields(plan.root, self.root_value, None)
        except GraphQLError as error:
            self.errors.add(error, None)
            return None
        if type(data) not in _PLAIN and is_awaitable(data):
            return self._await_root(data)
        return data

    async def _await_root(self, data: Awaitable[Any]) -> Any:
        try:
            return await data
        except GraphQLError as error:
            self.errors.add(error, None)
            return None

    def execute_fields(
        self, plan: ObjectPlan, source: Any, path: Path | None, index: int | None = None
    ) -> Any:
        """The object's fields; with ``index``, the object is item ``index`` of the list at
        ``path``, whose own path is built only when a field needs it."""
        from_dict = type(source) is dict
        steps = plan.fields
        results: dict[str, Any] | None = None
        if from_dict and plan.leaves is not None:
            results = plan.leaves(source)
            if results is not None:
                if not plan.rest:
                    return results
                steps = plan.rest
        if results is None:
            results = {}
        pending: list[str] | None = None
        try:
            for step in steps:
                if from_dict:
                    leaf_types = step.leaf_types
                    if leaf_types is not None:
                        value = source.get(step.name)
                        kind = type(value)
                        if kind in leaf_types or (
                            step.leaf_int and kind is int and _INT_MIN <= value <= _INT_MAX
                        ):
                            results[step.key] = value
                            continue
                        if value is None and not step.non_null:
                            results[step.key] = None
                            continue
                    elif step.typename:
                        results[step.key] = plan.type.name
                        continue
                if index is not None:
                    path, index = _new_tuple(Path, (path, index, None)), None
                result = self.execute_field(step, source, path)
                results[step.key] = result
                if type(result) not in _PLAIN and is_awaitable(result):
                    pending = pending or []
                    pending.append(step.key)
        except Exception:
            if pending:
                _settle_in_background([results[key] for key in pending])
            raise
        if pending is None:
            return results
        return self._gather_fields(results, pending)

    async def _gather_fields(self, results: dict[str, Any], pending: list[str]) -> Any:
        # One pending field is awaited in this task; several run concurrently, each in its
        # own task (as graphql-core gathers them), so siblings waiting for I/O overlap and a
        # BatchInvoke loader sees them all.
        if len(pending) == 1:
            results[pending[0]] = await results[pending[0]]
        else:
            values = await gather_with_cancel(*(results[key] for key in pending))
            results.update(zip(pending, values, strict=True))
        return results

    def execute_serially(self, plan: ObjectPlan, source: Any) -> Any:
        results: dict[str, Any] = {}
        steps = plan.fields
        for index, step in enumerate(steps):
            result = self.execute_field(step, source, None)
            if is_awaitable(result):
                return self._serially_rest(plan, source, results, index, result)
            results[step.key] = result
        return results

    async def _serially_rest(
        self,
        plan: ObjectPlan,
        source: Any,
        results: dict[str, Any],
        index: int,
        current: Awaitable[Any],
    ) -> Any:
        steps = plan.fields
        results[steps[index].key] = await current
        for step in steps[index + 1 :]:
            result = self.execute_field(step, source, None)
            if is_awaitable(result):
                result = await result
            results[step.key] = result
        return results

    def execute_field(self, step: FieldStep, source: Any, parent: Path | None) -> Any:
        path: Path = _new_tuple(Path, (parent, step.key, step.parent_type.name))
        if step.typename:
            return step.parent_type.name
        info = self.info(step, path) if step.needs_info else None
        try:
            args = (
                get_argument_values(step.field_def, step.nodes[0], self.variables)
                if step.dynamic_args
                else step.args
            )
            resolve = step.resolve
            if resolve is not None:
                result = resolve(source, info, **args)
            elif isinstance(source, Mapping):
                result = source.get(step.name)
                if callable(result):
                    result = default_field_resolver(source, info or self.info(step, path), **args)
            else:
                result = default_field_resolver(source, info or self.info(step, path), **args)
            if type(result) not in _PLAIN and is_awaitable(result):
                return self.complete_awaitable(
                    step.complete, step.return_type, step, path, info, result
                )
            completed = step.complete(self, result, path, info)
            if type(completed) not in _PLAIN and is_awaitable(completed):
                return self.await_completed(completed, step.return_type, step, path)
        except Exception as raw:
            self.handle_error(raw, step.return_type, step, path)
            return None
        return completed

    async def complete_awaitable(
        self,
        complete: Complete,
        return_type: GraphQLOutputType,
        step: FieldStep,
        path: Path,
        info: Any,
        awaitable: Awaitable[Any],
    ) -> Any:
        try:
            resolved = await awaitable
            completed = complete(self, resolved, path, info)
            if is_awaitable(completed):
                completed = await completed
        except Exception as raw:
            self.handle_error(raw, return_type, step, path)
            return None
        return completed

    async def await_completed(
        self, completed: Awaitable[Any], return_type: GraphQLOutputType, step: FieldStep, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw:
            self.handle_error(raw, return_type, step, path)
            return None

    async def gather_into(self, completed: list[Any], pending: list[int]) -> list[Any]:
        if len(pending) == 1:
            completed[pending[0]] = await completed[pending[0]]
            return completed
        values = await gather_with_cancel(*(completed[index] for index in pending))
        for index, value in zip(pending, values, strict=True):
            completed[index] = value
        return completed

    async def complete_object_async(
        self,
        type_: GraphQLObjectType,
        step: FieldStep,
        path: Path,
        result: Any,
        matches: Awaitable[Any],
    ) -> Any:
        if not await matches:
            raise invalid_return_type_error(type_, result, step.details)
        fields = self.execute_fields(self.plan.subplan(type_, step), result, path)
        return await fields if is_awaitable(fields) else fields

    async def complete_abstract_async(
        self,
        type_: GraphQLAbstractType,
        step: FieldStep,
        path: Path,
        info: Any,
        result: Any,
        runtime_name: Awaitable[Any],
    ) -> Any:
        runtime = self.runtime_type(await runtime_name, type_, step, info, result)
        value = self.plan.object_completer(runtime, step)(self, result, path, info)
        return await value if is_awaitable(value) else value

    def runtime_type(
        self,
        name: Any,
        type_: GraphQLAbstractType,
        step: FieldStep,
        info: Any,
        result: Any,
    ) -> GraphQLObjectType:
        return GraphQLCoreExecutor.ensure_valid_runtime_type(
            cast(Any, self), name, type_, step.details, info, result
        )


def _settle_in_background(awaitables: list[Any]) -> None:
    for awaitable in awaitables:
        future = asyncio.ensure_future(awaitable)
        future.add_done_callback(_swallow)


def _swallow(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


# --- Documents -----------------------------------------------------------------------------


class DocumentPlans:
    """The plans of one validated document, per operation and ``@skip``/``@include`` values."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.document = document
        self._plans: dict[tuple[str | None, tuple[Any, ...]], OperationPlan | None] = {}
        self.fragment_definitions: dict[str, FragmentDefinitionNode] = {}
        self.fragments: dict[str, FragmentDetails] = {}
        self.operations: dict[str | None, OperationDefinitionNode] = {}
        try:
            self.directive_variables: tuple[str, ...] | None = _directive_variables(document)
        except Unsupported:
            self.directive_variables = None
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragment_definitions[definition.name.value] = definition
                self.fragments[definition.name.value] = FragmentDetails(definition, None)
            elif isinstance(definition, OperationDefinitionNode):
                name = definition.name.value if definition.name else None
                self.operations.setdefault(name, definition)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) == 1:
            self.operations[None] = operations[0]
        else:
            self.operations.pop(None, None)

    def execute(
        self,
        root_value: Any,
        context: Any,
        raw_variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> ExecutionResult | Awaitable[ExecutionResult] | None:
        """The result, an awaitable of it, or None: run this request on graphql-core."""
        if self.directive_variables is None:
            return None
        operation = self.operations.get(operation_name)
        if operation is None or operation.operation is OperationType.SUBSCRIPTION:
            return None
        if operation.variable_definitions:
            variables = get_variable_values(
                self.schema, operation.variable_definitions, raw_variables or {}
            )
            if isinstance(variables, list):
                return ExecutionResult(None, variables)
        else:
            variables = _new_tuple(VariableValues, ({}, {}))
        key = (
            operation_name,
            tuple([variables.coerced.get(n, Undefined) for n in self.directive_variables])
            if self.directive_variables
            else (),
        )
        try:
            plan = self._plans[key]
        except KeyError:
            try:
                plan = OperationPlan(
                    self.schema,
                    self.document,
                    operation,
                    self.fragments,
                    self.fragment_definitions,
                    variables,
                )
            except Unsupported:
                plan = None
            self._plans[key] = plan
        if plan is None:
            return None
        run = Run(plan, root_value, context, variables)
        data = run.execute()
        if type(data) not in _PLAIN and is_awaitable(data):
            return _result_later(run, data)
        return ExecutionResult(data, run.errors.errors or None)


async def _result_later(run: Run, data: Awaitable[Any]) -> ExecutionResult:
    value = await data
    return ExecutionResult(value, run.errors.errors or None)
