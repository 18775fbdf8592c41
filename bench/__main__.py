"""``python -m bench``: measure every server on every case and report ratios to the ceiling.

Steps: install wrk if missing; start Syncline once to capture and check its responses; start
every server in ``SERVERS`` (each pinned to ``--server-cpu``) and verify its answers; for each
round, case and server, run a warm-up then a measured wrk run pinned to ``--load-cpu``, so that
each server run is paired with the ceiling's run beside it; verify again; print the table and
PASS/MISS per target; write ``bench/results/latest.json``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

from bench.cases import API_KEY, CASES, TARGETS, Case
from bench.load import CONNECTIONS, THREADS, LoadResult, ensure_wrk, lua_script, run_wrk
from bench.report import Measurement, table, targets_text, verdicts, write_json
from bench.servers import (
    REPO,
    SERVERS,
    SYNCLINE,
    BenchError,
    ServerSpec,
    ceiling_responses,
    running,
    uvicorn_options,
)
from bench.verify import capture, verify, write_ceiling_responses

T = TypeVar("T", Case, ServerSpec)

RESULTS = REPO / "bench" / "results" / "latest.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    default_duration = int(os.environ.get("BENCH_DURATION", "10"))
    parser.add_argument(
        "--duration", type=int, default=default_duration,
        help="seconds per measured run (default: $BENCH_DURATION or 10)",
    )  # fmt: skip
    parser.add_argument(
        "--warmup",
        type=int,
        default=None,
        help="seconds of warm-up per run (default: min(3, duration))",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every server on every case N times; ratios are medians of paired rounds",
    )
    parser.add_argument(
        "--cases", default=",".join(c.name for c in CASES), help="comma-separated case names"
    )
    parser.add_argument(
        "--servers", default=",".join(s.name for s in SERVERS), help="comma-separated server names"
    )
    parser.add_argument("--server-cpu", type=int, default=0, help="CPU the servers are pinned to")
    parser.add_argument("--load-cpu", type=int, default=1, help="CPU wrk is pinned to")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the raw JSON goes")
    parser.add_argument(
        "--fail-on-miss", action="store_true", help="exit 1 when a target is missed"
    )
    return parser


def _select(table: tuple[T, ...], names: str, what: str) -> tuple[T, ...]:
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    known = {entry.name: entry for entry in table}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise BenchError(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return tuple(known[name] for name in wanted)


def _git(*args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
    )
    return completed.stdout.strip()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _busy_cpus(seconds: float = 1.0) -> float:
    """CPUs' worth of work the machine did over ``seconds`` before the bench started anything.

    Anything well above 0 means other processes will share the pinned CPUs with the servers or
    wrk: the ratios then carry more noise, which the JSON records so a reader can discount it.
    """

    def sample() -> tuple[int, int]:
        fields = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) - idle, sum(fields)

    busy_before, total_before = sample()
    time.sleep(seconds)
    busy_after, total_after = sample()
    cpus = os.cpu_count() or 1
    return cpus * (busy_after - busy_before) / max(1, total_after - total_before)


def measure(
    cases: tuple[Case, ...],
    servers: tuple[ServerSpec, ...],
    args: argparse.Namespace,
    workdir: Path,
) -> list[Measurement]:
    warmup = min(3, args.duration) if args.warmup is None else args.warmup
    print(f"capturing syncline's responses ({', '.join(c.name for c in cases)})", flush=True)
    with running(SYNCLINE, args.server_cpu, workdir) as reference:
        expected = capture(reference.url, cases)
    write_ceiling_responses(ceiling_responses(workdir), cases, expected)

    runs: dict[tuple[str, str], list[LoadResult]] = {}
    with ExitStack() as stack:
        live = {s.name: stack.enter_context(running(s, args.server_cpu, workdir)) for s in servers}
        for spec in servers:
            verify(spec, live[spec.name].url, cases, expected)
        for case in cases:
            (workdir / f"{case.name}.lua").write_text(lua_script(case.body, API_KEY))
        # Rounds outermost and servers innermost: a server and its ceiling are always measured
        # back to back, so a burst of load elsewhere on the machine hits both or neither.
        for round_ in range(1, args.rounds + 1):
            for case in cases:
                for spec in servers:
                    print(
                        f"round {round_}/{args.rounds}  {case.name} / {spec.name}: "
                        f"warm-up {warmup}s, run {args.duration}s",
                        flush=True,
                    )
                    script = workdir / f"{case.name}.lua"
                    if warmup > 0:
                        run_wrk(live[spec.name], script, warmup, args.load_cpu)
                    load = run_wrk(live[spec.name], script, args.duration, args.load_cpu)
                    if load.non_2xx:
                        raise BenchError(
                            f"{case.name} / {spec.name}: {load.non_2xx} non-2xx responses"
                        )
                    if load.socket_errors:
                        print(f"  warning: {load.socket_errors} socket errors", flush=True)
                    runs.setdefault((case.name, spec.name), []).append(load)
        for spec in servers:
            verify(spec, live[spec.name].url, cases, expected)
    return [Measurement(case, server, tuple(loads)) for (case, server), loads in runs.items()]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.duration < 1 or args.rounds < 1 or (args.warmup is not None and args.warmup < 0):
        parser.error("--duration and --rounds must be at least 1, --warmup at least 0")
    try:
        cases = _select(CASES, args.cases, "case")
        servers = _select(SERVERS, args.servers, "server")
        ensure_wrk()
        started = datetime.datetime.now(datetime.UTC)
        load_before = os.getloadavg()
        busy = _busy_cpus()
        if busy > 0.2:
            print(
                f"warning: the machine is busy ({busy:.2f} CPUs in use before the bench)",
                flush=True,
            )
        with tempfile.TemporaryDirectory(prefix="syncline-bench-") as scratch:
            measurements = measure(cases, servers, args, Path(scratch))
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    results = verdicts(measurements, TARGETS)
    print()
    print(table(measurements))
    print()
    print(targets_text(results))
    meta: dict[str, Any] = {
        "date": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)]),
        "duration_s": args.duration,
        "warmup_s": min(3, args.duration) if args.warmup is None else args.warmup,
        "rounds": args.rounds,
        "connections": CONNECTIONS,
        "wrk_threads": THREADS,
        "server_cpu": args.server_cpu,
        "load_cpu": args.load_cpu,
        "uvicorn_options": uvicorn_options(),
        "cpu_model": _cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "busy_cpus_before": round(busy, 2),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain")),
    }
    write_json(args.output, meta, measurements, results)
    print(f"\nraw results: {args.output}")
    missed = any(v.outcome == "MISS" for v in results)
    return 1 if missed and args.fail_on_miss else 0


if __name__ == "__main__":
    sys.exit(main())
