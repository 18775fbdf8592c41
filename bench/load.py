"""``wrk`` as the load generator: a Lua script per case, one run, its ``--latency`` output parsed.

wrk is used rather than a Python client because a Python load generator saturates its own CPU
well before a fast ASGI server saturates the server's, which would cap the ceiling and flatter
every ratio.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass, replace
from pathlib import Path

from bench.servers import REPO, BenchError, RunningServer, pinned

CONNECTIONS = 64
THREADS = 1
"""One wrk thread: wrk gets one pinned CPU, and a second thread would only contend for it."""
TIMEOUT_S = 10
"""wrk drops a response slower than its timeout (2 s by default) from the latency figures;
a slow server's tail is what we want to see, so it is counted up to 10 s."""

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    server_cpu_share: float | None = None
    """Server CPU-seconds per wall second during the run (see ``RunningServer.cpu_seconds``)."""

    @property
    def requests_per_cpu_second(self) -> float | None:
        """Requests per second of server CPU: the cost of a request, whoever else ran."""
        if not self.server_cpu_share:
            return None
        return self.requests_per_second / self.server_cpu_share


def ensure_wrk() -> None:
    """Install Debian's wrk if it is missing (``scripts/ensure-wrk.sh`` is idempotent)."""
    script = REPO / "scripts" / "ensure-wrk.sh"
    if subprocess.run(["bash", str(script)], check=False).returncode != 0:
        raise BenchError(f"wrk is missing and {script.name} could not install it")


def _lua_string(text: str) -> str:
    """``text`` as a Lua long-bracket literal whose level no ``]=*]`` inside it can close."""
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def lua_script(body: bytes, api_key: str) -> str:
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = {_lua_string(body.decode())}\n"
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["x-api-key"] = {_lua_string(api_key)}\n'
    )


def _milliseconds(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise BenchError(f"cannot read wrk latency {value!r}")
    return float(match[1]) * _UNITS_MS[match[2]]


def parse(output: str) -> LoadResult:
    """Read wrk 4.x's report (with ``--latency``)."""
    percentiles = {
        int(p): _milliseconds(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)
    }
    totals = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m),", output, re.M)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    if totals is None or rate is None or set(percentiles) != {50, 75, 90, 99}:
        raise BenchError(f"cannot read wrk's report:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return LoadResult(
        requests=int(totals[1]),
        seconds=_milliseconds(totals[2] + totals[3]) / 1000,
        requests_per_second=float(rate[1]),
        p50_ms=percentiles[50],
        p75_ms=percentiles[75],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in sockets.groups()) if sockets else 0,
    )


def run_wrk(server: RunningServer, script: Path, seconds: int, cpu: int) -> LoadResult:
    """One wrk run against ``server``, pinned to ``cpu``, bounded by ``seconds`` (plus slack)."""
    argv = [
        "wrk", "--threads", str(THREADS), "--connections", str(CONNECTIONS),
        "--duration", f"{seconds}s", "--timeout", f"{TIMEOUT_S}s", "--latency", "--script", str(script), server.url,
    ]  # fmt: skip
    cpu_before, wall_before = server.cpu_seconds(), time.monotonic()
    completed = subprocess.run(
        pinned(cpu, argv),
        capture_output=True,
        text=True,
        timeout=seconds + TIMEOUT_S + 30,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"wrk exited with {completed.returncode}:\n{completed.stderr}")
    share = (server.cpu_seconds() - cpu_before) / (time.monotonic() - wall_before)
    return replace(parse(completed.stdout), server_cpu_share=round(share, 3))
