"""A local handler's boto3 reaches the serving Syncline's embedded tables, with no configuration:
``syncline serve`` tells its workers where it listens (``AWS_ENDPOINT_URL_DYNAMODB``)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.apis import HEADERS, write_api
from tests.live import running_server

HANDLER = """
    import os

    import boto3

    def handler(event, context):
        table = boto3.resource("dynamodb").Table("Things")
        table.put_item(Item={"id": event["arguments"]["id"], "by": context.function_name})
        item = table.get_item(Key={"id": event["arguments"]["id"]})["Item"]
        return {"item": item, "endpoint": os.environ["AWS_ENDPOINT_URL_DYNAMODB"]}
"""


def test_handler_reads_and_writes_the_embedded_tables(tmp_path):
    root = write_api(
        tmp_path / "api",
        "type Query { roundTrip(id: ID!): AWSJSON  thing(id: ID!): AWSJSON }",
        """
        dataSources:
          writer: {type: AWS_LAMBDA, config: {functionName: writer}}
          things: {type: AMAZON_DYNAMODB, config: {tableName: Things}}
        resolvers:
          Query.roundTrip: {kind: UNIT, dataSource: writer}
          Query.thing: {kind: UNIT, dataSource: things, code: thing.py}
        """,
        {
            "lambdas/writer.py": HANDLER,
            "thing.py": """
                from syncline import util

                def request(ctx):
                    return {"operation": "GetItem", "key": util.dynamodb.to_map_values({"id": ctx.args["id"]})}

                def response(ctx):
                    return ctx.result
            """,
        },
        """
functions:
  writer:
    handler: lambdas/writer.handler
    timeout: 20
tables:
  Things:
    partitionKey: id
""",
    )
    with running_server(root, tmp_path / "data") as base:
        written = call(base, '{ roundTrip(id: "t1") }')["roundTrip"]
        read = call(base, '{ thing(id: "t1") }')["thing"]  # through the resolvers' data source
    assert json.loads(written) == {
        "item": {"id": "t1", "by": "writer"},
        "endpoint": f"{base}/dynamodb",
    }
    assert json.loads(read) == {"id": "t1", "by": "writer"}


def call(base: str, query: str) -> Any:
    response = httpx.post(f"{base}/graphql", json={"query": query}, headers=HEADERS, timeout=30)
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
