"""What the in-process benchmarks (``bench.dynamodb``, ``bench.lambda_http``) share: timing an
awaitable one call at a time, pinning a subprocess to a CPU, a free port on 127.0.0.1, and a
server subprocess that is up until the block ends."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx


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


@contextmanager
def subprocess_server(
    argv: list[str], port: int, cwd: Path, cpu: int, ready_path: str = "/"
) -> Iterator[str]:
    """Run ``argv`` pinned to ``cpu`` (without the caller's ``SYNCLINE_*`` settings) until the
    block ends; yield its base URL once ``GET ready_path`` answers (with 200 if it is
    ``/health``), within 60 s."""
    process = subprocess.Popen(
        [*pin(cpu), *argv],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("SYNCLINE_")},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{argv} exited with {process.returncode}")
            try:
                response = httpx.get(base + ready_path, timeout=1)
                if ready_path != "/health" or response.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{argv} did not start")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
