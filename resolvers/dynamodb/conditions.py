"""What happens after a condition check fails: ``equalsIgnore`` and ``conditionalCheckFailedHandler``.

AppSync developer guide, "Condition expressions — Handling a condition check failure" (APPSYNC_JS
and VTL alike): when a PutItem, UpdateItem or DeleteItem condition is false, AppSync reads the
current item and compares it with the desired result —

- PutItem: the current item equals the item it tried to write, ignoring the attributes listed in
  ``equalsIgnore`` → the operation succeeded anyway, and the current item is the result;
- DeleteItem: there is no current item → succeeded anyway (the result is null);
- UpdateItem: AppSync cannot know the desired state, so it goes straight to the strategy.

Otherwise the ``conditionalCheckFailedHandler`` strategy decides: ``Reject`` (the default) fails
the field with ``DynamoDB:ConditionalCheckFailedException``; ``Custom`` invokes the Lambda
function ``lambdaArn`` with ``{arguments, requestMapping, currentValue, resolver, identity}``
and follows its ``{"action": "reject" | "discard" | "retry", "retryMapping": {...}}``. A retry
runs the same operation on the same key with the retry mapping's fields; if its condition
fails too, the strategy is ``Reject``. Syncline runs ``lambdaArn`` with the API's local
functions (``functions:``), matched by name or ARN.

``consistentRead`` (default true) picks the read AppSync makes; Syncline's current item comes
from the same transaction as the failed check, which is at least as strong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from resolvers.context import ResolverContext
from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import ConditionalCheckFailed, InvalidRequest
from resolvers.dynamodb.values import Item

InvokeFunction = Callable[[str, Any], Awaitable[Any]]
"""Invoke the function named by a Lambda ARN (or name) with a JSON payload; its decoded result."""

Request = Mapping[str, Any]


class Strategy(StrEnum):
    REJECT = "Reject"
    CUSTOM = "Custom"


class HandlerAction(StrEnum):
    REJECT = "reject"
    DISCARD = "discard"
    RETRY = "retry"


RETRY_FIELDS = {
    "PutItem": ("attributeValues", "condition"),
    "UpdateItem": ("update", "condition"),
    "DeleteItem": ("condition",),
}
"""What a ``retryMapping`` may replace, per operation (AppSync: "a subset of the request")."""


@dataclass(frozen=True)
class FailureHandling:
    equals_ignore: frozenset[str]
    strategy: Strategy
    lambda_arn: str | None

    @classmethod
    def of(cls, condition: Mapping[str, Any]) -> FailureHandling:
        ignore = condition.get("equalsIgnore") or []
        if not isinstance(ignore, list) or not all(isinstance(a, str) for a in ignore):
            raise InvalidRequest("'condition.equalsIgnore' must be a list of attribute names")
        consistent = condition.get("consistentRead")
        if consistent is not None and not isinstance(consistent, bool):
            raise InvalidRequest("'condition.consistentRead' must be true or false")
        handler = condition.get("conditionalCheckFailedHandler")
        if handler is None:
            return cls(frozenset(ignore), Strategy.REJECT, None)
        if not isinstance(handler, Mapping):
            raise InvalidRequest("'condition.conditionalCheckFailedHandler' must be an object")
        try:
            strategy = Strategy(str(handler.get("strategy")))
        except ValueError:
            raise InvalidRequest(
                "'conditionalCheckFailedHandler.strategy' must be Reject or Custom"
            ) from None
        arn = handler.get("lambdaArn")
        if (strategy is Strategy.CUSTOM) != isinstance(arn, str):
            raise InvalidRequest(
                "'conditionalCheckFailedHandler.lambdaArn' is required with strategy Custom "
                "and only allowed with it"
            )
        return cls(frozenset(ignore), strategy, arn)


def same_item(current: Item | None, expected: Item, ignore: frozenset[str]) -> bool:
    if current is None:
        return False
    kept = {k: x for k, x in current.items() if k not in ignore}
    wanted = {k: x for k, x in expected.items() if k not in ignore}
    return v.equals({"M": kept}, {"M": wanted})


async def after_failed_condition(
    failure: ConditionalCheckFailed,
    *,
    operation: str,
    request: Request,
    expected: Item | None,
    table: str,
    ctx: ResolverContext | None,
    invoke: InvokeFunction | None,
    retry: Callable[[Request], Awaitable[Any]],
) -> Any:
    """The field's result after ``failure``, or raise it (AppSync's flow, described above)."""
    condition = request.get("condition")
    handling = FailureHandling.of(condition if isinstance(condition, Mapping) else {})
    current = failure.item
    if expected is not None and same_item(current, expected, handling.equals_ignore):
        return v.item_to_plain(current)
    if operation == "DeleteItem" and current is None:
        return None
    if handling.strategy is Strategy.REJECT:
        raise failure
    if invoke is None or handling.lambda_arn is None:
        raise InvalidRequest("strategy Custom needs the API's functions to invoke lambdaArn")
    decision = await invoke(handling.lambda_arn, _handler_event(request, current, table, ctx))
    action = decision.get("action") if isinstance(decision, Mapping) else None
    if action == HandlerAction.REJECT:
        raise failure
    if action == HandlerAction.DISCARD:
        return v.item_to_plain(current)
    if action == HandlerAction.RETRY:
        mapping = decision.get("retryMapping")
        if not isinstance(mapping, Mapping):
            raise InvalidRequest("a retry decision needs a 'retryMapping' object")
        allowed = RETRY_FIELDS[operation]
        unknown = sorted(set(mapping) - set(allowed))
        if unknown:
            raise InvalidRequest(
                f"retryMapping of {operation} may only set {', '.join(allowed)}; got {unknown}"
            )
        retry_condition = mapping.get("condition")
        if isinstance(retry_condition, Mapping) and retry_condition.get(
            "conditionalCheckFailedHandler"
        ):
            raise InvalidRequest(
                "a retryMapping's condition cannot set a conditionalCheckFailedHandler"
            )
        return await retry({**request, **mapping})
    raise InvalidRequest(
        f"the conditionalCheckFailedHandler function returned {decision!r}; expected "
        '{"action": "reject" | "discard" | "retry"}'
    )


def _handler_event(
    request: Request, current: Item | None, table: str, ctx: ResolverContext | None
) -> dict[str, Any]:
    resolver: dict[str, Any] = {"tableName": table}
    if ctx is not None:
        resolver |= {"parentType": ctx.info.parent_type_name, "field": ctx.info.field_name}
    return {
        "arguments": dict(ctx.arguments) if ctx is not None else {},
        "requestMapping": dict(request),
        "currentValue": current,
        "resolver": resolver,
        "identity": ctx.identity if ctx is not None else None,
    }


Writer = Callable[[Request, ResolverContext | None], Awaitable[Any]]


def rejecting(request: Request) -> Request:
    """A retried request: its condition fails with ``Reject``, whatever it says."""
    condition = request.get("condition")
    if not isinstance(condition, Mapping):
        return request
    return {**request, "condition": {**condition, "conditionalCheckFailedHandler": None}}


async def conditional_write(
    attempt: Callable[[], Awaitable[Any]],
    *,
    operation: str,
    request: Request,
    expected: Item | None,
    table: str,
    ctx: ResolverContext | None,
    invoke: InvokeFunction | None,
    writers: Mapping[str, Writer],
) -> Any:
    """Run one conditional write; a failed condition goes through AppSync's handling above.

    ``writers`` maps each write operation to the data source method that retries it (both the
    embedded store's and the boto3 backend's data sources pass their own).
    """
    try:
        return await attempt()
    except ConditionalCheckFailed as failure:

        async def retry(retried: Request) -> Any:
            return await writers[operation](rejecting(retried), ctx)

        return await after_failed_condition(
            failure,
            operation=operation,
            request=request,
            expected=expected,
            table=table,
            ctx=ctx,
            invoke=invoke,
            retry=retry,
        )
