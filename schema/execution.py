"""Running GraphQL operations: cached parse + validation, AppSync's limits, then execution.

Parsing and validating dominate the cost of small operations (graphql-core 3.3: ~36 µs parse,
~550 µs validate, ~25 µs execute for one field), so both are cached per document text in a
bounded LRU. Each cached document also keeps its compiled execution plans
(``schema.compiled``); an operation a plan does not handle runs on graphql-core.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from graphql import (
    ASTValidationRule,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from resolvers.context import RequestState
from schema.compiled import DocumentPlans
from schema.model import Limits

#: How many distinct documents keep their parse + validation result.
DOCUMENT_CACHE_SIZE = 1024

log = logging.getLogger("syncline.execution")


class MutationListener(Protocol):
    """Told about every executed mutation operation (the real-time engine publishes from it)."""

    def mutation_executed(
        self,
        document: DocumentNode,
        operation_name: str | None,
        data: dict[str, Any] | None,
        errors: list[GraphQLError],
        state: RequestState,
    ) -> None: ...


def _depth(
    selection_set: SelectionSetNode | None, fragments: dict[str, Any], seen: set[str]
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {name}))
    return deepest


def depth_limit_rule(limit: int) -> type[ASTValidationRule]:
    """AppSync's ``queryDepthLimit``: the nesting of fields in one operation, fragments expanded."""

    class QueryDepthLimitRule(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.fragments = {
                d.name.value: d
                for d in context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            depth = _depth(node.selection_set, self.fragments, set())
            if depth > limit:
                self.report_error(
                    GraphQLError(
                        f"Query depth {depth} exceeds the maximum allowed depth of {limit}",
                        node,
                        extensions={"errorType": "QueryDepthLimitExceeded"},
                    )
                )

    return QueryDepthLimitRule


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]


class Outcome(NamedTuple):
    """One operation's result, with what the HTTP layer needs to pick a status code.

    A NamedTuple rather than a frozen dataclass: one is made per request, for half the cost."""

    result: ExecutionResult
    request_error: bool
    """Parse, validation or variable-coercion failure: the operation never executed."""


class Executor:
    def __init__(self, schema: GraphQLSchema, limits: Limits) -> None:
        self.schema = schema
        rules = list(specified_rules)
        if limits.query_depth_limit:
            rules.append(depth_limit_rule(limits.query_depth_limit))
        if not limits.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self._documents: OrderedDict[str, PreparedDocument] = OrderedDict()
        self._plans: OrderedDict[int, tuple[DocumentNode, DocumentPlans]] = OrderedDict()
        """Compiled plans by document identity (the document is kept so its id stays its own)."""
        self.mutation_listeners: list[MutationListener] = []

    def prepare(self, query: str) -> PreparedDocument:
        prepared = self._documents.get(query)
        if prepared is not None:
            self._documents.move_to_end(query)
            return prepared
        try:
            document = parse(query)
        except GraphQLError as error:
            prepared = PreparedDocument(None, (error,))
        else:
            errors = validate(self.schema, document, self.rules)
            prepared = PreparedDocument(document if not errors else None, tuple(errors))
        self._documents[query] = prepared
        if len(self._documents) > DOCUMENT_CACHE_SIZE:
            self._documents.popitem(last=False)
        return prepared

    def _plans_for(self, document: DocumentNode) -> DocumentPlans:
        entry = self._plans.get(id(document))
        if entry is not None and entry[0] is document:
            return entry[1]
        plans = DocumentPlans(self.schema, document)
        self._plans[id(document)] = (document, plans)
        if len(self._plans) > DOCUMENT_CACHE_SIZE:
            self._plans.popitem(last=False)
        return plans

    def operation_type(
        self, document: DocumentNode, operation_name: str | None
    ) -> OperationType | None:
        """The type of the operation ``operation_name`` selects (``get_operation_ast``'s
        choice, kept with the document's plans); None if it selects none."""
        operation = self._plans_for(document).operations.get(operation_name)
        return operation.operation if operation is not None else None

    async def execute(
        self,
        document: DocumentNode,
        state: RequestState,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Outcome:
        plans = self._plans_for(document)
        result: Any = plans.execute(None, state, variables, operation_name)
        if result is None:
            result = execute(self.schema, document, None, state, variables, operation_name)
        if not isinstance(result, ExecutionResult):
            result = await result
        assert isinstance(result, ExecutionResult)
        errors = result.errors or []
        if self.mutation_listeners:
            operation = plans.operations.get(operation_name)
            if operation is not None and operation.operation is OperationType.MUTATION:
                self._mutation_executed(document, operation_name, result.data, errors, state)
        request_error = result.data is None and bool(errors) and all(e.path is None for e in errors)
        if state.appended_errors:
            result = ExecutionResult(result.data, [*errors, *state.appended_errors])
        return Outcome(result, request_error)

    def _mutation_executed(
        self,
        document: DocumentNode,
        operation_name: str | None,
        data: dict[str, Any] | None,
        errors: list[GraphQLError],
        state: RequestState,
    ) -> None:
        for listener in self.mutation_listeners:
            try:
                listener.mutation_executed(document, operation_name, data, errors, state)
            except Exception:
                # Publishing must never turn a mutation that succeeded into a failed request.
                log.exception("a mutation listener failed")
