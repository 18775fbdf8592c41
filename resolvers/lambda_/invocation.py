"""What every Lambda runtime shares: the Invoke call, its answer and its limits.

A runtime is anything that answers Lambda's Invoke API (Lambda API reference, "Invoke"):
payload bytes in, ``Invocation`` (status, payload, ``X-Amz-Function-Error``) out. Working at the
level of bytes keeps the local worker pool, the boto3 runtime and the HTTP Invoke endpoint
(``resolvers.lambda_.endpoint``) interchangeable, and the payload limits exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from schema.model import FunctionRuntime, LocalFunction

SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024
"""Lambda quota: request and response payloads of a synchronous invocation (6 MB)."""
ASYNC_PAYLOAD_LIMIT = 1024 * 1024
"""Lambda quota: the payload of an asynchronous (``Event``) invocation (1 MB)."""
ACCOUNT_ID = "000000000000"
"""The account id in local functions' ARNs."""
DEFAULT_REGION = "us-east-1"


class InvocationType(StrEnum):
    """``X-Amz-Invocation-Type`` (AppSync's ``invocationType`` allows the first two)."""

    REQUEST_RESPONSE = "RequestResponse"
    EVENT = "Event"
    DRY_RUN = "DryRun"

    @property
    def payload_limit(self) -> int:
        return ASYNC_PAYLOAD_LIMIT if self is InvocationType.EVENT else SYNC_PAYLOAD_LIMIT


@dataclass(frozen=True, slots=True)
class Invocation:
    """The Invoke API's answer."""

    status_code: int
    """200 for ``RequestResponse``, 202 for ``Event``, 204 for ``DryRun``."""
    payload: bytes = b""
    """The function's JSON result, or its error object when ``function_error`` is set."""
    function_error: str | None = None
    """``X-Amz-Function-Error``: ``Unhandled`` when the function failed."""
    executed_version: str = "$LATEST"


UNHANDLED = "Unhandled"


class LambdaFunction(Protocol):
    """One invocable function, whichever runtime runs it."""

    async def invoke(self, payload: bytes, invocation_type: InvocationType) -> Invocation:
        """Invoke with a JSON ``payload`` within its size limit.

        A failing function is an ``Invocation`` with ``function_error`` set; an invocation that
        cannot happen raises ``resolvers.lambda_.errors.InvokeError``.
        """
        ...


class Closeable(Protocol):
    def close(self) -> None: ...


class RuntimeFunction(LambdaFunction, Closeable, Protocol):
    """What a runtime factory builds: a function the server closes when it stops."""


RuntimeFactory = Callable[[LocalFunction, Path, dict[str, Any]], RuntimeFunction]
"""``(function, API folder, shared)``; ``shared`` holds what functions of one API share (for
example boto3 sessions), as ``resolvers.registry.Runtime.shared`` does for data sources."""

_RUNTIMES: dict[FunctionRuntime, RuntimeFactory] = {}


def register_runtime(kind: FunctionRuntime) -> Callable[[RuntimeFactory], RuntimeFactory]:
    def decorator(factory: RuntimeFactory) -> RuntimeFactory:
        if kind in _RUNTIMES:
            raise RuntimeError(f"Lambda runtime {kind} is registered twice")
        _RUNTIMES[kind] = factory
        return factory

    return decorator


def runtime_factory(kind: FunctionRuntime) -> RuntimeFactory:
    # Imported for their @register_runtime side effect; each module is one runtime.
    import resolvers.lambda_.aws
    import resolvers.lambda_.local  # noqa: F401

    return _RUNTIMES[kind]


def function_arn(name: str, region: str = DEFAULT_REGION) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"
