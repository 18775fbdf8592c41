"""Issue 9, item 5: RSS of a server with the example loaded, idle and after N and 2N requests.

One ``syncline serve examples/orders`` process (its own fresh data dir, seeded with
``bench.orders``, pinned to the server CPU) is measured by the VmRSS of ``/proc/PID/status``:
once idle after start-up, seeding and the answers' check, then after ``requests`` and after
``2 * requests`` requests. The load is wrk (``bench.load``) at 64 connections, alternating the
``get-order`` and ``list-orders`` requests; wrk runs for a duration, not a count, so it runs in
chunks sized from the rate so far until each total is reached (the exact counts are reported).

The leak check: RSS may not grow by more than ``TOLERANCE_KIB`` from N to 2N requests. 2 MiB
over the default 100,000 requests is 21 bytes a request, less than any Python object a request
could leave behind (an empty dict is 64 bytes, a short string ~50), so a per-request leak
shows; allocator arenas and caches reaching their steady size move RSS by less than that once
the first N requests have warmed them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.cases import CASES, ORDERS
from bench.load import LoadResult, _lua_string, run_wrk
from bench.servers import SYNCLINE, BenchError, running
from bench.verify import capture

REQUESTS = 100_000
TOLERANCE_KIB = 2048
CHUNK_S = (1, 30)
"""Bounds of one wrk run while counting requests up to a total."""


def rss_kib(pid: int) -> int:
    """The process's resident set size (``VmRSS`` in ``/proc/PID/status``), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise BenchError(f"no VmRSS for process {pid}")


def lua_mix(bodies: list[bytes], api_key: str) -> str:
    """A wrk script sending ``bodies`` in turn (one POST per call of ``request``)."""
    listed = ", ".join(_lua_string(body.decode()) for body in bodies)
    return (
        f"local bodies = {{{listed}}}\n"
        "local n = 0\n"
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["x-api-key"] = {_lua_string(api_key)}\n'
        "function request()\n"
        "  n = n % #bodies + 1\n"
        "  return wrk.format(nil, nil, nil, bodies[n])\n"
        "end\n"
    )


@dataclass(frozen=True)
class MemoryReport:
    requests: int
    """The requests of each phase (the target; ``served`` has the exact counts)."""
    rss_idle_kib: int
    rss_first_kib: int
    rss_second_kib: int
    served: tuple[int, int]
    """Requests wrk completed in the first and in the second phase."""
    requests_per_second: tuple[float, float]
    tolerance_kib: int = TOLERANCE_KIB

    @property
    def growth_kib(self) -> int:
        """RSS growth from the end of the first phase to the end of the second."""
        return self.rss_second_kib - self.rss_first_kib

    @property
    def outcome(self) -> str:
        return "PASS" if self.growth_kib <= self.tolerance_kib else "MISS"

    def text(self) -> str:
        first, second = self.served
        per_request = self.growth_kib * 1024 / second
        return (
            f"RSS of syncline serving examples/orders (get-order + list-orders in turn): "
            f"idle {self.rss_idle_kib / 1024:.1f} MiB, after {first:,} requests "
            f"{self.rss_first_kib / 1024:.1f} MiB, after {first + second:,} "
            f"{self.rss_second_kib / 1024:.1f} MiB\n"
            f"{self.outcome}  memory: growth over the second {second:,} requests = "
            f"{self.growth_kib:+,} KiB ({per_request:+.1f} bytes/request), "
            f"target <= {self.tolerance_kib:,} KiB"
        )

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "growth_kib": self.growth_kib, "outcome": self.outcome}


def _drive(server: Any, script: Path, requests: int, cpu: int) -> tuple[int, float]:
    """Run wrk in chunks until it has completed ``requests``; the count and the mean rate."""
    done, seconds, rate = 0, 0.0, 0.0
    while done < requests:
        wanted = (requests - done) / rate if rate else CHUNK_S[0]
        chunk = min(CHUNK_S[1], max(CHUNK_S[0], math.ceil(wanted)))
        load: LoadResult = run_wrk(server, script, chunk, cpu)
        if load.non_2xx or not load.requests:
            raise BenchError(f"memory check: {load.non_2xx} non-2xx of {load.requests} responses")
        done, seconds = done + load.requests, seconds + load.seconds
        rate = done / seconds
    return done, rate


def check_memory(requests: int, server_cpu: int, load_cpu: int, workdir: Path) -> MemoryReport:
    cases = tuple(case for case in CASES if case.api == ORDERS)
    script = workdir / "memory.lua"
    script.write_text(lua_mix([case.body for case in cases], ORDERS.api_key))
    with running(SYNCLINE, server_cpu, workdir, ORDERS) as server:
        capture(server.url, cases)  # right answers first: a fast wrong server proves nothing
        idle = rss_kib(server.pid)
        first, first_rate = _drive(server, script, requests, load_cpu)
        after_first = rss_kib(server.pid)
        second, second_rate = _drive(server, script, requests, load_cpu)
        after_second = rss_kib(server.pid)
        capture(server.url, cases)
    return MemoryReport(
        requests,
        idle,
        after_first,
        after_second,
        (first, second),
        (round(first_rate), round(second_rate)),
    )
