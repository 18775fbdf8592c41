"""Field rules from AppSync's auth directives, and the checks installed where they are needed."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLObjectType, default_field_resolver

from auth.directives import FieldAuthorizer, FieldRule, field_rules
from auth.issuer import CognitoPool, LocalIssuer
from schema.errors import UnauthorizedError
from schema.model import AuthMode, FieldCoordinate, SchemaSource
from schema.sdl import build_sdl_schema
from tests.auth.support import Clock, served
from web.api import load_api

API_KEY, IAM, COGNITO, OIDC, LAMBDA = (
    AuthMode.API_KEY,
    AuthMode.AWS_IAM,
    AuthMode.AMAZON_COGNITO_USER_POOLS,
    AuthMode.OPENID_CONNECT,
    AuthMode.AWS_LAMBDA,
)

SDL = """
type Query @aws_api_key @aws_cognito_user_pools {
  typed: String
  fieldWins: String @aws_iam
  groups: String @aws_cognito_user_pools(cognito_groups: ["admins", "ops"])
  legacy: String @aws_auth(cognito_groups: ["bloggers"])
  mixed: String @aws_oidc @aws_cognito_user_pools
}

type Plain {
  value: String
}

extend type Plain @aws_lambda
"""


def rules(sdl: str = SDL, default: AuthMode = API_KEY) -> dict[FieldCoordinate, FieldRule]:
    return field_rules(build_sdl_schema([SchemaSource(Path("schema.graphql"), sdl)]), default)


@pytest.mark.parametrize(
    ("field", "modes", "groups"),
    [
        pytest.param("Query.typed", {API_KEY, COGNITO}, None, id="type-directives"),
        pytest.param("Query.fieldWins", {IAM}, None, id="field-overrides-type"),
        pytest.param("Query.groups", {COGNITO}, {"admins", "ops"}, id="cognito-groups"),
        pytest.param("Query.legacy", {COGNITO}, {"bloggers"}, id="legacy-aws-auth"),
        pytest.param("Query.mixed", {OIDC, COGNITO}, None, id="several-field-directives"),
        pytest.param("Plain.value", {LAMBDA}, None, id="directive-on-type-extension"),
    ],
)
def test_rules(field: str, modes: set[AuthMode], groups: set[str] | None):
    rule = rules()[FieldCoordinate.parse(field)]
    assert rule.modes == modes
    assert rule.cognito_groups == (frozenset(groups) if groups is not None else None)


def test_no_directive_anywhere_means_the_default_mode_only():
    rule = rules("type Query { x: String }", default=OIDC)[FieldCoordinate("Query", "x")]
    assert rule.modes == frozenset({OIDC})
    assert not rule.names_cognito


def authorizer(
    configured: set[AuthMode], deny: bool = False, sdl: str = SDL, default: AuthMode = API_KEY
) -> FieldAuthorizer:
    return FieldAuthorizer(rules(sdl, default), configured, cognito_deny=deny)


def cognito(*groups: str) -> dict[str, Any]:
    return {"groups": list(groups) or None}


@pytest.mark.parametrize(
    ("field", "mode", "identity", "allowed"),
    [
        pytest.param("Query.typed", API_KEY, None, True, id="api-key-on-typed"),
        pytest.param("Query.typed", IAM, {}, False, id="iam-not-on-type"),
        pytest.param("Query.fieldWins", API_KEY, None, False, id="type-mode-overridden"),
        pytest.param("Query.fieldWins", IAM, {}, True, id="field-mode"),
        pytest.param("Query.groups", COGNITO, cognito("ops"), True, id="in-a-group"),
        pytest.param("Query.groups", COGNITO, cognito("staff"), False, id="in-no-listed-group"),
        pytest.param("Query.groups", COGNITO, cognito(), False, id="in-no-group"),
        pytest.param("Query.legacy", COGNITO, cognito("bloggers"), True, id="legacy-group"),
        pytest.param("Query.typed", COGNITO, cognito(), True, id="cognito-without-groups-rule"),
    ],
)
def test_checks(field: str, mode: AuthMode, identity: Any, allowed: bool):
    fields = authorizer({API_KEY, IAM, COGNITO, OIDC})
    coordinate = FieldCoordinate.parse(field)
    rule = fields.rules[coordinate]
    assert fields.allows(rule, mode, identity) is allowed
    if not allowed:
        with pytest.raises(UnauthorizedError) as error:
            fields.check(coordinate.type_name, coordinate.field_name, mode, identity)
        assert error.value.message == (
            f"Not Authorized to access {coordinate.field_name} on type {coordinate.type_name}"
        )
        assert error.value.error_type == "Unauthorized"


def test_cognito_default_action_deny_refuses_fields_no_cognito_directive_names():
    sdl = """
    type Query {
      open: String
      any: String @aws_cognito_user_pools
      posts: String @aws_auth(cognito_groups: ["bloggers"])
    }
    """
    fields = authorizer({COGNITO}, deny=True, sdl=sdl, default=COGNITO)
    allowed = {
        name: fields.allows(fields.rules[FieldCoordinate("Query", name)], COGNITO, cognito("x"))
        for name in ("open", "any", "posts")
    }
    assert allowed == {"open": False, "any": True, "posts": False}
    fields_allow = authorizer({COGNITO}, deny=False, sdl=sdl, default=COGNITO)
    assert fields_allow.allows(fields_allow.rules[FieldCoordinate("Query", "open")], COGNITO, {})


@pytest.mark.parametrize(
    ("configured", "wrapped"),
    [
        pytest.param(
            {API_KEY, COGNITO},
            {"Query.fieldWins", "Query.groups", "Query.legacy", "Query.mixed", "Plain.value"},
            id="api-key-and-cognito",
        ),
        pytest.param({API_KEY, COGNITO, IAM, OIDC, LAMBDA}, "all", id="lambda-may-deny-any-field"),
    ],
)
def test_checks_are_installed_only_where_a_configured_mode_can_be_refused(
    configured: set[AuthMode], wrapped: Any
):
    fields = authorizer(configured)
    needing = {str(c) for c, rule in fields.rules.items() if fields.needs_check(rule)}
    assert needing == ({str(c) for c in fields.rules} if wrapped == "all" else wrapped)


def test_the_example_wraps_one_field_and_leaves_the_hot_path_alone():
    api = load_api(Path(__file__).parents[2] / "examples" / "orders")
    schema = api.schema.graphql
    guarded = [
        f"{name}.{field_name}"
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType) and not name.startswith("__")
        for field_name, field in type_.fields.items()
        if field.resolve is not None and field.resolve.__name__ == "guarded"
    ]
    assert guarded == ["Mutation.updateOrderStatus"]
    assert schema.type_map["Order"].fields["id"].resolve in (None, default_field_resolver)  # type: ignore[attr-defined]


def test_visibility_keys_group_callers_who_see_the_same_fields():
    fields = authorizer({API_KEY, COGNITO, LAMBDA})
    key = fields.visibility_key
    assert key(COGNITO, cognito("ops", "x")) == key(COGNITO, cognito("ops", "y"))
    assert key(COGNITO, cognito("ops")) != key(COGNITO, cognito("bloggers"))
    denied = frozenset({FieldCoordinate("Query", "typed")})
    assert key(LAMBDA, {}, denied) != key(LAMBDA, {}, frozenset())
    assert key(API_KEY, None) == key(API_KEY, None)


SERVED_SDL = """
type Query {
  open: String
  any: String @aws_cognito_user_pools
  posts: [Post!] @aws_auth(cognito_groups: ["bloggers"])
  post: Post @aws_cognito_user_pools
}

type Post @aws_cognito_user_pools {
  title: String
  secret: String! @aws_cognito_user_pools(cognito_groups: ["editors"])
}
"""

SERVED_CONFIG = """\
appSync:
  name: deny
  schema: schema.graphql
  authentication:
    type: AMAZON_COGNITO_USER_POOLS
    config: {userPoolId: us-east-1_Deny, localIssuer: true, defaultAction: DENY}
  dataSources: {none: {type: NONE}}
  resolvers:
    Query.open: {kind: UNIT, dataSource: none, code: value.py}
    Query.any: {kind: UNIT, dataSource: none, code: value.py}
    Query.posts: {kind: UNIT, dataSource: none, code: posts.py}
    Query.post: {kind: UNIT, dataSource: none, code: post.py}
"""

CODE = {
    "value.py": "def request(ctx):\n    return {'payload': 'v'}\n\n\ndef response(ctx):\n    return ctx.result\n",
    "posts.py": "def request(ctx):\n    return {'payload': [{'title': 't', 'secret': 's'}]}\n\n\ndef response(ctx):\n    return ctx.result\n",
    "post.py": "def request(ctx):\n    return {'payload': {'title': 't', 'secret': 's'}}\n\n\ndef response(ctx):\n    return ctx.result\n",
}


def test_partial_responses_over_http(tmp_path: Path):
    """Denied fields are null with their error; the rest resolves; a non-null denial nulls
    its parent, as GraphQL requires."""
    root = tmp_path / "api"
    root.mkdir()
    (root / "schema.graphql").write_text(textwrap.dedent(SERVED_SDL))
    (root / "syncline.yml").write_text(SERVED_CONFIG)
    for name, text in CODE.items():
        (root / name).write_text(text)
    data = tmp_path / "data"
    token = LocalIssuer(data).issue(CognitoPool("us-east-1_Deny", "us-east-1"), "u1", ["bloggers"])
    _, client = served(root, data, Clock())
    with client:
        body = client.post(
            "/graphql",
            json={"query": "{ open any posts { title } post { title secret } }"},
            headers={"Authorization": token},
        ).json()
    assert "data" in body, body
    assert body["data"] == {"open": None, "any": "v", "posts": [{"title": "t"}], "post": None}
    assert sorted((e["path"], e["message"]) for e in body["errors"]) == [
        (["open"], "Not Authorized to access open on type Query"),
        (["post", "secret"], "Not Authorized to access secret on type Post"),
    ]
