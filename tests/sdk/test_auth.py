"""``util.auth_type()``: AppSync's name for the mode of the request being resolved."""

from __future__ import annotations

import pytest

from auth.identity import AUTH_TYPE_NAMES
from resolvers.context import Request, RequestState, ResolverContext, current_context
from schema.model import AuthMode
from sdk import util


@pytest.mark.parametrize(
    ("mode", "name"),
    [
        pytest.param(AuthMode.API_KEY, "API Key Authorization", id="api-key"),
        pytest.param(AuthMode.AWS_IAM, "IAM Authorization", id="iam"),
        pytest.param(AuthMode.AMAZON_COGNITO_USER_POOLS, "User Pool Authorization", id="cognito"),
        pytest.param(AuthMode.OPENID_CONNECT, "Open ID Connect Authorization", id="oidc"),
        pytest.param(AuthMode.AWS_LAMBDA, "Lambda Authorization", id="lambda"),
    ],
)
def test_auth_type(mode: AuthMode, name: str):
    state = RequestState(Request({}), auth_mode=mode)
    ctx = ResolverContext({}, None, None, state)  # type: ignore[arg-type]
    token = current_context.set(ctx)
    try:
        assert util.auth_type() == name
    finally:
        current_context.reset(token)
    assert AUTH_TYPE_NAMES[mode] == name


def test_outside_resolver_code_there_is_no_auth_type():
    assert util.auth_type() is None
