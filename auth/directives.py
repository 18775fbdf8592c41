"""Field-level authorization: AppSync's auth directives, turned into checks at start-up.

AppSync developer guide, "Configuring authorization and authentication to secure your GraphQL
APIs", sections "Using additional authorization modes" and "Fine-grained access control":

- ``@aws_api_key``, ``@aws_iam``, ``@aws_oidc``, ``@aws_lambda`` and
  ``@aws_cognito_user_pools(cognito_groups: [...])`` on an object type or a field name the modes
  that may read it; the legacy ``@aws_auth(cognito_groups: [...])`` is a Cognito field rule.
- A field's directives replace its type's; a field and type with none allow the API's
  **default** mode only.
- ``cognito_groups`` limits Cognito callers to members of one of the groups (``cognito:groups``).
- Cognito ``defaultAction: DENY`` (possible only when Cognito is the sole mode) refuses Cognito
  callers every field that no Cognito directive names.
- A Lambda authorizer's ``deniedFields`` null the fields it lists for that request.

A field the caller may not read resolves to null with ``Not Authorized to access <field> on type
<Type>`` (``errorType: Unauthorized``) while the rest of the response resolves.

Rules are computed once per API. A check is installed only on fields whose rule can refuse one
of the configured modes, so fields open to every configured mode cost nothing at request time.
Subscription fields are not wrapped: the real-time engine calls ``FieldAuthorizer.check`` when a
subscription starts.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ConstDirectiveNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    default_field_resolver,
    value_from_ast_untyped,
)

from schema.errors import UnauthorizedError
from schema.model import AuthMode, FieldCoordinate

#: The auth directives and the mode each names (``@aws_auth`` is Cognito's legacy form).
DIRECTIVE_MODES: Mapping[str, AuthMode] = {
    "aws_api_key": AuthMode.API_KEY,
    "aws_iam": AuthMode.AWS_IAM,
    "aws_oidc": AuthMode.OPENID_CONNECT,
    "aws_lambda": AuthMode.AWS_LAMBDA,
    "aws_cognito_user_pools": AuthMode.AMAZON_COGNITO_USER_POOLS,
    "aws_auth": AuthMode.AMAZON_COGNITO_USER_POOLS,
}


@dataclass(frozen=True, slots=True)
class FieldRule:
    """Who may read one field."""

    coordinate: FieldCoordinate
    modes: frozenset[AuthMode]
    cognito_groups: frozenset[str] | None
    """Cognito callers must be in one of these groups; None: any user of the pool."""
    names_cognito: bool
    """A Cognito directive applies (what ``defaultAction: DENY`` asks for)."""

    @property
    def message(self) -> str:
        return (
            f"Not Authorized to access {self.coordinate.field_name} "
            f"on type {self.coordinate.type_name}"
        )


def _auth_directives(nodes: Iterable[ConstDirectiveNode]) -> list[ConstDirectiveNode]:
    return [d for d in nodes if d.name.value in DIRECTIVE_MODES]


def _type_directives(type_: GraphQLObjectType) -> list[ConstDirectiveNode]:
    nodes = [type_.ast_node, *type_.extension_ast_nodes]
    return _auth_directives(d for node in nodes if node for d in node.directives or ())


def _groups(directives: list[ConstDirectiveNode]) -> frozenset[str] | None:
    """The union of the Cognito directives' groups; None if one of them allows any user."""
    groups: set[str] = set()
    for directive in directives:
        if DIRECTIVE_MODES[directive.name.value] is not AuthMode.AMAZON_COGNITO_USER_POOLS:
            continue
        values = [
            value_from_ast_untyped(a.value)
            for a in directive.arguments or ()
            if a.name.value == "cognito_groups"
        ]
        if not values or values[0] is None:
            return None
        listed = values[0] if isinstance(values[0], list) else [values[0]]
        groups.update(str(g) for g in listed if g is not None)
    return frozenset(groups)


def field_rules(sdl: GraphQLSchema, default_mode: AuthMode) -> dict[FieldCoordinate, FieldRule]:
    """The rule of every field of every object type in the SDL schema."""
    rules: dict[FieldCoordinate, FieldRule] = {}
    for type_name, type_ in sdl.type_map.items():
        if type_name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        on_type = _type_directives(type_)
        for field_name, field in type_.fields.items():
            node = field.ast_node
            on_field = _auth_directives(node.directives or ()) if node else []
            effective = on_field or on_type
            coordinate = FieldCoordinate(type_name, field_name)
            if not effective:
                rules[coordinate] = FieldRule(coordinate, frozenset({default_mode}), None, False)
                continue
            modes = frozenset(DIRECTIVE_MODES[d.name.value] for d in effective)
            names_cognito = AuthMode.AMAZON_COGNITO_USER_POOLS in modes
            groups = _groups(effective) if names_cognito else None
            rules[coordinate] = FieldRule(coordinate, modes, groups, names_cognito)
    return rules


def _caller_groups(identity: Any) -> Collection[str]:
    groups = identity.get("groups") if isinstance(identity, Mapping) else None
    return groups if isinstance(groups, list) else ()


class FieldAuthorizer:
    """The field rules of one API, and the checks that enforce them."""

    def __init__(
        self,
        rules: Mapping[FieldCoordinate, FieldRule],
        configured: Collection[AuthMode],
        cognito_deny: bool = False,
    ) -> None:
        self.rules = dict(rules)
        self.configured = frozenset(configured)
        self.cognito_deny = cognito_deny
        self._named_groups = frozenset(
            group for rule in self.rules.values() for group in rule.cognito_groups or ()
        )

    def rule(self, type_name: str, field_name: str) -> FieldRule | None:
        return self.rules.get(FieldCoordinate(type_name, field_name))

    def needs_check(self, rule: FieldRule) -> bool:
        """Whether some caller of a configured mode could be refused this field."""
        if self.configured - rule.modes:
            return True
        if AuthMode.AMAZON_COGNITO_USER_POOLS in self.configured and (
            rule.cognito_groups is not None or (self.cognito_deny and not rule.names_cognito)
        ):
            return True
        # A Lambda authorizer's deniedFields may name any field it may read.
        return AuthMode.AWS_LAMBDA in self.configured

    def allows(
        self,
        rule: FieldRule,
        mode: AuthMode | None,
        identity: Any,
        denied_fields: Collection[FieldCoordinate] = (),
    ) -> bool:
        if mode not in rule.modes:
            return False
        if mode is AuthMode.AMAZON_COGNITO_USER_POOLS:
            if rule.cognito_groups is not None:
                return not rule.cognito_groups.isdisjoint(_caller_groups(identity))
            return rule.names_cognito or not self.cognito_deny
        if mode is AuthMode.AWS_LAMBDA:
            return rule.coordinate not in denied_fields
        return True

    def visibility_key(
        self,
        mode: AuthMode | None,
        identity: Any,
        denied_fields: Collection[FieldCoordinate] = (),
    ) -> Hashable:
        """Equal keys ⇒ the same fields are allowed: the mode, the caller's groups that some
        rule names (Cognito), and the denied fields (Lambda)."""
        if mode is AuthMode.AMAZON_COGNITO_USER_POOLS:
            return (mode, self._named_groups.intersection(_caller_groups(identity)))
        if mode is AuthMode.AWS_LAMBDA:
            return (mode, frozenset(denied_fields))
        return (mode,)

    def check(
        self,
        type_name: str,
        field_name: str,
        mode: AuthMode | None,
        identity: Any,
        denied_fields: Collection[FieldCoordinate] = (),
    ) -> None:
        """Raise ``UnauthorizedError`` (AppSync's field error) if the caller may not read the
        field. Works for any operation type; fields of types the schema lacks are not checked."""
        rule = self.rule(type_name, field_name)
        if rule is not None and not self.allows(rule, mode, identity, denied_fields):
            raise UnauthorizedError(rule.message)

    def install(self, schema: GraphQLSchema) -> int:
        """Wrap the resolver of every field that needs a check; returns how many were wrapped.

        Call it after resolvers are bound (it wraps whatever ``resolve`` the field has then).
        """
        wrapped = 0
        for coordinate, rule in self.rules.items():
            type_ = schema.type_map.get(coordinate.type_name)
            if not isinstance(type_, GraphQLObjectType) or type_ is schema.subscription_type:
                continue
            field = type_.fields.get(coordinate.field_name)
            if field is None or not self.needs_check(rule):
                continue
            field.resolve = self._guard(rule, field.resolve or default_field_resolver)
            wrapped += 1
        return wrapped

    def _guard(self, rule: FieldRule, resolve: Callable[..., Any]) -> Callable[..., Any]:
        allows = self.allows

        def guarded(source: Any, info: GraphQLResolveInfo[Any], **arguments: Any) -> Any:
            state = info.context
            if not allows(rule, state.auth_mode, state.identity, state.denied_fields):
                raise UnauthorizedError(rule.message)
            return resolve(source, info, **arguments)

        return guarded
