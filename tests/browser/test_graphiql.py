"""GraphiQL at `GET /graphql`, offline: HTTP checks of the page and a real headless-Chromium run.

Every test talks to a real uvicorn on 127.0.0.1 (module-scoped). The browser test drives Debian's
chromium through `tests/browser/browse.mjs` (playwright-core from npm) and fails if the page asks
any host but 127.0.0.1 for anything, so it proves the vendored assets are all GraphiQL needs.

While `server.create_app` is being assembled the tests serve `_stand_in_app()`, a minimal app
wired the way `server.create_app` wires GraphiQL; `_app()`'s return line is the one to switch.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

import server
from tests.serve import serving
from web.graphiql import render_graphiql

ROOT = Path(__file__).resolve().parents[2]
BROWSE = ROOT / "tests" / "browser" / "browse.mjs"
CHROMIUM = Path("/usr/bin/chromium")
API_KEY = "da2-syncline-local-example-key"
EXAMPLE_API = ROOT / "examples" / "orders"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _app(data_dir: Path) -> Starlette:
    return server.create_app(EXAMPLE_API, data_dir)


# --- the page over HTTP ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(_app(tmp_path_factory.mktemp("data"))) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield http


def _page(client: httpx.Client) -> str:
    response = client.get("/graphql", headers={"accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response.text


def test_page_links_only_local_assets_that_exist(client: httpx.Client) -> None:
    urls = re.findall(r'(?:src|href)="([^"]+)"', _page(client))
    assert len(urls) == 8, urls  # icon, 2 stylesheets, 5 scripts
    for url in urls:
        if url.startswith("data:"):
            continue
        assert url.startswith("/graphql/assets/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_page_prefills_the_api_key_header(client: httpx.Client) -> None:
    page = _page(client)
    config = re.search(
        r'id="syncline-graphiql-config" type="application/json">(.*?)</script>', page
    )
    assert config is not None
    assert json.loads(config.group(1))["headers"] == {"x-api-key": API_KEY}


def test_json_clients_do_not_get_the_page(client: httpx.Client) -> None:
    response = client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-api-key": API_KEY}
    )
    assert response.json() == {"data": {"__typename": "Query"}}


def test_unversioned_asset_urls_revalidate(client: httpx.Client) -> None:
    response = client.get("/graphql/assets/graphiql.min.css")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


def test_injected_values_cannot_break_out_of_the_page() -> None:
    hostile = "</script><script>alert(1)</script><!--"
    response = render_graphiql(
        endpoint="/graphql?x=</script>",
        assets_path='/assets"><script>',
        default_headers={"x-note": hostile},
        title=hostile,
    )
    page = bytes(response.body).decode()
    assert "<script>alert(1)" not in page
    assert '"><script>' not in page
    assert page.count("</script>") == page.count("<script")
    config = re.search(r'type="application/json">(.*?)</script>', page)
    assert config is not None
    assert json.loads(config.group(1))["headers"] == {"x-note": hostile}


def test_page_forbids_inline_and_foreign_scripts() -> None:
    response = render_graphiql(
        endpoint="https://api.example.test/graphql",
        assets_path="/graphql/assets",
        default_headers={},
        title="t",
    )
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "connect-src 'self' https://api.example.test wss://api.example.test;" in policy
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["vary"] == "Accept"


# --- headless Chromium -------------------------------------------------------------------------


def _require_browser_tooling() -> None:
    """Skip locally, but fail loudly in CI, when the browser or its driver is missing."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (Debian package chromium)")
    if not (ROOT / "node_modules" / "playwright-core").is_dir():
        missing.append("node_modules/playwright-core (npm ci)")
    if missing:
        reason = (
            f"GraphiQL browser test needs {', '.join(missing)}: run scripts/ensure-test-deps.sh"
        )
        if os.environ.get("CI", "").lower() in {"true", "1"}:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


@pytest.mark.browser
@pytest.mark.timeout(180)
def test_graphiql_runs_a_query_in_headless_chromium_offline(base_url: str, tmp_path: Path) -> None:
    _require_browser_tooling()
    screenshot = tmp_path / "graphiql.png"
    command = [
        "node",
        str(BROWSE),
        "--url",
        f"{base_url}/graphql",
        "--query",
        '{ shippingQuote(destination: "US-NY", weightKg: 1) { carrier days } }',
        "--expect",
        '"carrier": "Overnight"',
        "--api-key",
        API_KEY,
        "--screenshot",
        str(screenshot),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=150)

    lines = done.stdout.strip().splitlines()
    summary: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    assert done.returncode == 0, (
        f"browse.mjs exited {done.returncode}\nstderr:\n{done.stderr}\nstdout:\n{done.stdout}"
    )
    assert summary["ok"] is True
    assert summary["externalRequests"] == []
    assert summary["headersTabOpenAtLoad"] is True
    assert API_KEY in summary["headers"]
    assert '"carrier": "Overnight"' in summary["response"]
    assert screenshot.stat().st_size > 10_000, "screenshot is missing or blank"
