"""AWS_LAMBDA authorization: the ``Authorization`` value, judged by a Lambda function.

AppSync developer guide, "AWS_LAMBDA authorization": the function receives
``{authorizationToken, requestContext: {apiId, accountId, requestId, queryString,
operationName, variables}, requestHeaders}`` and answers ``{isAuthorized, resolverContext,
deniedFields, ttlOverride}``:

- ``isAuthorized`` false (or a failing, timing-out or malformed answer) refuses the request
  with 401 ``UnauthorizedException``;
- ``resolverContext`` becomes ``ctx.identity.resolverContext``;
- ``deniedFields`` (``Type.field`` or the field's full AppSync ARN) resolve to null with an
  ``Unauthorized`` error for this caller (``auth.directives``); the field's resolver is not run;
- answers are cached per token for ``authorizerResultTtlInSeconds`` or the answer's
  ``ttlOverride`` (0: not cached);
- ``identityValidationExpression``, when set, must match the token (``re.search``) before the
  function is invoked; a token that does not match is refused without an invocation.

The function is invoked through the Lambda data source's runtimes: a ``functionName`` of
``functions:`` (local worker pool, or its ``aws`` target), else ``functionArn`` (boto3, off the
event loop). Invocations time out after 10 seconds, AppSync's limit for authorizers.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from cachetools import TLRUCache

from auth.errors import AuthFailure, unauthorized
from auth.identity import ACCOUNT_ID, api_id, lambda_identity
from auth.modes import AuthContext, Authorization, Authorizer, Credentials, HttpCall, register
from schema.model import AuthMode, AuthProvider, DataSource, DataSourceKind, FieldCoordinate

log = logging.getLogger("syncline.auth")

INVOKE_TIMEOUT = 10.0
CACHE_SIZE = 10_000
Invoke = Callable[[dict[str, Any]], Awaitable[Any]]
_FIELD_ARN = re.compile(
    r"arn:aws:appsync:[^:]*:[^:]*:apis/(?P<api>[^/]+)/types/(?P<type>[_A-Za-z]\w*)"
    r"/fields/(?P<field>[_A-Za-z]\w*)"
)
_COORDINATE = re.compile(r"(?P<type>[_A-Za-z]\w*)\.(?P<field>[_A-Za-z]\w*)")

Decision = tuple[Authorization | None, int]
"""An answer as cached: the authorization (None: refused) and its time to live in seconds."""


def operation(call: HttpCall) -> tuple[str, str | None, dict[str, Any]]:
    """``queryString``, ``operationName`` and ``variables`` of the call, best effort."""
    params: Any
    if call.method == "GET":
        params = {name: values[0] for name, values in parse_qs(call.query).items()}
        if "variables" in params:
            try:
                params["variables"] = json.loads(params["variables"])
            except ValueError:
                params["variables"] = None
    else:
        try:
            params = json.loads(call.body or b"{}")
        except ValueError:
            params = {}
    if not isinstance(params, Mapping):
        params = {}
    query, name, variables = (
        params.get("query"),
        params.get("operationName"),
        params.get("variables"),
    )
    return (
        query if isinstance(query, str) else "",
        name if isinstance(name, str) else None,
        variables if isinstance(variables, dict) else {},
    )


class LambdaAuthorizer:
    mode = AuthMode.AWS_LAMBDA

    def __init__(
        self,
        invoke: Invoke,
        context: AuthContext,
        ttl: int = 300,
        validation: re.Pattern[str] | None = None,
    ) -> None:
        self.invoke = invoke
        self.api_id = api_id(context.api.name)
        self.ttl = ttl
        self.validation = validation
        self.cache: TLRUCache[str, Decision] = TLRUCache(
            CACHE_SIZE, lambda _key, value, now: now + value[1], timer=context.clock
        )
        self.invocations = 0

    def claims(self, credentials: Credentials) -> bool:
        return credentials.authorization is not None

    def event(self, call: HttpCall, token: str) -> dict[str, Any]:
        query, operation_name, variables = operation(call)
        return {
            "authorizationToken": token,
            "requestContext": {
                "apiId": self.api_id,
                "accountId": ACCOUNT_ID,
                "requestId": str(uuid.uuid4()),
                "queryString": query,
                "operationName": operation_name,
                "variables": variables,
            },
            "requestHeaders": dict(call.headers.items()),
        }

    async def authorize(self, call: HttpCall, credentials: Credentials) -> Authorization:
        token = credentials.authorization or ""
        if self.validation is not None and not self.validation.search(token):
            raise unauthorized()
        key = hashlib.sha256(token.encode()).hexdigest()
        cached = self.cache.get(key)
        if cached is None:
            cached = await self._decide(call, token)
            if cached[1] > 0:
                self.cache[key] = cached
        if cached[0] is None:
            raise unauthorized()
        return cached[0]

    async def _decide(self, call: HttpCall, token: str) -> Decision:
        self.invocations += 1
        try:
            answer = await asyncio.wait_for(self.invoke(self.event(call, token)), INVOKE_TIMEOUT)
        except AuthFailure:
            raise
        except Exception as error:
            log.warning("Lambda authorizer failed: %s", type(error).__name__)
            raise unauthorized() from None
        return self.decision(answer)

    def decision(self, answer: Any) -> Decision:
        if not isinstance(answer, Mapping):
            log.warning("Lambda authorizer answered %s, not an object", type(answer).__name__)
            raise unauthorized()
        ttl = answer.get("ttlOverride", self.ttl)
        if isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0:
            ttl = self.ttl
        if answer.get("isAuthorized") is not True:
            return None, ttl
        context = answer.get("resolverContext") or {}
        denied = answer.get("deniedFields") or []
        if not isinstance(context, dict) or not isinstance(denied, list):
            log.warning("Lambda authorizer answer has a malformed resolverContext/deniedFields")
            raise unauthorized()
        authorization = Authorization(
            self.mode, lambda_identity(context), frozenset(self.denied_fields(denied))
        )
        return authorization, ttl

    def denied_fields(self, entries: list[Any]) -> list[FieldCoordinate]:
        fields = []
        for entry in entries:
            text = str(entry)
            match = _FIELD_ARN.fullmatch(text) or _COORDINATE.fullmatch(text)
            if match is None or match.groupdict().get("api", self.api_id) != self.api_id:
                continue  # another API's field, or not a field at all
            fields.append(FieldCoordinate(match["type"], match["field"]))
        return fields


def _invoker(provider: AuthProvider, context: AuthContext) -> Invoke:
    """The configured function through the Lambda data source's runtimes (a local function by
    ``functionName``, else ``functionArn`` through the ``aws`` runtime)."""
    from resolvers.lambda_.data_source import invoke_function
    from resolvers.lambda_.functions import functions_for
    from resolvers.lambda_.invocation import InvocationType

    target = DataSource(
        "AWS_LAMBDA authorizer", DataSourceKind.AWS_LAMBDA, provider.config, None, provider.location
    )
    function = functions_for(context.runtime).for_data_source(target)

    async def invoke(event: dict[str, Any]) -> Any:
        return await invoke_function(function, event, InvocationType.REQUEST_RESPONSE)

    return invoke


@register(AuthMode.AWS_LAMBDA)
def lambda_authorizer(provider: AuthProvider, context: AuthContext) -> Authorizer:
    config = provider.config
    invoke = _invoker(provider, context)
    expression = config.get("identityValidationExpression")
    return LambdaAuthorizer(
        invoke,
        context,
        int(config.get("authorizerResultTtlInSeconds", 300)),
        re.compile(expression) if expression else None,
    )
