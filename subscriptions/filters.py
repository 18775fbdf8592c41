"""Subscription filters: AppSync's argument filters and enhanced filters, parsed once, run per event.

AppSync developer guide, "Using subscription arguments": every argument a subscriber gives that
is not null must equal the mutation payload's top-level field of the same name (AND).

AppSync developer guide, "Enhanced subscription filtering" and "Extensions"
(``extensions.setSubscriptionFilter(filterJsonObject)``)::

    {"filterGroup": [{"filters": [{"fieldName": "severity", "operator": "le", "value": 2}, ...]},
                     ...]}

Groups are OR'd, the filters of one group AND'd. ``fieldName`` may be a dotted path into nested
objects (``"post.author.id"``). The same shape is the invalidation filter
(``setSubscriptionInvalidationFilter``), evaluated against ``invalidateSubscriptions``' payload.

Limits AppSync enforces, with its own messages (as AppSync returns them to clients):
at most 5 distinct field names per filter ("Filters exceed maximum attributes limit 5 for
subscription") and at most 5 values for ``in``/``notIn`` ("subscription exceeds maximum value limit
5 for operator `in`."). Syncline applies the same value limit to ``containsAny`` and allows at most
10 filter groups; AppSync documents no number for those, so these two are Syncline's (see
docs/subscriptions.md).

A field the payload does not carry (or carries as null) matches ``eq null``, ``ne`` with a
non-null value, ``notIn`` and ``notContains``, and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from subscriptions.errors import FilterError

MAX_FIELDS = 5
MAX_VALUES = 5
MAX_GROUPS = 10

_MISSING = object()


class Operator(StrEnum):
    EQ = "eq"
    NE = "ne"
    LE = "le"
    LT = "lt"
    GE = "ge"
    GT = "gt"
    CONTAINS = "contains"
    NOT_CONTAINS = "notContains"
    BEGINS_WITH = "beginsWith"
    IN = "in"
    NOT_IN = "notIn"
    BETWEEN = "between"
    CONTAINS_ANY = "containsAny"


_LIST_OPERATORS = frozenset({Operator.IN, Operator.NOT_IN, Operator.CONTAINS_ANY})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _comparable(a: Any, b: Any) -> bool:
    return (_is_number(a) and _is_number(b)) or (isinstance(a, str) and isinstance(b, str))


def _equal(a: Any, b: Any) -> bool:
    # JSON semantics: true is not 1, 1 equals 1.0.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)


def _contains(field: Any, value: Any) -> bool:
    if isinstance(field, str):
        return isinstance(value, str) and value in field
    if isinstance(field, list):
        return any(_equal(item, value) for item in field)
    return False


def _eq(field: Any, value: Any) -> bool:
    return _equal(field, value)


def _ordered(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(field: Any, value: Any) -> bool:
        return _comparable(field, value) and check(field, value)

    return compare


def _between(field: Any, value: Any) -> bool:
    low, high = value
    return _comparable(field, low) and _comparable(field, high) and bool(low <= field <= high)


def _in(field: Any, value: Any) -> bool:
    return any(_equal(field, v) for v in value)


def _contains_any(field: Any, value: Any) -> bool:
    if isinstance(field, list):
        return any(_equal(item, v) for item in field for v in value)
    return _in(field, value)


_POSITIVE: dict[Operator, Callable[[Any, Any], bool]] = {
    Operator.EQ: _eq,
    Operator.LE: _ordered(lambda f, v: f <= v),
    Operator.LT: _ordered(lambda f, v: f < v),
    Operator.GE: _ordered(lambda f, v: f >= v),
    Operator.GT: _ordered(lambda f, v: f > v),
    Operator.CONTAINS: _contains,
    Operator.BEGINS_WITH: lambda f, v: isinstance(f, str)
    and isinstance(v, str)
    and f.startswith(v),
    Operator.IN: _in,
    Operator.BETWEEN: _between,
    Operator.CONTAINS_ANY: _contains_any,
}
_NEGATIVE = {
    Operator.NE: Operator.EQ,
    Operator.NOT_IN: Operator.IN,
    Operator.NOT_CONTAINS: Operator.CONTAINS,
}


def field_value(payload: Any, path: Sequence[str]) -> Any:
    """The value at a dotted path in the payload, or ``_MISSING`` (null counts as missing)."""
    value = payload
    for name in path:
        if not isinstance(value, Mapping):
            return _MISSING
        value = value.get(name, _MISSING)
        if value is None or value is _MISSING:
            return _MISSING
    return value


@dataclass(frozen=True, slots=True)
class Condition:
    path: tuple[str, ...]
    operator: Operator
    value: Any

    def matches(self, payload: Any) -> bool:
        field = field_value(payload, self.path)
        positive = _NEGATIVE.get(self.operator)
        if positive is not None:
            return not _positive_match(positive, field, self.value)
        return _positive_match(self.operator, field, self.value)


def _positive_match(operator: Operator, field: Any, value: Any) -> bool:
    if field is _MISSING:
        return operator is Operator.EQ and value is None
    return _POSITIVE[operator](field, value)


@dataclass(frozen=True, slots=True)
class SubscriptionFilter:
    """A parsed ``filterGroup``: groups OR'd, conditions within a group AND'd."""

    groups: tuple[tuple[Condition, ...], ...]
    key: str
    """Canonical JSON of the filter: equal filters share one fan-out group."""

    def matches(self, payload: Any) -> bool:
        return any(all(c.matches(payload) for c in group) for group in self.groups)


def _check_value(operator: Operator, value: Any, where: str) -> None:
    if operator in _LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            raise FilterError(f"{where}: operator `{operator}` needs a non-empty list value")
        if len(value) > MAX_VALUES:
            raise FilterError(
                f"subscription exceeds maximum value limit {MAX_VALUES} for operator `{operator}`."
            )
        if any(isinstance(v, dict | list) for v in value):
            raise FilterError(f"{where}: operator `{operator}` takes a list of scalar values")
    elif operator is Operator.BETWEEN:
        if not isinstance(value, list) or len(value) != 2 or not _comparable(value[0], value[1]):
            raise FilterError(
                f"{where}: operator `between` needs [low, high], two numbers or two strings"
            )
    elif isinstance(value, dict | list):
        raise FilterError(f"{where}: operator `{operator}` takes a single scalar value")
    elif operator in (Operator.LE, Operator.LT, Operator.GE, Operator.GT) and not (
        _is_number(value) or isinstance(value, str)
    ):
        raise FilterError(f"{where}: operator `{operator}` needs a number or a string")
    elif operator is Operator.BEGINS_WITH and not isinstance(value, str):
        raise FilterError(f"{where}: operator `beginsWith` needs a string")


def parse_filter(raw: Any) -> SubscriptionFilter:
    """Validate ``filterJsonObject``; raises ``FilterError`` with the reason."""
    if not isinstance(raw, Mapping) or set(raw) != {"filterGroup"}:
        raise FilterError(
            "a subscription filter must be an object with exactly one key, filterGroup"
        )
    raw_groups = raw["filterGroup"]
    if not isinstance(raw_groups, list) or not raw_groups:
        raise FilterError("filterGroup must be a non-empty list")
    if len(raw_groups) > MAX_GROUPS:
        raise FilterError(
            f"Filters exceed maximum filter group limit {MAX_GROUPS} for subscription"
        )
    fields: set[tuple[str, ...]] = set()
    groups: list[tuple[Condition, ...]] = []
    for g, raw_group in enumerate(raw_groups):
        if not isinstance(raw_group, Mapping) or not isinstance(raw_group.get("filters"), list):
            raise FilterError(f"filterGroup[{g}] must be an object with a list of filters")
        conditions: list[Condition] = []
        for f, raw_filter in enumerate(raw_group["filters"]):
            where = f"filterGroup[{g}].filters[{f}]"
            if not isinstance(raw_filter, Mapping):
                raise FilterError(f"{where} must be an object")
            unknown = set(raw_filter) - {"fieldName", "operator", "value"}
            if unknown:
                raise FilterError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
            name = raw_filter.get("fieldName")
            if not isinstance(name, str) or not name or any(not p for p in name.split(".")):
                raise FilterError(f"{where}.fieldName must be a field name or a dotted path")
            try:
                operator = Operator(str(raw_filter.get("operator")))
            except ValueError:
                raise FilterError(
                    f"{where}.operator {raw_filter.get('operator')!r} is not one of "
                    f"{', '.join(o.value for o in Operator)}"
                ) from None
            if "value" not in raw_filter:
                raise FilterError(f"{where} has no value")
            value = raw_filter["value"]
            _check_value(operator, value, where)
            path = tuple(name.split("."))
            fields.add(path)
            conditions.append(Condition(path, operator, value))
        if not conditions:
            raise FilterError(f"filterGroup[{g}].filters must not be empty")
        groups.append(tuple(conditions))
    if len(fields) > MAX_FIELDS:
        raise FilterError(f"Filters exceed maximum attributes limit {MAX_FIELDS} for subscription")
    key = json.dumps(raw, sort_keys=True, separators=(",", ":"))
    return SubscriptionFilter(tuple(groups), key)


@dataclass(frozen=True, slots=True)
class ArgumentFilter:
    """The subscriber's non-null arguments, each compared with the payload's top-level field."""

    pairs: tuple[tuple[str, Any], ...]

    @classmethod
    def of(cls, arguments: Mapping[str, Any]) -> ArgumentFilter:
        return cls(tuple((k, v) for k, v in sorted(arguments.items()) if v is not None))

    def matches(self, payload: Any) -> bool:
        if not self.pairs:
            return True
        if not isinstance(payload, Mapping):
            return False
        for name, value in self.pairs:
            if name not in payload or not _equal(payload[name], value):
                return False
        return True
