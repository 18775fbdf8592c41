"""What the in-process benchmarks (``bench.dynamodb``, ``bench.lambda_http``) share: timing an
awaitable one call at a time, pinning a subprocess to a CPU, a free port on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Any


async def timed(call: Callable[[], Awaitable[Any]], count: int) -> list[float]:
    """``count`` calls of ``call``, one after another; each one's wall time in seconds."""
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return samples


def pin(cpu: int) -> list[str]:
    """``taskset`` arguments that pin a subprocess to ``cpu`` when the machine allows it."""
    if (os.cpu_count() or 1) > 1 and shutil.which("taskset"):
        return ["taskset", "-c", str(cpu)]
    return []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
