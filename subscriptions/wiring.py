"""``@aws_subscribe``: which subscription fields each mutation field feeds, read once at start-up.

AppSync developer guide, "Using subscriptions for real-time data applications":
``onX: T @aws_subscribe(mutations: ["createX", "updateX"])`` makes every successful ``createX``
or ``updateX`` deliver its result to ``onX`` subscribers. The deprecated mutation-side form,
``createX(...): T @aws_publish(subscriptions: ["onX"])``, is read too.

Checked at boot, reported with ``file:line`` like every definition error: a listed mutation must
exist, and it must return the same named type as the subscription (its result *is* the
subscription's payload).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import (
    FieldDefinitionNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    ListValueNode,
    StringValueNode,
    get_named_type,
)

from schema.errors import DefinitionError, InvalidDefinition
from schema.sdl import node_location


@dataclass(frozen=True)
class Wiring:
    subscriptions_by_mutation: Mapping[str, tuple[str, ...]]
    """Mutation field name → the subscription field names it publishes to."""

    def targets(self, mutation_field: str) -> tuple[str, ...]:
        return self.subscriptions_by_mutation.get(mutation_field, ())


def _string_list(node: FieldDefinitionNode, directive: str, argument: str) -> list[str] | None:
    for applied in node.directives or ():
        if applied.name.value != directive:
            continue
        for arg in applied.arguments or ():
            if arg.name.value == argument and isinstance(arg.value, ListValueNode):
                return [v.value for v in arg.value.values if isinstance(v, StringValueNode)]
        return []
    return None


def _named(field: GraphQLField) -> GraphQLNamedType:
    return get_named_type(field.type)


def read_wiring(sdl: GraphQLSchema) -> Wiring:
    """Read ``@aws_subscribe`` / ``@aws_publish``; raises ``InvalidDefinition`` on bad wiring."""
    errors: list[DefinitionError] = []
    targets: dict[str, list[str]] = {}
    subscription = sdl.subscription_type
    mutation = sdl.mutation_type
    mutation_fields = mutation.fields if mutation is not None else {}
    subscription_fields = subscription.fields if subscription is not None else {}

    def link(mutation_name: str, subscription_name: str, node: FieldDefinitionNode) -> None:
        if mutation_name not in mutation_fields:
            errors.append(
                DefinitionError(
                    node_location(node),
                    f"Subscription.{subscription_name}: @aws_subscribe lists '{mutation_name}', "
                    "which is not a field of the Mutation type",
                )
            )
            return
        if subscription_name not in subscription_fields:
            errors.append(
                DefinitionError(
                    node_location(node),
                    f"Mutation.{mutation_name}: @aws_publish lists '{subscription_name}', which "
                    "is not a field of the Subscription type",
                )
            )
            return
        published = _named(mutation_fields[mutation_name])
        subscribed = _named(subscription_fields[subscription_name])
        if published.name != subscribed.name:
            errors.append(
                DefinitionError(
                    node_location(node),
                    f"Subscription.{subscription_name} returns {subscribed.name} but "
                    f"Mutation.{mutation_name} returns {published.name}: a subscription must "
                    "return the type of the mutations it subscribes to",
                )
            )
            return
        listed = targets.setdefault(mutation_name, [])
        if subscription_name not in listed:
            listed.append(subscription_name)

    for name, field in subscription_fields.items():
        node = field.ast_node
        if node is None:
            continue
        for mutation_name in _string_list(node, "aws_subscribe", "mutations") or ():
            link(mutation_name, name, node)
    for name, field in mutation_fields.items():
        node = field.ast_node
        if node is None:
            continue
        for subscription_name in _string_list(node, "aws_publish", "subscriptions") or ():
            link(name, subscription_name, node)
    if errors:
        raise InvalidDefinition(errors)
    return Wiring({k: tuple(v) for k, v in targets.items()})
