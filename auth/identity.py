"""``ctx.identity`` in exactly AppSync's shape for each mode.

AppSync developer guide, "Context object reference", section "Identity": API keys have no identity
(``null``); the other modes' objects have these keys and no others. ``sourceIp`` is a list:
the addresses of the ``X-Forwarded-For`` header, if any, then the TCP peer's address.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any, TypedDict

from schema.model import AuthMode

#: ``util.authType()`` values (AppSync developer guide, "Resolver authorization utils").
AUTH_TYPE_NAMES: Mapping[AuthMode, str] = {
    AuthMode.API_KEY: "API Key Authorization",
    AuthMode.AWS_IAM: "IAM Authorization",
    AuthMode.AMAZON_COGNITO_USER_POOLS: "User Pool Authorization",
    AuthMode.OPENID_CONNECT: "Open ID Connect Authorization",
    AuthMode.AWS_LAMBDA: "Lambda Authorization",
}

#: The AWS account the local API lives in (the one local Lambda ARNs use too).
ACCOUNT_ID = "000000000000"


def api_id(api_name: str) -> str:
    """A stable AppSync-style API id (26 lowercase letters and digits) derived from its name."""
    digest = hashlib.sha256(f"syncline-api/{api_name}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:26]


class IamIdentity(TypedDict):
    accountId: str
    cognitoIdentityPoolId: str | None
    cognitoIdentityId: str | None
    sourceIp: list[str]
    username: str
    userArn: str
    cognitoIdentityAuthType: str | None
    cognitoIdentityAuthProvider: str | None


class CognitoIdentity(TypedDict):
    sub: str | None
    issuer: str
    username: str | None
    claims: dict[str, Any]
    sourceIp: list[str]
    defaultAuthStrategy: str
    groups: list[str] | None


class OidcIdentity(TypedDict):
    sub: str | None
    issuer: str
    claims: dict[str, Any]


class LambdaIdentity(TypedDict):
    resolverContext: dict[str, Any]


def source_ips(forwarded_for: str | None, source_ip: str | None) -> list[str]:
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    return [*hops, source_ip] if source_ip else hops


def iam_identity(account_id: str, username: str, user_arn: str, ips: list[str]) -> IamIdentity:
    # Cognito identity pool fields are null: Syncline's IAM keys are IAM users, not
    # identity-pool credentials.
    return IamIdentity(
        accountId=account_id,
        cognitoIdentityPoolId=None,
        cognitoIdentityId=None,
        sourceIp=ips,
        username=username,
        userArn=user_arn,
        cognitoIdentityAuthType=None,
        cognitoIdentityAuthProvider=None,
    )


def _string(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    return value if isinstance(value, str) else None


def cognito_identity(
    claims: dict[str, Any], issuer: str, default_action: str, ips: list[str]
) -> CognitoIdentity:
    groups = claims.get("cognito:groups")
    username = _string(claims, "cognito:username") or _string(claims, "username")
    return CognitoIdentity(
        sub=_string(claims, "sub"),
        issuer=issuer,
        username=username,
        claims=claims,
        sourceIp=ips,
        defaultAuthStrategy=default_action,
        groups=[str(g) for g in groups] if isinstance(groups, list) else None,
    )


def oidc_identity(claims: dict[str, Any], issuer: str) -> OidcIdentity:
    return OidcIdentity(sub=_string(claims, "sub"), issuer=issuer, claims=claims)


def lambda_identity(resolver_context: dict[str, Any]) -> LambdaIdentity:
    return LambdaIdentity(resolverContext=resolver_context)
