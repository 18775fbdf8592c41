"""`schema.definition` for what the Lambda and HTTP data sources read: ``functions:`` runtimes,
``services:``, and HTTP data source config, with every error at its ``file:line``.

In YAML fixtures, ``#!`` marks the line an error must be reported at.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from schema.definition import load_definition
from schema.errors import InvalidDefinition
from schema.model import ApiDefinition, AwsFunctionTarget, FunctionRuntime, LocalService
from tests.apis import client_for

HEAD = """\
appSync:
  name: t
  authentication: {type: API_KEY}
  dataSources:
{sources}
"""
FILES = {
    "schema.graphql": "type Query { a: String }\n",
    "lambdas/payments.py": "def handler(event, context):\n    return event\n",
    "services/rates.py": "app = object()\n",
}


def write(root: Path, sources: str = "    none: {type: NONE}", tail: str = "") -> Path:
    for relative, text in FILES.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "syncline.yml").write_text(HEAD.replace("{sources}", sources) + textwrap.dedent(tail))
    return root


def load(root: Path, sources: str = "    none: {type: NONE}", tail: str = "") -> ApiDefinition:
    return load_definition(write(root, sources, tail), env={})


def test_function_runtimes_and_aws_target(tmp_path: Path) -> None:
    api = load(
        tmp_path,
        tail="""
        functions:
          payments:
            handler: lambdas/payments.handler
            reservedConcurrency: 8
          deployed:
            runtime: aws
            timeout: 20
            aws:
              functionName: arn:aws:lambda:eu-west-1:123456789012:function:pay
              qualifier: live
              endpointUrl: http://127.0.0.1:9000
              accessKeyId: AKID
              secretAccessKey: secret
              maxConnections: 3
          named:
            runtime: aws
        """,
    )
    payments, deployed, named = (api.functions[n] for n in ("payments", "deployed", "named"))
    assert (payments.runtime, payments.reserved_concurrency, payments.aws) == (
        FunctionRuntime.LOCAL,
        8,
        None,
    )
    assert deployed.runtime is FunctionRuntime.AWS
    assert deployed.handler == ""
    assert deployed.aws == AwsFunctionTarget(
        function_name="arn:aws:lambda:eu-west-1:123456789012:function:pay",
        qualifier="live",
        endpoint_url="http://127.0.0.1:9000",
        access_key_id="AKID",
        secret_access_key="secret",
        max_connections=3,
    )
    assert named.aws == AwsFunctionTarget(function_name="named")


def test_services_and_http_config(tmp_path: Path) -> None:
    api = load(
        tmp_path,
        sources="""\
    rates:
      type: HTTP
      config:
        service: rates
        timeout: 2.5
        maxResponseBytes: 1000
    signed:
      type: HTTP
      config:
        endpoint: https://example.com
        authorizationConfig:
          authorizationType: AWS_IAM
          awsIamConfig: {signingRegion: us-east-1, signingServiceName: execute-api}
        credentials: {accessKeyId: AKID, secretAccessKey: secret}""",
        tail="services:\n  rates:\n    app: services/rates.app\n",
    )
    assert api.services == {
        "rates": LocalService("rates", "services/rates.app", api.services["rates"].location)
    }
    assert api.data_sources["rates"].config["service"] == "rates"
    assert api.data_sources["signed"].config["credentials"]["accessKeyId"] == "AKID"


HTTP = "    h:\n      type: HTTP\n      config:\n"


@pytest.mark.parametrize(
    ("sources", "tail", "fragment"),
    [
        pytest.param(
            "    none: {type: NONE}",
            "functions:\n  p:\n    handler: lambdas/payments.handler\n    runtime: python3.12 #!\n",
            "invalid value 'python3.12' for 'runtime'; expected one of local, aws",
            id="runtime-value",
        ),
        pytest.param(
            "    none: {type: NONE}",
            "functions:\n  p: #!\n    runtime: local\n",
            "missing required key 'handler' in functions.p",
            id="local-needs-handler",
        ),
        pytest.param(
            "    none: {type: NONE}",
            "functions:\n  p:\n    runtime: aws\n    aws:\n      endpointUrl: localhost:9000 #!\n",
            "expected an http:// or https:// URL for 'endpointUrl'",
            id="aws-endpoint-url",
        ),
        pytest.param(
            "    none: {type: NONE}",
            "functions:\n  p:\n    runtime: aws\n    aws: #!\n      accessKeyId: AKID\n",
            "missing required key 'secretAccessKey' in functions.p.aws",
            id="aws-half-credentials",
        ),
        pytest.param(
            "    none: {type: NONE}",
            "functions:\n  p:\n    handler: lambdas/payments.handler\n    reservedConcurrency: 0 #!\n",
            "'reservedConcurrency' must be between 1 and 64, got 0",
            id="concurrency-range",
        ),
        pytest.param(
            "    none: {type: NONE}",
            "services:\n  rates:\n    app: services/rates.application #!\n",
            "app module 'services/rates.py' has no top-level name 'application'",
            id="service-attribute",
        ),
        pytest.param(
            "    none: {type: NONE}",
            "services:\n  rates:\n    app: services/missing.app #!\n",
            "app module 'services/missing.py' not found",
            id="service-module",
        ),
        pytest.param("    h:\n      type: HTTP\n      config: #!\n        timeout: 1\n", "", "missing required key 'endpoint' in appSync.dataSources.h.config", id="http-needs-endpoint"),
        pytest.param(HTTP + "        service: nope #!\n", "", "no service 'nope' in services:", id="http-unknown-service"),
        pytest.param(HTTP + "        endpoint: http://a\n        service: rates #!\n", "services:\n  rates: {app: services/rates.app}\n", "give 'endpoint' or 'service', not both", id="http-endpoint-and-service"),
        pytest.param(HTTP + "        endpoint: http://a\n        timeout: 0 #!\n", "", "'timeout' must be between 0.001 and 900", id="http-timeout"),
        pytest.param(HTTP + "        endpoint: http://a\n        authorizationConfig:\n          authorizationType: AWS_LAMBDA #!\n          awsIamConfig: {signingRegion: r, signingServiceName: s}\n", "", "invalid value 'AWS_LAMBDA' for 'authorizationType'; expected one of AWS_IAM", id="http-authorization-type"),
        pytest.param(HTTP + "        endpoint: http://a\n        authorizationConfig:\n          authorizationType: AWS_IAM\n          awsIamConfig: {signingRegion: r} #!\n", "", "missing required key 'signingServiceName'", id="http-iam-config"),
        pytest.param(HTTP + "        endpoint: http://a\n        credentials: {accessKeyId: A} #!\n", "", "missing required key 'secretAccessKey'", id="http-credentials"),
    ],
)  # fmt: skip
def test_errors_name_the_yaml_line(tmp_path: Path, sources: str, tail: str, fragment: str) -> None:
    text = HEAD.replace("{sources}", sources.rstrip("\n")) + tail
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.rstrip().endswith("#!"))
    with pytest.raises(InvalidDefinition) as raised:
        load(tmp_path, sources.rstrip("\n"), tail)
    found = [str(error) for error in raised.value.errors]
    location = f"{tmp_path / 'syncline.yml'}:{line}: "
    assert any(error.startswith(location) and fragment in error for error in found), found


def test_an_aws_function_without_a_region_fails_at_start_up(tmp_path, monkeypatch):
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    root = write(
        tmp_path,
        sources="    pay: {type: AWS_LAMBDA, config: {functionName: pay}}",
        tail="  resolvers:\n    Query.a: {kind: UNIT, dataSource: pay}\nfunctions:\n  pay: #!\n    runtime: aws\n",
    )
    line = next(
        n
        for n, row in enumerate((root / "syncline.yml").read_text().splitlines(), 1)
        if "#!" in row
    )
    with pytest.raises(InvalidDefinition) as raised:
        client_for(root)
    [error] = raised.value.errors
    assert str(error).startswith(f"{root / 'syncline.yml'}:{line}: function 'pay' (runtime aws)")
    assert "region" in str(error)
