"""Local Lambda runtime: Python handlers from the API's ``functions:`` block.

This first runtime runs handlers on a thread pool inside the server process, loaded once at
start-up. A handler that raises fails that invocation only; one that runs past its
``timeout`` fails the caller with a timeout error (the thread cannot be killed, so it runs on
in the background; process isolation is the job of the worker-pool runtime).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resolvers.code import load_module
from schema.errors import DefinitionError, ResolverError
from schema.model import LocalFunction

log = logging.getLogger("syncline.lambda")

REGION = "us-east-1"
ACCOUNT_ID = "000000000000"


@dataclass
class LambdaContext:
    """The Lambda context object a Python handler receives (AWS Lambda, "Python context")."""

    function_name: str
    memory_limit_in_mb: int
    timeout: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout
        self.log_group_name = f"/aws/lambda/{self.function_name}"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class LocalHandler:
    function: LocalFunction
    handler: Callable[[Any, LambdaContext], Any]

    async def invoke(self, event: Any) -> Any:
        """Run the handler; its exception becomes AppSync's Lambda error mapping."""
        context = LambdaContext(
            self.function.name, self.function.memory_size, self.function.timeout
        )
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self.handler, event, context), self.function.timeout
            )
        except TimeoutError:
            raise ResolverError(
                f"Task timed out after {self.function.timeout:.2f} seconds", "Lambda:Timeout"
            ) from None
        except Exception as error:
            # AppSync maps a Lambda error's errorType/errorMessage onto the GraphQL error.
            raise ResolverError(str(error), type(error).__name__) from error


def load_handler(root: Path, function: LocalFunction) -> LocalHandler:
    module_path, _, attribute = function.handler.rpartition(".")
    path = root / (module_path.replace(".", "/") + ".py")
    if not path.is_file():
        raise DefinitionError(function.location, f"handler file {path} does not exist")
    module = load_module(root, path, function.location)
    handler = getattr(module, attribute, None)
    if not callable(handler):
        raise DefinitionError(function.location, f"{path} has no function '{attribute}'")
    return LocalHandler(function, handler)


def load_handlers(root: Path, functions: Mapping[str, LocalFunction]) -> dict[str, LocalHandler]:
    return {name: load_handler(root, fn) for name, fn in functions.items()}
