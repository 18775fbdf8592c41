"""The command line: ``syncline validate`` and ``syncline serve`` on valid and broken APIs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import ROOT, free_port

EXAMPLE = ROOT / "examples" / "orders"


def syncline(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "server.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    api = tmp_path / "broken"
    shutil.copytree(EXAMPLE, api)
    config = api / "syncline.yml"
    text = config.read_text()
    text = text.replace("    Query.getOrder:", "    Query.getOrdr:")
    text = text.replace("dataSource: carrierRates", "dataSource: carrierRate")
    config.write_text(text)
    return api


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_validate_prints_a_summary_for_a_valid_api():
    result = syncline("validate", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.strip() == "orders: valid — 9 types, 27 fields, 5 resolvers, 4 data sources"
    )


def test_validate_reports_every_error_with_file_and_line(broken: Path):
    result = syncline("validate", str(broken))
    assert result.returncode == 1
    config = broken / "syncline.yml"
    lines = result.stderr.splitlines()
    assert f"error: {config}:{_line_of(config, 'Query.getOrdr')}: no field 'getOrdr'" in "\n".join(
        lines
    )
    expected = f"error: {config}:{_line_of(config, 'dataSource: carrierRate')}: unknown data source"
    assert any(line.startswith(expected) and "'carrierRate'" in line for line in lines), lines
    assert lines[-1] == "2 error(s); the API definition is not valid"


def test_serve_refuses_an_invalid_api(broken: Path):
    result = syncline("serve", str(broken), "--port", str(free_port()))
    assert result.returncode == 1
    assert "unknown data source 'carrierRate'" in result.stderr


@pytest.mark.parametrize(
    ("workers", "redis_url", "cached", "expected"),
    [
        pytest.param(1, None, True, None, id="one-worker"),
        pytest.param(4, "redis://127.0.0.1:6379/0", True, None, id="workers-with-redis"),
        pytest.param(2, None, False, "own subscription broker", id="workers-no-cache"),
        pytest.param(2, None, True, "own API cache", id="workers-with-cache"),
    ],
)
def test_workers_without_redis_warn_what_stays_per_process(workers, redis_url, cached, expected):
    from server import workers_warning

    warning = workers_warning(workers, redis_url, cached=cached)
    if expected is None:
        assert warning is None
    else:
        assert warning is not None
        assert warning.startswith(f"warning: --workers {workers} without --redis-url")
        assert expected in warning
        assert ("API cache" in warning) is cached
