"""The AWS_LAMBDA data source: AppSync's Lambda request object, run on a ``LambdaFunction``.

AppSync developer guide, "AWS AppSync JavaScript resolver function reference for Lambda":

- the request is ``{operation: "Invoke" | "BatchInvoke", invocationType?: "RequestResponse" |
  "Event", payload}`` and ``ctx.result`` is the function's return value ("Response object");
- ``Event`` invokes asynchronously: the field gets ``null`` at once ("Invocation type");
- ``BatchInvoke`` sends the payloads of sibling resolutions of the field as one list and expects
  a list aligned with it ("Operation"); ``maxBatchSize`` bounds a batch (AppSync's old fixed
  size of 5 when the resolver sets none — AWS blog, "Introducing configurable batching size for
  AWS AppSync Lambda resolvers").

A list item that carries ``errorMessage`` or ``errorType`` fails only its own field, with that
message, type and the item's ``data`` (the AppSync tutorial "Using AWS Lambda resolvers",
"Returning individual errors"). Deviation: AppSync leaves such an item in ``ctx.result`` of a
code resolver for the response handler to check; Syncline sets ``ctx.error`` instead, for direct
and code resolvers alike, so one ``if ctx.error`` check covers both kinds of failure.

Payloads are limited as Lambda limits them (6 MB each way, 1 MB for ``Event``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from resolvers.context import ResolverContext
from resolvers.lambda_.batch import BatchLoader, BatchOutcome
from resolvers.lambda_.errors import (
    FunctionError,
    InvalidBatchResponse,
    InvalidLambdaRequest,
    InvokeError,
    LambdaErrorType,
)
from resolvers.lambda_.invocation import SYNC_PAYLOAD_LIMIT, InvocationType, LambdaFunction
from schema.model import FieldCoordinate

log = logging.getLogger("syncline.lambda")

DEFAULT_MAX_BATCH_SIZE = 5


class Operation(StrEnum):
    """AppSync's Lambda ``operation``."""

    INVOKE = "Invoke"
    BATCH_INVOKE = "BatchInvoke"


@dataclass(frozen=True, slots=True)
class LambdaRequest:
    operation: Operation
    invocation_type: InvocationType
    payload: Any

    @classmethod
    def parse(cls, request: Any) -> LambdaRequest:
        if not isinstance(request, Mapping):
            raise InvalidLambdaRequest("a Lambda request must be an object")
        operation = request.get("operation") or Operation.INVOKE
        if operation not in (Operation.INVOKE, Operation.BATCH_INVOKE):
            raise InvalidLambdaRequest(
                f"Lambda operation {operation!r} is not Invoke or BatchInvoke"
            )
        invocation_type = request.get("invocationType") or InvocationType.REQUEST_RESPONSE
        if invocation_type not in (InvocationType.REQUEST_RESPONSE, InvocationType.EVENT):
            raise InvalidLambdaRequest(
                f"invocationType {invocation_type!r} is not RequestResponse or Event"
            )
        return cls(Operation(operation), InvocationType(invocation_type), request.get("payload"))


def encode(payload: Any, invocation_type: InvocationType) -> bytes:
    try:
        body = json.dumps(payload, separators=(",", ":")).encode()
    except (TypeError, ValueError) as error:
        raise InvalidLambdaRequest(f"the Lambda payload is not JSON: {error}") from error
    limit = invocation_type.payload_limit
    if len(body) > limit:
        # The Invoke API's own refusal (Lambda API reference, "Invoke": RequestTooLargeException).
        raise InvokeError(
            "RequestTooLargeException",
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation "
            f"(the payload is {len(body)} bytes)",
            413,
        )
    return body


async def invoke_function(
    function: LambdaFunction, payload: Any, invocation_type: InvocationType
) -> Any:
    """Invoke with ``payload`` and return the decoded result (``None`` for ``Event``)."""
    invocation = await function.invoke(encode(payload, invocation_type), invocation_type)
    if invocation_type is not InvocationType.REQUEST_RESPONSE:
        return None
    if invocation.function_error:
        raise FunctionError.from_payload(invocation.payload)
    if len(invocation.payload) > SYNC_PAYLOAD_LIMIT:
        message = (
            f"Response payload size ({len(invocation.payload)} bytes) exceeded maximum allowed "
            f"payload size ({SYNC_PAYLOAD_LIMIT} bytes)."
        )
        raise FunctionError(
            {"errorType": LambdaErrorType.RESPONSE_TOO_LARGE, "errorMessage": message}
        )
    if not invocation.payload:
        return None
    try:
        return json.loads(invocation.payload)
    except ValueError as error:
        raise FunctionError(
            {
                "errorType": LambdaErrorType.MARSHAL,
                "errorMessage": f"the result is not JSON: {error}",
            }
        ) from error


def batch_outcome(item: Any) -> BatchOutcome:
    """One item of a ``BatchInvoke`` answer: the field's value, or its own error."""
    if isinstance(item, Mapping) and ("errorMessage" in item or "errorType" in item):
        return FunctionError(item, data=item.get("data"))
    return item


class LambdaDataSource:
    def __init__(self, name: str, function: LambdaFunction) -> None:
        self.name = name
        self.function = function

    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        call = LambdaRequest.parse(request)
        if call.operation is Operation.BATCH_INVOKE:
            return await self._load(call, ctx)
        return await invoke_function(self.function, call.payload, call.invocation_type)

    async def _load(self, call: LambdaRequest, ctx: ResolverContext) -> Any:
        batching = ctx.batching
        owner = batching.owner if batching is not None else None
        size = (batching.max_batch_size if batching is not None else None) or DEFAULT_MAX_BATCH_SIZE
        coordinate = FieldCoordinate(ctx.info.parent_type_name, ctx.info.field_name)
        key = (self, owner, coordinate, call.invocation_type, size)
        loaders = ctx.request_state.batch_loaders
        loader = loaders.get(key)
        if loader is None:
            invocation_type = call.invocation_type

            async def invoke_batch(payloads: list[Any]) -> Sequence[BatchOutcome]:
                return await self._invoke_batch(payloads, invocation_type)

            loader = loaders[key] = BatchLoader(invoke_batch, size)
        return await loader.load(call.payload)

    async def _invoke_batch(
        self, payloads: list[Any], invocation_type: InvocationType
    ) -> Sequence[BatchOutcome]:
        result = await invoke_function(self.function, payloads, invocation_type)
        if invocation_type is InvocationType.EVENT:
            return [None] * len(payloads)
        if not isinstance(result, list):
            raise InvalidBatchResponse(
                f"BatchInvoke of {self.name} must answer a list, got {type(result).__name__}"
            )
        if len(result) != len(payloads):
            raise InvalidBatchResponse(
                f"BatchInvoke of {self.name} answered {len(result)} items for "
                f"{len(payloads)} requests"
            )
        return [batch_outcome(item) for item in result]
