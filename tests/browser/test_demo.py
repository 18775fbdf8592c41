"""The live web client at ``/demo``: two headless Chromium pages against a real server.

An order placed in one page appears in the other through ``onOrderUpdated``, and a status change
(``updateOrderStatus`` with an admin token from the local issuer) shows up there too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.live import ROOT, running_server

EXAMPLE = ROOT / "examples" / "orders"
SCRIPT = ROOT / "tests" / "browser" / "live_orders.mjs"
CHROMIUM = Path("/usr/bin/chromium")


def _require_browser() -> None:
    missing = [
        what
        for what, present in (
            ("node", shutil.which("node") is not None),
            (str(CHROMIUM), CHROMIUM.exists()),
            ("node_modules/playwright-core", (ROOT / "node_modules" / "playwright-core").is_dir()),
        )
        if not present
    ]
    if missing:
        reason = (
            f"the demo browser test needs {', '.join(missing)}: run scripts/ensure-test-deps.sh"
        )
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def test_demo_page_is_served_with_a_strict_policy(tmp_path: Path) -> None:
    with running_server(EXAMPLE, tmp_path / "data") as base:
        page = httpx.get(f"{base}/demo", timeout=10)
        assert page.status_code == 200
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert '"apiKey": "da2-syncline-local-example-key"' in page.text
        assert httpx.get(f"{base}/demo/assets/demo.js", timeout=10).status_code == 200


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_an_order_placed_in_one_page_appears_in_the_other(tmp_path: Path) -> None:
    _require_browser()
    data_dir = tmp_path / "data"
    with running_server(EXAMPLE, data_dir) as base:
        token = subprocess.run(
            [sys.executable, str(ROOT / "server.py"), "token", str(EXAMPLE), "--sub", "admin",
             "--groups", "admins", "--data-dir", str(data_dir)],
            cwd=ROOT, capture_output=True, text=True, check=True, timeout=30,
        ).stdout.strip()  # fmt: skip
        screenshot = tmp_path / "demo.png"
        done = subprocess.run(
            ["node", str(SCRIPT), base, token, str(screenshot), "30000"],
            cwd=ROOT, capture_output=True, text=True, timeout=150,
        )  # fmt: skip
    lines = done.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines else {}
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert summary == {
        "ok": True,
        "statusSeen": "PAID",
        "statusAfter": "FULFILLED",
        "problems": [],
    }
    assert screenshot.stat().st_size > 10_000
