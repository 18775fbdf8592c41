"""The ``local`` runtime: a function's Python handler in a pool of warm worker processes.

Each worker (``resolvers.lambda_.worker``) is one Lambda execution environment: it imports the
handler once and then serves invocations one at a time, so module-level state survives between
them as in a warm Lambda. Workers start on first use (a cold start, as in Lambda) and the pool
grows to ``reservedConcurrency`` (default 4) processes; more concurrent invocations queue.

Isolation is per process. A handler that raises fails that invocation only. One that runs past
its ``timeout`` is killed with SIGKILL and a fresh worker takes its place; the caller gets
``Sandbox.Timedout``. One that ends its process (``os._exit``, a segfault) fails its invocation
with ``Runtime.ExitError`` and is replaced; the server never shares its fate.

The blocking part of an invocation (write the event, wait for the answer with a deadline) runs on
a thread of the pool's own executor, one thread per worker, so the event loop never waits and
the pool works from any event loop. ``Event`` invocations are queued on the same executor and
return 202 at once; their failures are logged.

Deviation: ``memorySize`` is reported to the handler (``context.memory_limit_in_mb``) but not
enforced.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from resolvers.lambda_.errors import InvokeError, LambdaErrorType, runtime_error
from resolvers.lambda_.invocation import (
    DEFAULT_REGION,
    SYNC_PAYLOAD_LIMIT,
    UNHANDLED,
    Invocation,
    InvocationType,
    RuntimeFunction,
    function_arn,
    register_runtime,
)
from resolvers.lambda_.worker import FRAME, InvocationHeader, ReplyHeader, ReplyKind
from schema.model import FunctionRuntime, LocalFunction

log = logging.getLogger("syncline.lambda")

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
INIT_TIMEOUT = 10.0
"""Lambda's limit on the init phase (importing the handler module)."""
DEFAULT_CONCURRENCY = 4
SERVER_URL_VARIABLE = "SYNCLINE_SERVER_URL"
"""Where handlers reach the serving Syncline; ``syncline serve`` sets it (``--host``/``--port``)."""
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "syncline-local",
    "AWS_SECRET_ACCESS_KEY": "syncline-local",
}
_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


class _Timeout(Exception):
    pass


class _Exited(Exception):
    pass


@dataclass(eq=False)
class Worker:
    """One worker process and the server's end of its socket."""

    process: subprocess.Popen[bytes]
    channel: socket.socket
    ready: bool = False
    invocations: int = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, header: InvocationHeader, body: bytes, deadline: float) -> None:
        encoded = json.dumps(header).encode()
        self.channel.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            self.channel.sendall(FRAME.pack(len(encoded), len(body)) + encoded + body)
        except TimeoutError:
            raise _Timeout from None
        except OSError:
            raise _Exited from None

    def receive(self, deadline: float) -> tuple[ReplyKind, bytes]:
        head = self._read(FRAME.size, deadline)
        header_size, body_size = FRAME.unpack(head)
        if body_size > SYNC_PAYLOAD_LIMIT + 65536:  # the worker checks first; a bound all the same
            raise _Exited
        header: ReplyHeader = json.loads(self._read(header_size, deadline))
        return header["kind"], self._read(body_size, deadline)

    def _read(self, size: int, deadline: float) -> bytes:
        buffer = bytearray(size)
        view = memoryview(buffer)
        read = 0
        while read < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Timeout
            self.channel.settimeout(remaining)
            try:
                count = self.channel.recv_into(view[read:])
            except TimeoutError:
                raise _Timeout from None
            except OSError:
                raise _Exited from None
            if count == 0:
                raise _Exited
            read += count
        return bytes(buffer)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.channel.close()

    def stop(self, grace: float) -> None:
        """End of input tells an idle worker to exit; one that does not is killed."""
        self.channel.close()
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def exit_description(self) -> str:
        try:
            code = self.process.wait(1.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if code < 0:
            return f"signal: {signal.strsignal(-code) or -code}".lower()
        return f"exit status {code}"


@dataclass
class WorkerPool:
    """The ``local`` runtime of one function (a ``LambdaFunction``)."""

    function: LocalFunction
    root: Path
    size: int = DEFAULT_CONCURRENCY
    region: str = field(
        default_factory=lambda: (
            os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION
        )
    )

    def __post_init__(self) -> None:
        self.arn = function_arn(self.function.name, self.region)
        self._lock = threading.Lock()
        self._idle: list[Worker] = []
        self._workers: set[Worker] = set()
        self._closed = False
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.size, thread_name_prefix=f"lambda-{self.function.name}"
        )
        self._environment: dict[str, str] | None = None  # built at first spawn: see below

    # --- the LambdaFunction interface -------------------------------------------------------

    async def invoke(self, payload: bytes, invocation_type: InvocationType) -> Invocation:
        if invocation_type is InvocationType.DRY_RUN:
            return Invocation(204)
        request_id = str(uuid.uuid4())
        future = self._submit(payload, request_id)
        if invocation_type is InvocationType.EVENT:
            future.add_done_callback(lambda done: self._log_event(request_id, done))
            return Invocation(202)
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        """Stop every worker; queued and running invocations fail."""
        with self._lock:
            self._closed = True
            idle, busy = self._idle, self._workers.difference(self._idle)
            self._idle, self._workers = [], set()
        self._executor.shutdown(wait=False, cancel_futures=True)
        for worker in busy:  # mid-invocation: there is nothing to wait for
            worker.kill()
        for worker in idle:
            worker.stop(grace=0.5)

    # --- bookkeeping ------------------------------------------------------------------------

    @property
    def worker_pids(self) -> list[int]:
        with self._lock:
            return sorted(worker.pid for worker in self._workers)

    def _submit(self, payload: bytes, request_id: str) -> concurrent.futures.Future[Invocation]:
        try:
            return self._executor.submit(self._run, payload, request_id)
        except RuntimeError:  # the executor is shut down: the server is stopping
            raise InvokeError(
                "ServiceException", f"function {self.function.name} is shutting down", 503
            ) from None

    def _log_event(self, request_id: str, done: concurrent.futures.Future[Invocation]) -> None:
        """``Event`` failures are logged, never lost silently (AppSync: "Invocation type")."""
        if done.cancelled():
            log.error("Event invocation %s of %s was dropped", request_id, self.function.name)
            return
        error = done.exception()
        if error is not None:
            log.error("Event invocation %s of %s failed: %s", request_id, self.function.name, error)
            return
        invocation = done.result()
        if invocation.function_error:
            try:
                detail = json.loads(invocation.payload)
            except ValueError:
                detail = {}
            log.error(
                "Event invocation %s of %s failed: %s: %s",
                request_id,
                self.function.name,
                detail.get("errorType", LambdaErrorType.UNHANDLED),
                detail.get("errorMessage", ""),
            )

    def _build_environment(self) -> dict[str, str]:
        """The server's environment, the Lambda runtime's reserved variables, Syncline's own
        DynamoDB endpoint, then the function's ``environment`` (which wins).

        Built when the first worker starts, not when the API loads: ``syncline serve`` learns
        its own URL (``SYNCLINE_SERVER_URL``) after loading the API."""
        name = self.function.name
        stream = f"{datetime.now(UTC):%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        return {
            **os.environ,
            **_embedded_tables_access(),
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.function.memory_size),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "LAMBDA_TASK_ROOT": str(self.root),
            "_HANDLER": self.function.handler,
            "TZ": ":UTC",
            **self.function.environment,
        }

    def _spawn(self) -> Worker:
        if self._environment is None:
            self._environment = self._build_environment()
        server_end, worker_end = socket.socketpair()
        try:
            command = [sys.executable, str(WORKER_SCRIPT), str(worker_end.fileno())]
            process = subprocess.Popen(
                [*command, str(self.root.resolve()), self.function.handler],
                pass_fds=(worker_end.fileno(),),
                stdin=subprocess.DEVNULL,  # handler output goes where the server's goes
                env=self._environment,
                cwd=self.root,
                start_new_session=True,
            )
        except OSError as error:
            server_end.close()
            raise InvokeError("ServiceException", f"cannot start a worker: {error}") from error
        finally:
            worker_end.close()
        worker = Worker(process, server_end)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _checkout(self) -> Worker:
        with self._lock:
            if self._closed:
                raise InvokeError("ServiceException", "the function is shutting down", 503)
            if self._idle:
                return self._idle.pop()  # the most recently used worker is the warmest
        return self._spawn()

    def _checkin(self, worker: Worker) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(worker)
                return
        worker.stop(grace=0.5)

    def _discard(self, worker: Worker, *, replace: bool) -> None:
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            closed = self._closed
        if replace and not closed:
            try:
                self._checkin(self._spawn())  # keep the pool warm
            except InvokeError as error:
                log.warning("could not replace a worker of %s: %s", self.function.name, error)

    # --- one invocation, on an executor thread ----------------------------------------------

    def _run(self, payload: bytes, request_id: str) -> Invocation:
        worker = self._checkout()
        name, timeout = self.function.name, self.function.timeout
        if not worker.ready:
            failure = self._init(worker, request_id)
            if failure is not None:
                return failure
        header: InvocationHeader = {
            "requestId": request_id,
            "deadlineMs": int((time.time() + timeout) * 1000),
            "arn": self.arn,
        }
        deadline = time.monotonic() + timeout
        try:
            worker.send(header, payload, deadline)
            kind, body = worker.receive(deadline)
        except _Timeout:
            self._discard(worker, replace=True)
            log.warning(
                "function %s timed out after %.2f s (request %s)", name, timeout, request_id
            )
            message = f"Task timed out after {timeout:.2f} seconds"
            return Invocation(
                200, runtime_error(LambdaErrorType.TIMEOUT, message, request_id), UNHANDLED
            )
        except _Exited:
            reason = worker.exit_description()
            self._discard(worker, replace=True)
            log.warning(
                "function %s: runtime exited with %s (request %s)", name, reason, request_id
            )
            message = f"Runtime exited with error: {reason}"
            return Invocation(
                200, runtime_error(LambdaErrorType.EXIT, message, request_id), UNHANDLED
            )
        worker.invocations += 1
        self._checkin(worker)
        return Invocation(200, body, UNHANDLED if kind == "error" else None)

    def _init(self, worker: Worker, request_id: str) -> Invocation | None:
        """Wait for a new worker's init phase; a failure fails this invocation."""
        try:
            kind, body = worker.receive(time.monotonic() + INIT_TIMEOUT)
        except _Timeout:
            self._discard(worker, replace=False)
            message = f"Init phase timed out after {INIT_TIMEOUT:.2f} seconds"
            return Invocation(
                200, runtime_error(LambdaErrorType.TIMEOUT, message, request_id), UNHANDLED
            )
        except _Exited:
            reason = worker.exit_description()
            self._discard(worker, replace=False)
            message = f"Runtime exited with error: {reason}"
            return Invocation(
                200, runtime_error(LambdaErrorType.EXIT, message, request_id), UNHANDLED
            )
        if kind != "ready":
            self._discard(worker, replace=False)  # the next invocation tries a fresh init
            return Invocation(200, body, UNHANDLED)
        worker.ready = True
        return None


def _embedded_tables_access() -> dict[str, str]:
    """``AWS_ENDPOINT_URL_DYNAMODB`` for the serving Syncline's tables, so a handler's boto3
    reaches them, as a deployed function reaches DynamoDB; with placeholder credentials when
    none can be found (the endpoint accepts any signature), as Lambda always provides some.

    Nothing when the server's own environment already chooses a DynamoDB endpoint, or when the
    server's URL is unknown (an app not started by ``syncline serve``).
    """
    server_url = os.environ.get(SERVER_URL_VARIABLE)
    if not server_url or "AWS_ENDPOINT_URL_DYNAMODB" in os.environ:
        return {}
    access = {"AWS_ENDPOINT_URL_DYNAMODB": f"{server_url.rstrip('/')}/dynamodb"}
    shared_file = os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    if not any(os.environ.get(v) for v in _CREDENTIAL_VARIABLES) and not (
        Path(shared_file).expanduser().exists()
    ):
        access.update(LOCAL_CREDENTIALS)
    return access


@register_runtime(FunctionRuntime.LOCAL)
def local_runtime(function: LocalFunction, root: Path, shared: dict[str, Any]) -> RuntimeFunction:
    return WorkerPool(function, root, size=function.reserved_concurrency or DEFAULT_CONCURRENCY)
