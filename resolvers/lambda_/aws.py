"""The ``aws`` runtime: a deployed function, invoked with boto3 ``lambda.invoke``.

boto3 is synchronous, so each invocation runs on a thread of a bounded pool owned by the function
(``aws.maxConnections``, default 10, which also sizes botocore's connection pool); the event loop
never waits. Credentials, region and endpoint come from the function's ``aws:`` block or the
standard AWS chain. Retries are off: AppSync does not retry a Lambda invocation, and a retried
timeout would run the function twice. The read timeout is the function's ``timeout`` plus a
margin, so a slow function fails as a timeout rather than hanging the field.

A function error comes back as ``FunctionError`` in the payload (Lambda API reference, "Invoke":
``X-Amz-Function-Error``); a refused invocation (not found, throttled, too large) or an
unreachable endpoint raises ``InvokeError`` with the service's exception name.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from resolvers.lambda_.errors import InvokeError
from resolvers.lambda_.invocation import (
    Invocation,
    InvocationType,
    RuntimeFunction,
    register_runtime,
)
from schema.errors import DefinitionError
from schema.model import AwsFunctionTarget, FunctionRuntime, LocalFunction

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

_ARN_REGION = re.compile(r"arn:[^:]+:lambda:([a-z0-9-]+):")
READ_TIMEOUT_MARGIN = 5.0


class AwsLambdaFunction:
    """A ``LambdaFunction`` backed by AWS Lambda (or anything that speaks its Invoke API)."""

    def __init__(self, target: AwsFunctionTarget, client: LambdaClient) -> None:
        self.target = target
        self.client = client
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=target.max_connections, thread_name_prefix="lambda-aws"
        )

    async def invoke(self, payload: bytes, invocation_type: InvocationType) -> Invocation:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self._executor, self._invoke, payload, invocation_type
            )
        except RuntimeError as error:  # the executor is shut down: the server is stopping
            raise InvokeError("ServiceException", str(error), 503) from error

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.client.close()

    def _invoke(self, payload: bytes, invocation_type: InvocationType) -> Invocation:
        from botocore.exceptions import BotoCoreError, ClientError

        arguments: dict[str, Any] = {
            "FunctionName": self.target.function_name,
            "InvocationType": invocation_type.value,
            "Payload": payload,
        }
        if self.target.qualifier:
            arguments["Qualifier"] = self.target.qualifier
        try:
            response = self.client.invoke(**arguments)
            body = response["Payload"].read() if "Payload" in response else b""
        except ClientError as error:
            details = error.response.get("Error", {})
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 500)
            code = details.get("Code") or "ServiceException"
            raise InvokeError(code, details.get("Message") or str(error), status) from error
        except BotoCoreError as error:  # unreachable endpoint, timeouts, no credentials
            raise InvokeError(type(error).__name__, str(error), 502) from error
        return Invocation(
            response["StatusCode"],
            body,
            response.get("FunctionError"),
            response.get("ExecutedVersion") or "$LATEST",
        )


def lambda_client(
    target: AwsFunctionTarget, timeout: float, sessions: dict[Any, Any] | None = None
) -> LambdaClient:
    """A boto3 Lambda client for ``target``; raises ``ValueError`` when no region is known.

    Functions with the same credentials share one boto3 session (``sessions``): building a
    session loads botocore's data files, about 0.1 s each.
    """
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    match = _ARN_REGION.match(target.function_name)
    identity = (
        target.access_key_id,
        target.secret_access_key,
        target.session_token,
        target.profile,
    )
    region = target.region or (match.group(1) if match else None)
    try:
        session = (sessions or {}).get(identity)
        if session is None:
            session = boto3.session.Session(
                aws_access_key_id=target.access_key_id,
                aws_secret_access_key=target.secret_access_key,
                aws_session_token=target.session_token,
                profile_name=target.profile,
            )
            if sessions is not None:
                sessions[identity] = session
        config = Config(
            connect_timeout=5,
            read_timeout=timeout + READ_TIMEOUT_MARGIN,
            retries={"mode": "standard", "total_max_attempts": 1},
            max_pool_connections=target.max_connections,
        )
        return session.client(
            "lambda", region_name=region, endpoint_url=target.endpoint_url, config=config
        )
    except BotoCoreError as error:
        raise ValueError(str(error)) from error


@register_runtime(FunctionRuntime.AWS)
def aws_runtime(function: LocalFunction, root: Path, shared: dict[str, Any]) -> RuntimeFunction:
    target = function.aws or AwsFunctionTarget(function_name=function.name)
    sessions: dict[Any, Any] = shared.setdefault("boto3_sessions", {})
    try:
        client = lambda_client(target, function.timeout, sessions)
    except ValueError as error:
        raise DefinitionError(
            function.location, f"function '{function.name}' (runtime aws): {error}"
        ) from error
    return AwsLambdaFunction(target, client)
