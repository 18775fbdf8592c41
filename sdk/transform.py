"""``util.transform``: ``to_subscription_filter`` and the DynamoDB filter/condition converters.

``to_dynamodb_filter_expression(obj)`` / ``to_dynamodb_condition_expression(obj)`` are
``util.transform.toDynamoDBFilterExpression`` / ``toDynamoDBConditionExpression`` ("Transformation
helpers in util.transform"): ``{"title": {"contains": "Hello"}}`` becomes the JSON *text* of
``{"expression": "contains(#title, :title_contains)", "expressionNames": {...},
"expressionValues": {...}}``, as AppSync returns it (JavaScript resolvers ``JSON.parse`` it; in
Python, ``json.loads``). Operators and the ``and``/``or``/``not`` groups are those of the DynamoDB
builders (``syncline.ddb``), which take the same objects directly. An empty filter is ``"null"``.

``to_subscription_filter`` is the object form of an enhanced filter.

AppSync developer guide, "Transformation helpers in util.transform" (APPSYNC_JS):
``toSubscriptionFilter(objFilter, ignoredFields?, rules?)`` turns ::

    {"severity": {"le": 2}, "or": [{"group": {"eq": "ops"}}, {"category": {"in": ["a", "b"]}}]}

into the ``{"filterGroup": [...]}`` that ``extensions.set_subscription_filter`` takes. Keys of
one object are AND'd; ``or`` lists alternatives (each becomes its own group); ``and`` lists objects
all of which must hold; ``ignored_fields`` are dropped; each of ``rules`` adds groups (OR).
A field given a plain value instead of an ``{operator: value}`` object means ``eq``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from resolvers.dynamodb.builders import to_condition_expression, to_filter_expression

__all__ = [
    "to_dynamodb_condition_expression",
    "to_dynamodb_filter_expression",
    "to_subscription_filter",
]


def to_dynamodb_filter_expression(filter_object: Mapping[str, Any]) -> str:
    """``util.transform.toDynamoDBFilterExpression``: a filter object → its section, as JSON."""
    return json.dumps(to_filter_expression(filter_object))


def to_dynamodb_condition_expression(condition_object: Mapping[str, Any]) -> str:
    """``util.transform.toDynamoDBConditionExpression``: the same, for a ``condition``."""
    return json.dumps(to_condition_expression(condition_object))


Group = list[dict[str, Any]]


@functools.cache
def _operators() -> frozenset[str]:
    # The filter engine loads with the first subscription filter, not with every resolver
    # code file that imports `util` (a Lambda cold start's first event; docs/deploy.md).
    from subscriptions.filters import Operator

    return frozenset(o.value for o in Operator)


def _conditions(field: str, spec: Any) -> Group:
    if isinstance(spec, Mapping) and spec and set(spec) <= _operators():
        return [{"fieldName": field, "operator": op, "value": v} for op, v in spec.items()]
    return [{"fieldName": field, "operator": "eq", "value": spec}]


def _groups(obj: Mapping[str, Any], ignored: frozenset[str]) -> list[Group]:
    groups: list[Group] = [[]]
    for key, spec in obj.items():
        if key in ignored:
            continue
        if key == "or":
            alternatives = [g for alternative in spec for g in _groups(alternative, ignored)]
            groups = [base + alt for base in groups for alt in alternatives]
        elif key == "and":
            for part in spec:
                parts = _groups(part, ignored)
                groups = [base + p for base in groups for p in parts]
        else:
            conditions = _conditions(key, spec)
            groups = [base + conditions for base in groups]
    return [g for g in groups if g]


def to_subscription_filter(
    obj_filter: Mapping[str, Any],
    ignored_fields: Iterable[str] | None = None,
    rules: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    ignored = frozenset(ignored_fields or ())
    groups = _groups(obj_filter, ignored)
    for rule in rules or ():
        groups.extend(_groups(rule, ignored))
    return {"filterGroup": [{"filters": g} for g in groups]}
