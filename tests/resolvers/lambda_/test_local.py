"""The local runtime's worker pool, driven directly: real worker processes, no mocks.

Handlers that return, raise, hang, exit their process, segfault, return what JSON cannot hold
or more than 6 MB, and fail at import; warm reuse, replacement of killed workers, concurrency,
``Event`` and ``DryRun`` invocations.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from resolvers.lambda_.errors import InvokeError
from resolvers.lambda_.invocation import InvocationType
from resolvers.lambda_.local import WorkerPool
from schema.model import LocalFunction, Location

HANDLERS = """
    import ctypes
    import os
    import time

    CALLS = {"n": 0}

    def echo(event, context):
        CALLS["n"] += 1
        return {
            "event": event,
            "pid": os.getpid(),
            "calls": CALLS["n"],
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "remaining": context.get_remaining_time_in_millis(),
            "request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "greeting": os.environ.get("GREETING"),
            "region": os.environ.get("AWS_REGION"),
            "tz": os.environ.get("TZ"),
            "cwd": os.getcwd(),
        }

    def fails(event, context):
        raise ValueError("bad input")

    def hangs(event, context):
        time.sleep(30)

    def exits(event, context):
        os._exit(3)

    def segfaults(event, context):
        ctypes.string_at(0)

    def unserializable(event, context):
        return {1, 2}

    def huge(event, context):
        return "x" * (6 * 1024 * 1024)

    def sleepy(event, context):
        time.sleep(event["seconds"])
        return os.getpid()

    def pid(event, context):
        return os.getpid()
"""

FILES = {
    "lambdas/handlers.py": HANDLERS,
    "lambdas/broken_import.py": "import no_such_module_for_syncline_tests\n",
    "lambdas/raises_at_init.py": "raise RuntimeError('boom at init')\n\ndef handler(e, c):\n    pass\n",
    "lambdas/bad_syntax.py": "def handler(event, context)\n    return 1\n",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("api")
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def function(handler: str, timeout: float = 3.0, **environment: str) -> LocalFunction:
    name = handler.rpartition(".")[2]
    return LocalFunction(name, handler, timeout, 256, environment, Location(Path("x.yml"), 1))


@pytest.fixture
def pool_of(root: Path) -> Iterator[Any]:
    pools: list[WorkerPool] = []

    def make(handler: str, timeout: float = 3.0, size: int = 2, **env: str) -> WorkerPool:
        pool = WorkerPool(function(handler, timeout, **env), root, size=size)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def invoke(
    pool: WorkerPool, event: Any = None, kind: InvocationType = InvocationType.REQUEST_RESPONSE
):
    return asyncio.run(pool.invoke(json.dumps(event or {}).encode(), kind))


def error_of(invocation: Any) -> dict[str, Any]:
    assert invocation.status_code == 200
    assert invocation.function_error == "Unhandled"
    error: dict[str, Any] = json.loads(invocation.payload)
    return error


def test_handler_result_and_lambda_context(pool_of):
    pool = pool_of("lambdas/handlers.echo", timeout=3, GREETING="hi")
    invocation = invoke(pool, {"a": [1, 2]})
    assert invocation.status_code == 200
    assert invocation.function_error is None
    result = json.loads(invocation.payload)
    assert result["event"] == {"a": [1, 2]}
    assert result["function_name"] == "echo"
    assert result["function_version"] == "$LATEST"
    assert result["memory_limit_in_mb"] == "256"  # a string, as the Lambda Python runtime has it
    assert (
        result["invoked_function_arn"]
        == f"arn:aws:lambda:{result['region']}:000000000000:function:echo"
    )
    assert 2000 < result["remaining"] <= 3000
    assert len(result["request_id"]) == 36
    assert result["log_group_name"] == "/aws/lambda/echo"
    assert result["greeting"] == "hi"
    assert result["tz"] == ":UTC"
    assert Path(result["cwd"]) == pool.root.resolve()


def test_workers_stay_warm_between_invocations(pool_of):
    pool = pool_of("lambdas/handlers.echo", size=1)
    first, second = (json.loads(invoke(pool).payload) for _ in range(2))
    assert first["pid"] == second["pid"]
    assert (first["calls"], second["calls"]) == (1, 2)  # module state survives, as in Lambda


def test_handler_exception_fails_that_invocation_only(pool_of):
    pool = pool_of("lambdas/handlers.fails", size=1)
    error = error_of(invoke(pool))
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "bad input"
    assert any("fails" in line for line in error["stackTrace"])
    pid = pool.worker_pids
    error_of(invoke(pool))
    assert pool.worker_pids == pid  # the same warm worker served both


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        pytest.param("lambdas/handlers.exits", "Runtime.ExitError", "Runtime exited with error: exit status 3", id="os-exit"),
        pytest.param("lambdas/handlers.segfaults", "Runtime.ExitError", "Runtime exited with error: signal: segmentation fault", id="segfault"),
        pytest.param("lambdas/handlers.unserializable", "Runtime.MarshalError", "Unable to marshal response: Object of type set is not JSON serializable", id="unserializable"),
        pytest.param("lambdas/handlers.huge", "Function.ResponseSizeTooLarge", "exceeded maximum allowed payload size (6291456 bytes)", id="response-over-6mb"),
        pytest.param("lambdas/broken_import.handler", "Runtime.ImportModuleError", "Unable to import module 'lambdas/broken_import': No module named 'no_such_module_for_syncline_tests'", id="import-error"),
        pytest.param("lambdas/raises_at_init.handler", "RuntimeError", "boom at init", id="init-raises"),
        pytest.param("lambdas/bad_syntax.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'lambdas/bad_syntax'", id="syntax-error"),
        pytest.param("lambdas/handlers.missing", "Runtime.HandlerNotFound", "Handler 'missing' missing on module 'lambdas/handlers'", id="handler-not-found"),
    ],
)  # fmt: skip
def test_runtime_failures_are_lambda_errors(pool_of, handler, error_type, message):
    pool = pool_of(handler, size=1)
    error = error_of(invoke(pool))
    assert error["errorType"] == error_type
    assert message in error["errorMessage"]


def test_crashed_worker_is_replaced_and_the_pool_keeps_serving(pool_of):
    pool = pool_of("lambdas/handlers.exits", size=1)
    error_of(invoke(pool))
    error_of(invoke(pool))  # a fresh worker, which exits again; the server is unharmed
    assert len(pool.worker_pids) == 1


def test_hung_handler_is_killed_at_its_timeout_and_replaced(pool_of):
    pool = pool_of("lambdas/handlers.hangs", timeout=0.5, size=1)
    started = time.monotonic()
    error = error_of(invoke(pool))
    elapsed = time.monotonic() - started
    assert error["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 0.50 seconds" in error["errorMessage"]
    assert error["errorMessage"].startswith("RequestId: ")
    assert 0.5 <= elapsed < 3.0
    [replacement] = pool.worker_pids
    error_of(invoke(pool))
    assert pool.worker_pids != [replacement]  # the replacement was killed in turn


def test_a_timeout_leaves_other_workers_alone(pool_of):
    pool = pool_of("lambdas/handlers.sleepy", timeout=0.6, size=2)

    async def both() -> list[Any]:
        fast = pool.invoke(b'{"seconds": 0.05}', InvocationType.REQUEST_RESPONSE)
        slow = pool.invoke(b'{"seconds": 5}', InvocationType.REQUEST_RESPONSE)
        return list(await asyncio.gather(fast, slow))

    fast, slow = asyncio.run(both())
    assert fast.function_error is None
    assert error_of(slow)["errorType"] == "Sandbox.Timedout"
    assert json.loads(fast.payload) in pool.worker_pids  # the fast worker is still warm


def test_invocations_run_concurrently_up_to_the_pool_size(pool_of):
    pool = pool_of("lambdas/handlers.sleepy", size=3)
    invoke(pool, {"seconds": 0})  # one cold start out of the way

    async def many() -> list[Any]:
        calls = [
            pool.invoke(b'{"seconds": 0.4}', InvocationType.REQUEST_RESPONSE) for _ in range(3)
        ]
        return list(await asyncio.gather(*calls))

    started = time.monotonic()
    results = asyncio.run(many())
    assert time.monotonic() - started < 1.1  # 3 x 0.4 s would be 1.2 s one after another
    assert len({json.loads(r.payload) for r in results}) == 3
    assert len(pool.worker_pids) == 3


def test_event_returns_at_once_and_logs_failures(pool_of, caplog: pytest.LogCaptureFixture):
    pool = pool_of("lambdas/handlers.fails", size=1)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="syncline.lambda"):
        invocation = invoke(pool, kind=InvocationType.EVENT)
        assert invocation.status_code == 202
        assert invocation.payload == b""
        assert time.monotonic() - started < 0.5
        deadline = time.monotonic() + 10
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.02)
    [record] = caplog.records
    assert "Event invocation" in record.getMessage()
    assert "ValueError: bad input" in record.getMessage()


def test_dry_run_checks_without_running(pool_of):
    pool = pool_of("lambdas/handlers.hangs", size=1)
    assert invoke(pool, kind=InvocationType.DRY_RUN).status_code == 204
    assert pool.worker_pids == []


def test_closed_pool_refuses_invocations(pool_of):
    pool = pool_of("lambdas/handlers.pid", size=1)
    invoke(pool)
    pool.close()
    assert pool.worker_pids == []
    with pytest.raises(InvokeError) as raised:
        invoke(pool)
    assert raised.value.error_type == "Lambda:ServiceException"


def test_close_kills_busy_workers_at_once(pool_of):
    pool = pool_of("lambdas/handlers.hangs", timeout=30, size=1)
    assert invoke(pool, kind=InvocationType.EVENT).status_code == 202
    deadline = time.monotonic() + 10
    while not pool.worker_pids and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # the worker is inside the handler now
    [pid] = pool.worker_pids
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 0.5
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
