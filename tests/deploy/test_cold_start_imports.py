"""What a Lambda cold start imports (issue 8, item 5; docs/deploy.md).

``bench/cold_start.py`` times the cold start; these tests pin *what* it loads, in a fresh
interpreter, so a module-level import that drags the server, AWS SDK or Redis client back onto
the cold path fails here, without any timing. Each case runs ``server.lambda_handler`` the way
the Lambda runtime does (``_HANDLER`` names it): import the handler module (INIT), then, for
``first-event``, answer one HTTP API event for the orders example with an API key. ``import``
is the same import outside Lambda (the CLI's).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import ROOT

EXAMPLE = ROOT / "examples" / "orders"
EVENT = ROOT / "tests" / "events" / "apigw_http_v2_post_query.json"

SERVE_ONLY = (
    "uvicorn",
    "websockets",
    "argparse",  # the CLI
    "web.app",  # `syncline serve`'s app: /dynamodb, the Invoke API, services, the demo page
    "resolvers.dynamodb.endpoint",
    "resolvers.lambda_.endpoint",
    "subscriptions.uvicorn_ws",
)
"""Used by ``syncline serve`` only: never on Lambda."""

NOT_FOR_AN_API_KEY_QUERY = (
    "boto3",
    "botocore",
    "httpx",  # the HTTP data source makes its client at its first request
    "redis",  # Redis brokers and caches only with --redis-url
    "jwt",  # JWT modes verify with pyjwt at the first token
    "cryptography",
    # The real-time side: built with the first WebSocket event or mutation (deploy.aws_lambda.app).
    "subscriptions.engine",
    "subscriptions.service",
    "subscriptions.filters",  # resolver code's util and extensions load it with a first filter
    "subscriptions.brokers",
    "subscriptions.protocols",
    "deploy.aws_lambda.websocket",
)
"""Not needed to answer a query with an API key, so not loaded by the cold start that does."""

PROBE = """
import json, os, sys
from server import lambda_handler
status = None
if sys.argv[1] == "first-event":
    with open(sys.argv[2]) as f:
        status = lambda_handler(json.load(f), None)["statusCode"]
children = []
for entry in os.listdir("/proc"):
    if entry.isdigit():
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
            children.append(int(entry))
print(json.dumps({"status": status, "modules": sorted(sys.modules), "children": children}))
"""


WEBSOCKET_API = {
    "SYNCLINE_CONNECTIONS_TABLE": "Connections",
    "SYNCLINE_SUBSCRIPTIONS_TABLE": "Subscriptions",
}
"""A function that also serves a WebSocket API (``template.yaml`` sets these)."""


def cold_start(
    tmp_path: Path, stage: str, extra_env: dict[str, str] | None = None
) -> dict[str, object]:
    env = {
        **os.environ,
        "SYNCLINE_API_DIR": str(EXAMPLE),
        "SYNCLINE_DATA_DIR": str(tmp_path / "data"),
        "LAMBDA_TASK_ROOT": str(ROOT),
        **(extra_env or {}),
    }
    if stage != "import":
        env["_HANDLER"] = "server.lambda_handler"
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, stage, str(EVENT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


def loaded(modules: object, packages: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return sorted(p for p in packages if any(m == p or m.startswith(p + ".") for m in modules))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize(
    "stage",
    [
        pytest.param("import", id="import"),
        pytest.param("lambda-init", id="lambda-init"),
        pytest.param("first-event", id="first-event"),
    ],
)
def test_cold_start_loads_only_what_the_request_needs(tmp_path: Path, stage: str) -> None:
    result = cold_start(tmp_path, stage)
    if stage == "first-event":
        assert result["status"] == 200
    assert loaded(result["modules"], SERVE_ONLY) == []
    assert loaded(result["modules"], NOT_FOR_AN_API_KEY_QUERY) == []
    # On Lambda the handler's imports happen in INIT (server.py); elsewhere not at all.
    assert loaded(result["modules"], ("deploy.aws_lambda.app",)) == (
        [] if stage == "import" else ["deploy.aws_lambda.app"]
    )


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_with_a_websocket_api_a_query_still_loads_no_real_time_side(tmp_path: Path) -> None:
    # The tables are never reached: boto3 and the engine come with the first WebSocket event
    # or mutation, so this query needs no AWS credentials or region either.
    result = cold_start(tmp_path, "first-event", WEBSOCKET_API)
    assert result["status"] == 200
    assert loaded(result["modules"], NOT_FOR_AN_API_KEY_QUERY) == []


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_local_lambda_workers_start_on_first_invoke_not_at_boot(tmp_path: Path) -> None:
    # The example's processPayment is a local function; the query does not invoke it.
    result = cold_start(tmp_path, "first-event")
    assert result["status"] == 200
    assert result["children"] == []
