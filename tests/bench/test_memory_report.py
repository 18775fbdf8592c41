"""The memory check (bench/memory.py): its wrk script, its verdict, and a tiny live run."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.cases import LatencyTarget
from bench.load import LoadResult
from bench.memory import MemoryReport, check_memory, lua_mix, rss_kib
from bench.report import LatencyVerdict


def test_the_mix_sends_each_body_in_turn() -> None:
    script = lua_mix([b'{"query":"a"}', b'{"query":"]]"}'], "key")
    assert 'local bodies = {[[{"query":"a"}]], [=[{"query":"]]"}]=]}' in script
    assert "n = n % #bodies + 1" in script
    assert 'wrk.headers["x-api-key"] = [[key]]' in script


@pytest.mark.parametrize(
    ("second_kib", "outcome"),
    [
        pytest.param(80_000 + 2048, "PASS", id="within-tolerance"),
        pytest.param(80_000 - 512, "PASS", id="shrank"),
        pytest.param(80_000 + 2049, "MISS", id="grew"),
    ],
)
def test_growth_beyond_the_tolerance_is_a_miss(second_kib: int, outcome: str) -> None:
    report = MemoryReport(100_000, 60_000, 80_000, second_kib, (100_100, 100_050), (900, 910))
    assert report.outcome == outcome
    assert f"{outcome}  memory:" in report.text()
    assert report.as_json()["growth_kib"] == second_kib - 80_000


def _run(p50: float, p99: float) -> LoadResult:
    return LoadResult(1000, 1.0, 1000.0, p50, p50, p99, p99, 0, 0)


def test_p99_over_three_times_p50_is_a_miss() -> None:
    target = LatencyTarget("one-field")
    assert LatencyVerdict(target, _run(10.0, 30.0)).outcome == "PASS"
    assert LatencyVerdict(target, _run(10.0, 30.1)).outcome == "MISS"
    assert LatencyVerdict(target, None).outcome == "SKIP"


def test_rss_is_read_from_proc() -> None:
    assert rss_kib(os.getpid()) > 1000


@pytest.mark.e2e
@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (make bench installs it)"
)
def test_a_tiny_memory_check_runs_end_to_end(tmp_path: Path) -> None:
    cpu = min(os.sched_getaffinity(0))
    report = check_memory(300, cpu, cpu, tmp_path)
    assert report.served[0] >= 300
    assert report.served[1] >= 300
    assert 10_000 < report.rss_idle_kib <= report.rss_first_kib + 10_000
