"""``syncline package``: the Lambda zip (dependencies for the Lambda runtime's platform, the
API folder, bytecode) answers an API Gateway event from a bare interpreter that sees nothing
but the unpacked zip, and the SAM template passes cfn-lint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.deploy.events import EVENTS
from tests.live import ROOT

PIP_CACHE = ROOT / ".cache" / "pip-deploy"


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, str(ROOT / "server.py"), "package", str(ROOT / "examples" / "orders"),
         "--out", str(out)],
        cwd=ROOT, env={**os.environ, "PIP_CACHE_DIR": str(PIP_CACHE)},
        capture_output=True, text=True, timeout=540,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result.stdout


def test_zip_contents_and_summary(packaged: tuple[Path, str]) -> None:
    out, summary = packaged
    assert summary.startswith(f"{out / 'syncline-lambda.zip'}: ")
    assert " MB, " in summary.splitlines()[0]
    assert "template.yaml: AWS SAM template" in summary
    names = set(zipfile.ZipFile(out / "syncline-lambda.zip").namelist())
    for expected in (
        "server.py",
        "syncline.py",
        "api/syncline.yml",
        "api/lambdas/payments.py",
        "deploy/aws_lambda/__init__.py",
        "strawberry/__init__.py",
        f"deploy/aws_lambda/__pycache__/app.cpython-{sys.version_info.major}{sys.version_info.minor}.pyc",
    ):
        assert expected in names, expected
    tops = {name.split("/", 1)[0] for name in names}
    assert not tops & {"boto3", "botocore", "uvloop", "tests", "bench", "examples", "node_modules"}


def test_zip_serves_an_event_from_a_bare_interpreter(
    packaged: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = packaged
    task = tmp_path / "task"
    zipfile.ZipFile(out / "syncline-lambda.zip").extractall(task)
    event = (EVENTS / "apigw_http_v2_post_query.json").read_text()
    script = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import server; "
        "print(json.dumps(server.lambda_handler(json.loads(sys.argv[2]), None)))"
    )
    # -I -S: no site-packages, no PYTHONPATH, no current directory — only the zip's contents.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(task), event],
        cwd=tmp_path,
        env={"LAMBDA_TASK_ROOT": str(task), "SYNCLINE_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {
        "data": {"listOrders": {"items": [], "nextToken": None}}
    }


def test_template_resources_and_cfn_lint(packaged: tuple[Path, str]) -> None:
    out, _ = packaged
    template = yaml.safe_load((out / "template.yaml").read_text())
    resources = template["Resources"]
    function = resources["Function"]["Properties"]
    assert function["Handler"] == "server.lambda_handler"
    assert function["CodeUri"] == "syncline-lambda.zip"
    orders = resources["OrdersTable"]["Properties"]
    assert orders["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert orders["GlobalSecondaryIndexes"][0]["IndexName"] == "byCustomer"
    assert {"ConnectionsTable", "SubscriptionsTable", "HttpApi", "WebSocketApi"} <= set(resources)
    routes = {
        r["Properties"]["RouteKey"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGatewayV2::Route"
    }
    assert routes == {"$connect", "$disconnect", "$default"}
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(cfn_lint), str(out / "template.yaml")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param("a: ${env:STAGE}", {"STAGE": None}, id="no-default"),
        pytest.param("a: ${env:STAGE, 'dev'}", {"STAGE": "dev"}, id="quoted-default"),
        pytest.param("a: ${env:TTL, 300}\nb: ${env:TTL}", {"TTL": "300"}, id="repeated"),
    ],
)
def test_env_references_become_parameters(config: str, expected: dict[str, str | None]) -> None:
    from deploy.template import env_references

    assert env_references(config) == expected
