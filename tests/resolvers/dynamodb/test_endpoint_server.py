"""``syncline serve`` with the DynamoDB endpoint: the AWS CLI and boto3 against a real server.

Tables created through the endpoint are tables of the API: a resolver whose data source names
one works once CreateTable has made it, and the table (with its items) is there after a
restart (docs/dynamodb-endpoint.md, "Tables").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.apis import HEADERS, write_api
from tests.live import free_port, running_server

pytestmark = pytest.mark.e2e

AWS = str(Path(sys.executable).parent / "aws")
SCHEMA = """
type Query { note(id: ID!): Note }
type Note { id: ID! text: String }
"""
CONFIG = """
dataSources:
  notes:
    type: AMAZON_DYNAMODB
    config:
      tableName: Notes
resolvers:
  Query.note:
    kind: UNIT
    dataSource: notes
    code: resolvers/note.py
"""
RESOLVER = """
from syncline import ddb, util


def request(ctx):
    return ddb.get({"key": {"id": ctx.args["id"]}})


def response(ctx):
    if ctx.error:
        util.error(ctx.error.message, ctx.error.type)
    return ctx.result
"""


def aws_cli(endpoint: str, *args: str) -> Any:
    """Run the AWS CLI against ``endpoint`` as AWS_ENDPOINT_URL_DYNAMODB; its JSON output."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }
    done = subprocess.run(
        [AWS, "dynamodb", *args, "--output", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout) if done.stdout.strip() else None


def note(base: str, note_id: str) -> dict[str, Any]:
    response = httpx.post(
        f"{base}/graphql",
        json={
            "query": "query($id: ID!) { note(id: $id) { id text } }",
            "variables": {"id": note_id},
        },
        headers=HEADERS,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_cli_and_resolvers_share_tables_created_on_the_endpoint(tmp_path: Path) -> None:
    api = write_api(tmp_path / "api", SCHEMA, CONFIG, {"resolvers/note.py": RESOLVER})
    data = tmp_path / "data"
    own_port = free_port()
    with running_server(api, data, "--dynamodb-port", str(own_port)) as base:
        # The table does not exist yet: AppSync's error for a missing AWS table.
        missing = note(base, "n1")
        assert missing["errors"][0]["errorType"] == "DynamoDB:ResourceNotFoundException"

        # A bare host (--dynamodb-port) for create-table, the main port's /dynamodb for items.
        own = f"http://127.0.0.1:{own_port}"
        created = aws_cli(
            own,
            "create-table",
            "--table-name", "Notes",
            "--attribute-definitions", "AttributeName=id,AttributeType=S",
            "--key-schema", "AttributeName=id,KeyType=HASH",
            "--billing-mode", "PAY_PER_REQUEST",
        )  # fmt: skip
        assert created["TableDescription"]["TableStatus"] == "ACTIVE"
        aws_cli(
            f"{base}/dynamodb",
            "put-item",
            "--table-name", "Notes",
            "--item", json.dumps({"id": {"S": "n1"}, "text": {"S": "from the CLI"}}),
        )  # fmt: skip
        assert note(base, "n1") == {"data": {"note": {"id": "n1", "text": "from the CLI"}}}

        scanned = aws_cli(own, "scan", "--table-name", "Notes")
        assert scanned["Items"] == [{"id": {"S": "n1"}, "text": {"S": "from the CLI"}}]
        client = boto3.client(
            "dynamodb",
            endpoint_url=f"{base}/dynamodb",
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        assert client.list_tables()["TableNames"] == ["Notes"]
        client.close()

    with running_server(api, data) as base:  # restarted: the created table is still there
        assert note(base, "n1") == {"data": {"note": {"id": "n1", "text": "from the CLI"}}}
        listed = aws_cli(f"{base}/dynamodb", "list-tables")
        assert listed == {"TableNames": ["Notes"]}


def test_dynamodb_port_needs_one_worker(tmp_path: Path) -> None:
    api = write_api(tmp_path / "api", SCHEMA, CONFIG, {"resolvers/note.py": RESOLVER})
    done = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve().parents[3] / "server.py"),
            "serve",
            str(api),
            "--workers",
            "2",
            "--dynamodb-port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--dynamodb-port needs --workers 1" in done.stderr
