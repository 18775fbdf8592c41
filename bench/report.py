"""The results: a table per case, Syncline's ratio to the ceiling, PASS/MISS, and raw JSON.

Ratios are the headline because absolute req/s moves with the machine, its load and its clock,
while two servers measured back to back on the same pinned CPU move together. With several
rounds, the ratio is the median of the per-round ratios (each round pairs a server's run with
its baseline's run just before or after it), not a ratio of two medians taken from different
moments.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.cases import LatencyTarget, Target
from bench.load import LoadResult
from bench.subscribers import Deliveries


@dataclass(frozen=True)
class Measurement:
    """One server on one case: every round's run, in round order."""

    case: str
    server: str
    runs: tuple[LoadResult, ...]
    deliveries: tuple[Deliveries, ...] = ()
    """Per round, what the case's subscribers received (cases with a subscription only)."""

    @property
    def median(self) -> LoadResult:
        """The run with the median req/s (the lower middle one for an even count)."""
        ordered = sorted(self.runs, key=lambda run: run.requests_per_second)
        return ordered[(len(ordered) - 1) // 2]


@dataclass(frozen=True)
class Ratio:
    per_round: tuple[float, ...]
    """req/s over the baseline's req/s, one per round: what targets are judged on."""
    per_round_cpu: tuple[float, ...] | None
    """The same with req per server CPU-second: steadier on a shared machine, where either
    server may lose part of its CPU to other processes during its run."""

    @property
    def median(self) -> float:
        return statistics.median(self.per_round)

    @property
    def median_cpu(self) -> float | None:
        return None if self.per_round_cpu is None else statistics.median(self.per_round_cpu)


@dataclass(frozen=True)
class Verdict:
    target: Target
    ratio: Ratio | None
    """None when the server or its baseline was not measured in this invocation."""

    @property
    def outcome(self) -> str:
        if self.ratio is None:
            return "SKIP"
        return "PASS" if self.ratio.median >= self.target.min_ratio else "MISS"


def _find(measurements: list[Measurement], case: str, server: str) -> Measurement | None:
    return next((m for m in measurements if m.case == case and m.server == server), None)


def ratio(measurements: list[Measurement], case: str, server: str, baseline: str) -> Ratio | None:
    numerator = _find(measurements, case, server)
    denominator = _find(measurements, case, baseline)
    if numerator is None or denominator is None:
        return None
    pairs = list(zip(numerator.runs, denominator.runs, strict=True))
    per_cpu = [(run.requests_per_cpu_second, base.requests_per_cpu_second) for run, base in pairs]
    return Ratio(
        tuple(run.requests_per_second / base.requests_per_second for run, base in pairs),
        None
        if any(a is None or b is None for a, b in per_cpu)
        else tuple(a / b for a, b in per_cpu if a is not None and b is not None),
    )


def verdicts(measurements: list[Measurement], targets: tuple[Target, ...]) -> list[Verdict]:
    return [Verdict(t, ratio(measurements, t.case, t.server, t.baseline)) for t in targets]


@dataclass(frozen=True)
class LatencyVerdict:
    target: LatencyTarget
    run: LoadResult | None
    """The server's median run on the case; None when it was not measured."""

    @property
    def spread(self) -> float | None:
        return None if self.run is None else self.run.p99_ms / self.run.p50_ms

    @property
    def outcome(self) -> str:
        if self.spread is None:
            return "SKIP"
        return "PASS" if self.spread <= self.target.max_p99_over_p50 else "MISS"

    def text(self) -> str:
        t = self.target
        if self.run is None or self.spread is None:
            measured = "not measured"
        else:
            measured = (
                f"{self.spread:.1f}x (p50 {self.run.p50_ms:.2f} ms, p99 {self.run.p99_ms:.2f} ms)"
            )
        return f"{self.outcome}  {t.case}: {t.server} p99/p50 = {measured}, target <= {t.max_p99_over_p50:g}x"


def latency_verdicts(
    measurements: list[Measurement], targets: tuple[LatencyTarget, ...]
) -> list[LatencyVerdict]:
    found = {t: _find(measurements, t.case, t.server) for t in targets}
    return [LatencyVerdict(t, None if m is None else m.median) for t, m in found.items()]


def _cpu(run: LoadResult) -> str:
    return "-" if run.server_cpu_share is None else f"{run.server_cpu_share:.2f}"


def _per_cpu(run: LoadResult) -> str:
    rate = run.requests_per_cpu_second
    return "-" if rate is None else f"{rate:,.0f}"


def table(measurements: list[Measurement], baseline: str = "ceiling") -> str:
    """Each row shows the median run; ``cpu`` is the server's CPU-seconds per second in it."""
    rows = [
        (
            "case",
            "server",
            "req/s",
            "p50 ms",
            "p99 ms",
            "cpu",
            "req/cpu-s",
            f"vs {baseline}",
            "(cpu)",
            "vs apollo",
            "(cpu)",
        )
    ]
    for m in measurements:
        run = m.median
        share = ratio(measurements, m.case, m.server, baseline)
        peer = ratio(measurements, m.case, m.server, "apollo")
        rows.append(
            (
                m.case,
                m.server,
                f"{run.requests_per_second:,.0f}",
                f"{run.p50_ms:.2f}",
                f"{run.p99_ms:.2f}",
                _cpu(run),
                _per_cpu(run),
                "-" if share is None else f"{share.median:.1%}",
                "-" if share is None or share.median_cpu is None else f"{share.median_cpu:.1%}",
                "-" if peer is None else f"{peer.median:.2f}x",
                "-" if peer is None or peer.median_cpu is None else f"{peer.median_cpu:.2f}x",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def targets_text(results: list[Verdict]) -> str:
    lines = []
    for v in results:
        t = v.target
        if v.ratio is None:
            measured = "not measured"
        else:
            rounds = ", ".join(f"{r:.1%}" for r in v.ratio.per_round)
            measured = f"{v.ratio.median:.1%}" + (
                f" (rounds: {rounds})" if len(v.ratio.per_round) > 1 else ""
            )
            if v.ratio.median_cpu is not None:
                measured += f"; per server CPU-second {v.ratio.median_cpu:.1%}"
        lines.append(
            f"{v.outcome}  {t.case}: {t.server}/{t.baseline} = {measured}, target >= {t.min_ratio:.0%}"
        )
    return "\n".join(lines)


def deliveries_text(measurements: list[Measurement]) -> str:
    """One line per round of a case with subscribers: were all events delivered to all?"""
    lines = []
    for m in measurements:
        for number, d in enumerate(m.deliveries, start=1):
            outcome = "PASS" if d.complete else "FAIL"
            lines.append(f"{outcome}  {m.case}: {m.server} round {number}: {d.describe()}")
    return "\n".join(lines)


def _run_json(run: LoadResult) -> dict[str, Any]:
    return {**asdict(run), "requests_per_cpu_second": run.requests_per_cpu_second}


def write_json(
    path: Path,
    meta: dict[str, Any],
    measurements: list[Measurement],
    results: list[Verdict],
    latency: list[LatencyVerdict],
    extra: dict[str, Any],
) -> None:
    document = {
        **meta,
        "measurements": [
            {
                "case": m.case,
                "server": m.server,
                "median": _run_json(m.median),
                "runs": [_run_json(run) for run in m.runs],
                **(
                    {"deliveries": [{**asdict(d), "complete": d.complete} for d in m.deliveries]}
                    if m.deliveries
                    else {}
                ),
            }
            for m in measurements
        ],
        "targets": [
            {
                **asdict(v.target),
                "ratio": None if v.ratio is None else v.ratio.median,
                "ratio_per_round": None if v.ratio is None else list(v.ratio.per_round),
                "cpu_ratio": None if v.ratio is None else v.ratio.median_cpu,
                "cpu_ratio_per_round": None
                if v.ratio is None or v.ratio.per_round_cpu is None
                else list(v.ratio.per_round_cpu),
                "outcome": v.outcome,
            }
            for v in results
        ],
        "latency_targets": [
            {**asdict(v.target), "p99_over_p50": v.spread, "outcome": v.outcome} for v in latency
        ],
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
