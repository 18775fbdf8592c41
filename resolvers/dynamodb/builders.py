"""The machinery behind the DynamoDB request builders (``helpers``, ``batch_helpers``).

Typed values (with Python sets as DynamoDB sets), ``operations`` for updates, ``#name``/``:value``
placeholder allocation, filter and condition objects (``util.transform.toDynamoDBFilterExpression``),
payload field checking and ``update`` sections. The public builders live in ``helpers``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sdk.dynamodb_convert import (
    to_binary_set,
    to_dynamodb,
    to_list,
    to_number_set,
    to_string_set,
)

# --- values --------------------------------------------------------------------------------


def typed(value: Any) -> dict[str, Any]:
    """``util.dynamodb.to_dynamodb``, except that Python sets become DynamoDB sets."""
    if isinstance(value, set | frozenset):
        members = list(value)
        if members and all(isinstance(m, str) for m in members):
            return to_string_set(sorted(members))
        if members and all(isinstance(m, bytes) for m in members):
            return to_binary_set(sorted(members))
        if members and all(
            isinstance(m, int | float | Decimal) and not isinstance(m, bool) for m in members
        ):
            return to_number_set(sorted(members))
        raise TypeError(
            "a set must be non-empty and hold only strings, only numbers or only bytes "
            f"(DynamoDB SS, NS, BS); got {value!r}"
        )
    if isinstance(value, Mapping):
        return {"M": typed_map(value)}
    if isinstance(value, list | tuple):
        return {"L": [typed(v) for v in value]} if value else to_list([])
    return to_dynamodb(value)


def typed_map(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``util.dynamodb.to_map_values`` with ``typed``'s sets."""
    if not isinstance(values, Mapping):
        raise TypeError(f"expected a mapping, got {type(values).__name__}")
    for name in values:
        if not isinstance(name, str):
            raise TypeError(f"map keys must be strings, got {name!r}")
    return {name: typed(value) for name, value in values.items()}


# --- update operations -------------------------------------------------------------------


class UpdateOperationKind(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    REPLACE = "replace"
    INCREMENT = "increment"
    DECREMENT = "decrement"
    APPEND = "append"
    PREPEND = "prepend"
    UPDATE_LIST_ITEM = "updateListItem"


@dataclass(frozen=True, slots=True)
class UpdateOperation:
    """A special value inside an ``update`` object, made by ``operations``."""

    kind: UpdateOperationKind
    value: Any = None
    index: int | None = None


class _Operations:
    """``operations`` of ``@aws-appsync/utils/dynamodb``, with snake_case twins."""

    @staticmethod
    def add(value: Any) -> UpdateOperation:
        return UpdateOperation(UpdateOperationKind.ADD, value)

    @staticmethod
    def remove() -> UpdateOperation:
        return UpdateOperation(UpdateOperationKind.REMOVE)

    @staticmethod
    def replace(value: Any) -> UpdateOperation:
        return UpdateOperation(UpdateOperationKind.REPLACE, value)

    @staticmethod
    def increment(by: int | float = 1) -> UpdateOperation:
        return UpdateOperation(UpdateOperationKind.INCREMENT, by)

    @staticmethod
    def decrement(by: int | float = 1) -> UpdateOperation:
        return UpdateOperation(UpdateOperationKind.DECREMENT, by)

    @staticmethod
    def append(values: Sequence[Any]) -> UpdateOperation:
        return UpdateOperation(UpdateOperationKind.APPEND, list(values))

    @staticmethod
    def prepend(values: Sequence[Any]) -> UpdateOperation:
        return UpdateOperation(UpdateOperationKind.PREPEND, list(values))

    @staticmethod
    def update_list_item(value: Any, index: int) -> UpdateOperation:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError("update_list_item needs a list index >= 0")
        return UpdateOperation(UpdateOperationKind.UPDATE_LIST_ITEM, value, index)

    updateListItem = update_list_item


operations = _Operations()


# --- placeholders ----------------------------------------------------------------------------

_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


class Expression:
    """Allocates ``#name`` / ``:value`` placeholders for one expression section."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def _unique(self, base: str, taken: Mapping[str, Any]) -> str:
        candidate, n = base, 1
        while candidate in taken:
            candidate = f"{base}_{n}"
            n += 1
        return candidate

    def name(self, attribute: str) -> str:
        for placeholder, existing in self.names.items():
            if existing == attribute:
                return placeholder
        placeholder = self._unique("#" + (_UNSAFE.sub("_", attribute) or "attr"), self.names)
        self.names[placeholder] = attribute
        return placeholder

    def value(self, hint: str, value: Any) -> str:
        placeholder = self._unique(":" + (_UNSAFE.sub("_", hint) or "value"), self.values)
        self.values[placeholder] = typed(value)
        return placeholder

    def path(self, path: Sequence[str | int]) -> str:
        text = ""
        for element in path:
            if isinstance(element, int):
                text += f"[{element}]"
            else:
                text += ("." if text else "") + self.name(element)
        return text

    def section(self, expression: str, *, values: bool = True) -> dict[str, Any]:
        section: dict[str, Any] = {"expression": expression}
        if self.names:
            section["expressionNames"] = dict(self.names)
        if values and self.values:
            section["expressionValues"] = dict(self.values)
        return section


# --- filter and condition objects ------------------------------------------------------------

OPERATOR_ALIASES = {
    "begins_with": "beginsWith",
    "not_contains": "notContains",
    "attribute_exists": "attributeExists",
    "attribute_type": "attributeType",
}
_COMPARATORS = {"eq": "=", "ne": "<>", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_OPERATORS = frozenset(
    {*_COMPARATORS, "between", "beginsWith", "contains", "notContains", "in"}
    | {"attributeExists", "attributeType", *OPERATOR_ALIASES}
)


def _filter_clauses(obj: Mapping[str, Any], expr: Expression, path: tuple[str, ...]) -> list[str]:
    clauses: list[str] = []
    for field, spec in obj.items():
        if not path and field in ("and", "or"):
            members = spec if isinstance(spec, list) else [spec]
            parts = [_filter_expression(m, expr) for m in members if m]
            if parts:
                clauses.append(f" {field.upper()} ".join(f"({p})" for p in parts))
        elif not path and field == "not":
            clauses.append(f"NOT ({_filter_expression(spec, expr)})")
        elif isinstance(spec, Mapping) and spec and all(op in _OPERATORS for op in spec):
            clauses.extend(_field_clauses((*path, field), spec, expr))
        elif isinstance(spec, Mapping):
            clauses.extend(_filter_clauses(spec, expr, (*path, field)))
        elif spec is not None:
            raise TypeError(f"filter field {field!r} needs an object of operators, got {spec!r}")
    return clauses


def _field_clauses(path: tuple[str, ...], ops: Mapping[str, Any], expr: Expression) -> list[str]:
    target = expr.path(path)
    hint = "_".join(path)
    clauses = []
    for raw_op, operand in ops.items():
        op = OPERATOR_ALIASES.get(raw_op, raw_op)
        if op in _COMPARATORS:
            clauses.append(f"{target} {_COMPARATORS[op]} {expr.value(f'{hint}_{op}', operand)}")
        elif op == "between":
            low, high = operand
            clauses.append(
                f"{target} BETWEEN {expr.value(f'{hint}_between_0', low)} "
                f"AND {expr.value(f'{hint}_between_1', high)}"
            )
        elif op == "in":
            choices = ", ".join(expr.value(f"{hint}_in_{i}", c) for i, c in enumerate(operand))
            clauses.append(f"{target} IN ({choices})")
        elif op == "beginsWith":
            clauses.append(f"begins_with({target}, {expr.value(f'{hint}_beginsWith', operand)})")
        elif op == "contains":
            clauses.append(f"contains({target}, {expr.value(f'{hint}_contains', operand)})")
        elif op == "notContains":
            value = expr.value(f"{hint}_notContains", operand)
            clauses.append(f"NOT contains({target}, {value})")
        elif op == "attributeExists":
            clauses.append(f"attribute_{'exists' if operand else 'not_exists'}({target})")
        else:
            type_value = expr.value(f"{hint}_attributeType", _TYPE_NAMES.get(operand, operand))
            clauses.append(f"attribute_type({target}, {type_value})")
    return clauses


_TYPE_NAMES = {
    "string": "S",
    "stringSet": "SS",
    "number": "N",
    "numberSet": "NS",
    "binary": "B",
    "binarySet": "BS",
    "boolean": "BOOL",
    "list": "L",
    "map": "M",
    "_null": "NULL",
}
"""``attributeType`` takes AppSync's type names (``"string"``) or DynamoDB's (``"S"``)."""


def _filter_expression(obj: Mapping[str, Any], expr: Expression) -> str:
    if not isinstance(obj, Mapping):
        raise TypeError(f"a filter or condition must be an object, got {obj!r}")
    clauses = _filter_clauses(obj, expr, ())
    if len(clauses) == 1:
        return clauses[0]
    return " AND ".join(f"({c})" for c in clauses)


def to_filter_expression(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """``util.transform.toDynamoDBFilterExpression``, returning the object (not JSON text)."""
    expr = Expression()
    expression = _filter_expression(obj, expr)
    return expr.section(expression) if expression else None


to_condition_expression = to_filter_expression
"""``util.transform.toDynamoDBConditionExpression``: the same operators, for ``condition``."""


# --- payload fields --------------------------------------------------------------------------


def payload_fields(
    payload: Mapping[str, Any], allowed: Sequence[str], function: str
) -> dict[str, Any]:
    """Payload values by camelCase name; snake_case twins accepted, unknown keys refused."""
    if not isinstance(payload, Mapping):
        raise TypeError(f"{function}() takes one payload object")
    camel_of = {_snake(name): name for name in allowed} | {name: name for name in allowed}
    fields: dict[str, Any] = {}
    for key, value in payload.items():
        name = camel_of.get(key)
        if name is None:
            raise TypeError(f"{function}() got an unknown key {key!r}; expected {list(allowed)}")
        if name in fields:
            raise TypeError(f"{function}() got {name!r} twice (camelCase and snake_case)")
        fields[name] = value
    return fields


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def request_of(operation: str, **fields: Any) -> dict[str, Any]:
    return {"operation": operation, **{k: v for k, v in fields.items() if v is not None}}


def key_of(fields: Mapping[str, Any], function: str) -> dict[str, Any]:
    key = fields.get("key")
    if not isinstance(key, Mapping) or not key:
        raise TypeError(f"{function}() needs a 'key' object")
    return typed_map(key)


def condition_of(fields: Mapping[str, Any]) -> dict[str, Any] | None:
    condition = fields.get("condition")
    return to_condition_expression(condition) if condition else None


def projection_of(fields: Mapping[str, Any]) -> dict[str, Any] | None:
    attributes = fields.get("projection")
    if not attributes:
        return None
    expr = Expression()
    expression = ", ".join(expr.name(a) for a in attributes)
    return expr.section(expression, values=False)


# --- updates ---------------------------------------------------------------------------------


def update_section(changes: Any, function: str) -> dict[str, Any]:
    """The ``update`` section for an object of changes (see ``helpers.update``)."""
    if not isinstance(changes, Mapping) or not changes:
        raise TypeError(f"{function}() needs a non-empty 'update' object")
    expr = Expression()
    sets: list[str] = []
    removes: list[str] = []
    _update_actions(changes, (), expr, sets, removes)
    sections = []
    if sets:
        sections.append(f"SET {', '.join(sets)}")
    if removes:
        sections.append(f"REMOVE {', '.join(removes)}")
    return expr.section(" ".join(sections))


def _update_actions(
    changes: Mapping[str, Any],
    path: tuple[str | int, ...],
    expr: Expression,
    sets: list[str],
    removes: list[str],
) -> None:
    for attribute, change in changes.items():
        target_path = (*path, attribute)
        target = expr.path(target_path)
        hint = "_".join(str(p) for p in target_path)
        if isinstance(change, UpdateOperation):
            _operation_action(change, target, hint, expr, sets, removes)
        elif isinstance(change, Mapping) and change:
            _update_actions(change, target_path, expr, sets, removes)
        elif (
            isinstance(change, list)
            and change
            and all(
                isinstance(c, UpdateOperation) and c.kind is UpdateOperationKind.UPDATE_LIST_ITEM
                for c in change
            )
        ):
            for item in change:
                sets.append(
                    f"{target}[{item.index}] = {expr.value(f'{hint}_{item.index}', item.value)}"
                )
        else:
            sets.append(f"{target} = {expr.value(hint, change)}")


def _operation_action(
    change: UpdateOperation,
    target: str,
    hint: str,
    expr: Expression,
    sets: list[str],
    removes: list[str],
) -> None:
    kind = change.kind
    if kind is UpdateOperationKind.REMOVE:
        removes.append(target)
    elif kind in (UpdateOperationKind.ADD, UpdateOperationKind.REPLACE):
        sets.append(f"{target} = {expr.value(hint, change.value)}")
    elif kind in (UpdateOperationKind.INCREMENT, UpdateOperationKind.DECREMENT):
        sign = "+" if kind is UpdateOperationKind.INCREMENT else "-"
        start = f"if_not_exists({target}, {expr.value(f'{hint}_start', 0)})"
        sets.append(f"{target} = {start} {sign} {expr.value(f'{hint}_{kind.value}', change.value)}")
    elif kind in (UpdateOperationKind.APPEND, UpdateOperationKind.PREPEND):
        current = f"if_not_exists({target}, {expr.value(f'{hint}_empty', [])})"
        values = expr.value(f"{hint}_{kind.value}", change.value)
        first, second = (
            (current, values) if kind is UpdateOperationKind.APPEND else (values, current)
        )
        sets.append(f"{target} = list_append({first}, {second})")
    else:
        raise TypeError("operations.update_list_item values belong in a list of list-item updates")
