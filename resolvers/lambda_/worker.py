"""One warm execution environment of a local function: the worker process's main program.

Started by ``resolvers.lambda_.local.WorkerPool`` as ``python worker.py FD ROOT HANDLER`` — by
path, and importing nothing of Syncline, so an API folder's own ``resolvers/`` or ``schema/``
never clashes with Syncline's packages and a worker starts in tens of milliseconds.

It follows the Lambda Python runtime ("Define Lambda function handler in Python", "Using the
Lambda context object to retrieve Python function information"): the API folder is the task
root (first on ``sys.path``, the working directory), the handler module is imported once during
init, and each event is ``handler(event, context)``. Results and errors are the Lambda runtime's
JSON; the error ``errorType`` values are those of "Troubleshoot invocation issues in Lambda".

Wire format on the inherited socket, both ways: ``!II`` (header length, body length), a JSON
header, then the body bytes. The server sends ``{"requestId", "deadlineMs", "arn"}`` + event
bytes; the worker answers ``{"kind": "ready" | "init_error" | "result" | "error"}`` + JSON.
The server enforces timeouts by killing the process; end of input means the server is gone.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import socket
import struct
import sys
import time
import traceback
from typing import Any, Literal, TypedDict

FRAME = struct.Struct("!II")
ReplyKind = Literal["ready", "init_error", "result", "error"]


class InvocationHeader(TypedDict):
    """Direction: server → worker, followed by the event's JSON bytes."""

    requestId: str
    deadlineMs: int
    """When the invocation times out, in milliseconds since the epoch (Lambda-Runtime-Deadline-Ms)."""
    arn: str


class ReplyHeader(TypedDict):
    """Direction: worker → server, followed by the result's or the error object's JSON bytes."""

    kind: ReplyKind


RESPONSE_LIMIT = 6 * 1024 * 1024  # Lambda quota: a synchronous response payload


class LambdaContext:
    """The context object a Python handler receives (Lambda developer guide, "Python context").

    ``memory_limit_in_mb`` is a string, as in the Lambda Python runtime (it reads it from
    ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``).
    """

    def __init__(self, request_id: str, deadline_ms: int, invoked_function_arn: str) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def send(channel: socket.socket, kind: ReplyKind, body: bytes = b"") -> None:
    reply: ReplyHeader = {"kind": kind}
    header = json.dumps(reply).encode()
    channel.sendall(FRAME.pack(len(header), len(body)) + header + body)


def receive(channel: socket.socket) -> tuple[InvocationHeader, bytes] | None:
    head = read_exactly(channel, FRAME.size)
    if head is None:
        return None
    header_size, body_size = FRAME.unpack(head)
    header = read_exactly(channel, header_size)
    body = read_exactly(channel, body_size)
    if header is None or body is None:
        return None
    meta: InvocationHeader = json.loads(header)
    return meta, body


def read_exactly(channel: socket.socket, size: int) -> bytes | None:
    buffer = bytearray(size)
    view = memoryview(buffer)
    read = 0
    while read < size:
        count = channel.recv_into(view[read:])
        if count == 0:
            return None
        read += count
    return bytes(buffer)


def error_object(error: BaseException, error_type: str | None = None) -> bytes:
    frames = traceback.format_tb(error.__traceback__)
    return json.dumps(
        {
            "errorMessage": str(error),
            "errorType": error_type or type(error).__name__,
            "stackTrace": [line.rstrip("\n") for line in frames],
        }
    ).encode()


def load_handler(handler: str) -> Any:
    """Import ``path/to/module.function`` the way the Lambda Python runtime does."""
    module_name, _, function_name = handler.rpartition(".")
    module = importlib.import_module(module_name.replace("/", "."))
    function = getattr(module, function_name, None)
    if function is None:
        raise _InitError(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        )
    return function


class _InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def init(handler: str) -> tuple[Any, bytes | None]:
    """Import the handler once (Lambda's init phase); a failure is the runtime's error object."""
    module_name = handler.rpartition(".")[0]
    try:
        return load_handler(handler), None
    except _InitError as error:
        failure = error
    except SyntaxError as error:
        message = f"Syntax error in module '{module_name}': {error}"
        failure = _InitError("Runtime.UserCodeSyntaxError", message)
    except ImportError as error:
        message = f"Unable to import module '{module_name}': {error}"
        failure = _InitError("Runtime.ImportModuleError", message)
    except Exception as error:
        traceback.print_exc()
        return None, error_object(error)
    return None, error_object(failure, failure.error_type)


def invoke(handler: Any, meta: InvocationHeader, body: bytes) -> tuple[ReplyKind, bytes]:
    context = LambdaContext(meta["requestId"], meta["deadlineMs"], meta["arn"])
    try:
        result = handler(json.loads(body), context)
    except Exception as error:
        # One line, as the Lambda runtime logs it; the stack trace is in the error object.
        print(f"[ERROR] {type(error).__name__}: {error}", file=sys.stderr)
        return "error", error_object(error)
    try:
        payload = json.dumps(result).encode()
    except (TypeError, ValueError) as error:
        message = f"Unable to marshal response: {error}"
        return "error", json.dumps(
            {"errorMessage": message, "errorType": "Runtime.MarshalError"}
        ).encode()
    if len(payload) > RESPONSE_LIMIT:
        message = (
            f"Response payload size ({len(payload)} bytes) exceeded maximum allowed payload "
            f"size ({RESPONSE_LIMIT} bytes)."
        )
        return "error", json.dumps(
            {"errorMessage": message, "errorType": "Function.ResponseSizeTooLarge"}
        ).encode()
    return "result", payload


def main(argv: list[str]) -> int:
    fd, root, handler_name = int(argv[1]), argv[2], argv[3]
    # The server's terminal signals are the server's to handle; it ends workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = socket.socket(fileno=fd)
    sys.path[0] = root  # the task root replaces this script's folder
    os.chdir(root)
    handler, failure = init(handler_name)
    if failure is not None:
        send(channel, "init_error", failure)
        return 1
    send(channel, "ready")
    while (frame := receive(channel)) is not None:
        kind, payload = invoke(handler, *frame)
        sys.stdout.flush()
        sys.stderr.flush()
        send(channel, kind, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
