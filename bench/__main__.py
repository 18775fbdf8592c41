"""``python -m bench``: measure every server on every case and report ratios to the ceiling.

Steps: install wrk if missing; for each API the cases use, start Syncline once to capture and
check its responses; start every server in ``SERVERS`` for each API (each pinned to
``--server-cpu``) and verify its answers; for each round, case and server, run a warm-up then a
measured wrk run pinned to ``--load-cpu`` (with the case's subscribers connected from the load
CPU, when it has a subscription), so that each server run is paired with the ceiling's run
beside it; verify again; measure RSS under load (``bench.memory``); print the table and
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

from bench import orders
from bench.cases import CASES, LATENCY_TARGETS, TARGETS, Api, Case
from bench.load import CONNECTIONS, THREADS, LoadResult, ensure_wrk, lua_script, run_wrk
from bench.memory import REQUESTS, MemoryReport, check_memory
from bench.report import (
    Measurement,
    deliveries_text,
    latency_verdicts,
    table,
    targets_text,
    verdicts,
    write_json,
)
from bench.servers import (
    REPO,
    SERVERS,
    SYNCLINE,
    BenchError,
    RunningServer,
    ServerSpec,
    api_data,
    ceiling_responses,
    running,
    uvicorn_options,
)
from bench.subscribers import Deliveries, subscribed
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
    parser.add_argument(
        "--memory-requests",
        type=int,
        default=REQUESTS,
        help="RSS after N and 2N requests to the example (default 100000; 0 skips the check)",
    )
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


def _capture(cases: tuple[Case, ...], apis: tuple[Api, ...], cpu: int, workdir: Path) -> Any:
    expected = {}
    for api in apis:
        mine = tuple(case for case in cases if case.api == api)
        print(f"capturing syncline's responses ({', '.join(c.name for c in mine)})", flush=True)
        if api.seeded:
            orders.write_data(api_data(workdir, api))
        with running(SYNCLINE, cpu, workdir, api) as reference:
            expected.update(capture(reference.url, mine))
    write_ceiling_responses(ceiling_responses(workdir), cases, expected)
    return expected


def _run_case(
    case: Case, spec: ServerSpec, server: RunningServer, args: argparse.Namespace, script: Path
) -> tuple[LoadResult, Deliveries | None]:
    """A warm-up and a measured wrk run; the subscribers, if any, connected through both."""
    warmup = min(3, args.duration) if args.warmup is None else args.warmup
    with ExitStack() as stack:
        fan_out = case.subscription is not None and spec.subscriptions
        subscribers = (
            stack.enter_context(subscribed(server, case, args.load_cpu)) if fan_out else None
        )
        loads = [run_wrk(server, script, warmup, args.load_cpu)] if warmup > 0 else []
        server.settle()
        load = run_wrk(server, script, args.duration, args.load_cpu)
        loads.append(load)
        deliveries = None
        if subscribers is not None:
            counts = subscribers.counts()
            deliveries = Deliveries(
                subscribers=len(counts),
                fewest=min(counts),
                most=max(counts),
                answered=sum(run.requests for run in loads),
                in_flight=sum(CONNECTIONS + run.socket_errors for run in loads),
            )
    if load.non_2xx:
        raise BenchError(f"{case.name} / {spec.name}: {load.non_2xx} non-2xx responses")
    if load.socket_errors:
        print(f"  warning: {load.socket_errors} socket errors", flush=True)
    if deliveries is not None:
        print(f"  {deliveries.describe()}", flush=True)
        if not deliveries.complete:
            raise BenchError(f"{case.name} / {spec.name}: events lost: {deliveries.describe()}")
    return load, deliveries


def measure(
    cases: tuple[Case, ...],
    servers: tuple[ServerSpec, ...],
    args: argparse.Namespace,
    workdir: Path,
) -> list[Measurement]:
    warmup = min(3, args.duration) if args.warmup is None else args.warmup
    apis = tuple(dict.fromkeys(case.api for case in cases))
    expected = _capture(cases, apis, args.server_cpu, workdir)
    runs: dict[tuple[str, str], list[tuple[LoadResult, Deliveries | None]]] = {}
    with ExitStack() as stack:
        live = {
            (spec.name, api.name): stack.enter_context(running(spec, args.server_cpu, workdir, api))
            for api in apis
            for spec in servers
        }

        def check_all() -> None:
            for spec in servers:
                for api in apis:
                    mine = tuple(case for case in cases if case.api == api)
                    verify(spec, live[spec.name, api.name].url, mine, expected)

        check_all()
        for case in cases:
            (workdir / f"{case.name}.lua").write_text(lua_script(case.body, case.api.api_key))
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
                    server = live[spec.name, case.api.name]
                    script = workdir / f"{case.name}.lua"
                    result = _run_case(case, spec, server, args, script)
                    runs.setdefault((case.name, spec.name), []).append(result)
        check_all()
    return [
        Measurement(
            case,
            server,
            tuple(load for load, _ in results),
            tuple(d for _, d in results if d is not None),
        )
        for (case, server), results in runs.items()
    ]


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
        memory: MemoryReport | None = None
        with tempfile.TemporaryDirectory(prefix="syncline-bench-") as scratch:
            measurements = measure(cases, servers, args, Path(scratch))
            if args.memory_requests > 0:
                print(f"memory: RSS after {args.memory_requests:,} and 2x requests", flush=True)
                memory = check_memory(
                    args.memory_requests, args.server_cpu, args.load_cpu, Path(scratch)
                )
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    results = verdicts(measurements, TARGETS)
    latency = latency_verdicts(measurements, LATENCY_TARGETS)
    print()
    print(table(measurements))
    print()
    print(targets_text(results))
    print("\n".join(v.text() for v in latency))
    delivered = deliveries_text(measurements)
    if delivered:
        print(delivered)
    if memory is not None:
        print(memory.text())
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
    extra = {"memory": None if memory is None else memory.as_json()}
    write_json(args.output, meta, measurements, results, latency, extra)
    print(f"\nraw results: {args.output}")
    outcomes = [v.outcome for v in results] + [v.outcome for v in latency]
    missed = "MISS" in outcomes + ([memory.outcome] if memory is not None else [])
    return 1 if missed and args.fail_on_miss else 0


if __name__ == "__main__":
    sys.exit(main())
