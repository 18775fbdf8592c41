"""Unit and pipeline resolvers with AppSync's semantics, through the HTTP endpoint."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.apis import client_for, gql, write_api

SCHEMA = """
type Query {
  run(mode: String): Result
  unit(x: Int): Int
  boom: Int
  info(a: Int): Info
  plain: Plain
}
type Result { value: String, trace: [String] }
type Info { field: String, parent: String, selection: [String], graphql: String, a: Int }
type Plain { x: Int }
"""

CONFIG = """
environment:
  OFFSET: "1"
dataSources:
  none:
    type: NONE
resolvers:
  Query.run:
    kind: PIPELINE
    code: resolvers/run.py
    functions: [first, second, third]
  Query.unit:
    kind: UNIT
    dataSource: none
    code: resolvers/unit.py
  Query.boom:
    kind: UNIT
    dataSource: none
    code: resolvers/boom.py
  Query.info:
    kind: UNIT
    dataSource: none
    code: resolvers/info.py
pipelineFunctions:
  first:
    dataSource: none
    code: functions/first.py
  second:
    dataSource: none
    code: functions/second.py
  third:
    dataSource: none
    code: functions/third.py
"""

FILES = {
    "resolvers/run.py": """
        from syncline import runtime, util

        def request(ctx):
            ctx.stash["trace"] = ["before"]
            if ctx.args.get("mode") == "before-early":
                runtime.early_return({"value": "from-before"})
            return {"value": "seed"}

        def response(ctx):
            ctx.stash["trace"].append("after")
            return {"value": ctx.prev.result["value"], "trace": ctx.stash["trace"]}
    """,
    "functions/first.py": """
        from syncline import util

        def request(ctx):
            ctx.stash["trace"].append("first:" + ctx.prev.result["value"])
            if ctx.args.get("mode") == "error":
                util.error("first failed", "CustomError", {"d": 1}, {"i": 2})
            if ctx.args.get("mode") == "append":
                util.append_error("kept going", "Warning")
            return {"payload": {"value": ctx.prev.result["value"] + "+1"}}

        def response(ctx):
            return ctx.result
    """,
    "functions/second.py": """
        from syncline import runtime

        def request(ctx):
            ctx.stash["trace"].append("second:" + ctx.prev.result["value"])
            if ctx.args.get("mode") == "fn-early":
                runtime.early_return({"value": "skipped-second"})
            if ctx.args.get("mode") == "end-early":
                runtime.early_return({"value": "to-end"}, skip_to="END")
            return {"payload": {"value": ctx.prev.result["value"] + "+2"}}

        def response(ctx):
            ctx.stash["trace"].append("second-response")
            return ctx.result
    """,
    "functions/third.py": """
        def request(ctx):
            ctx.stash["trace"].append("third:" + ctx.prev.result["value"])
            return {"payload": {"value": ctx.prev.result["value"] + "+3"}}

        def response(ctx):
            return ctx.result
    """,
    "resolvers/unit.py": """
        from syncline import runtime

        def request(ctx):
            if ctx.args.get("x") == 0:
                runtime.early_return(-1)
            return {"payload": ctx.args.get("x")}

        def response(ctx):
            return ctx.result * 10
    """,
    "resolvers/boom.py": """
        class PaymentGatewayDown(Exception):
            pass

        def request(ctx):
            raise PaymentGatewayDown("gateway unreachable")

        def response(ctx):
            return ctx.result
    """,
    "resolvers/info.py": """
        def request(ctx):
            return {"payload": {
                "field": ctx.info.field_name,
                "parent": ctx.info.parent_type_name,
                "selection": ctx.info.selection_set_list,
                "graphql": ctx.info.selection_set_graphql,
                "a": ctx.arguments["a"] + ctx.info.variables["v"] + int(ctx.env["OFFSET"]),
            }}

        def response(ctx):
            return ctx.result
    """,
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    root = write_api(tmp_path_factory.mktemp("api") / "api", SCHEMA, CONFIG, FILES)
    with client_for(root) as client:
        yield client


def run(client, mode: str | None):
    return gql(client, "query($m: String) { run(mode: $m) { value trace } }", {"m": mode})


def test_pipeline_threads_prev_result_and_shares_stash(client):
    body = run(client, None)
    assert body == {
        "data": {
            "run": {
                "value": "seed+1+2+3",
                "trace": [
                    "before",
                    "first:seed",
                    "second:seed+1",
                    "second-response",
                    "third:seed+1+2",
                    "after",
                ],
            }
        }
    }


def test_early_return_from_before_skips_functions(client):
    assert run(client, "before-early")["data"] == {
        "run": {"value": "from-before", "trace": ["before", "after"]}
    }


def test_early_return_from_function_skips_its_data_source_and_response(client):
    assert run(client, "fn-early")["data"] == {
        "run": {
            "value": "skipped-second+3",
            "trace": ["before", "first:seed", "second:seed+1", "third:skipped-second", "after"],
        }
    }


def test_early_return_skip_to_end_runs_after_at_once(client):
    assert run(client, "end-early")["data"] == {
        "run": {"value": "to-end", "trace": ["before", "first:seed", "second:seed+1", "after"]}
    }


def test_util_error_fails_the_field_with_appsync_shape(client):
    body = run(client, "error")
    assert body["data"] == {"run": None}
    assert body["errors"] == [
        {
            "message": "first failed",
            "errorType": "CustomError",
            "data": {"d": 1},
            "errorInfo": {"i": 2},
            "path": ["run"],
            "locations": [{"line": 1, "column": 21}],
        }
    ]


def test_append_error_keeps_data_and_reports_error(client):
    body = run(client, "append")
    assert body["data"]["run"]["value"] == "seed+1+2+3"
    assert body["errors"] == [
        {
            "message": "kept going",
            "errorType": "Warning",
            "data": None,
            "errorInfo": None,
            "path": ["run"],
            "locations": None,
        }
    ]


@pytest.mark.parametrize(
    ("x", "expected"),
    [pytest.param(4, 40, id="request-ds-response"), pytest.param(0, -1, id="early-return")],
)
def test_unit_resolver(client, x, expected):
    assert gql(client, f"{{ unit(x: {x}) }}")["data"] == {"unit": expected}


def test_exception_in_resolver_code_fails_one_field_and_server_keeps_serving(client):
    body = gql(client, "{ boom unit(x: 1) }")
    assert body["data"] == {"boom": None, "unit": 10}
    assert body["errors"] == [
        {
            "message": "gateway unreachable",
            "errorType": "PaymentGatewayDown",
            "data": None,
            "errorInfo": None,
            "path": ["boom"],
            "locations": [{"line": 1, "column": 3}],
        }
    ]
    assert "Traceback" not in str(body)
    assert gql(client, "{ unit(x: 2) }")["data"] == {"unit": 20}


def test_ctx_info_describes_the_field(client):
    body = gql(
        client,
        "query($v: Int) { info(a: $v) { field parent ...F selection } } fragment F on Info { graphql a }",
        {"v": 41},
    )
    info = body["data"]["info"]
    assert info["field"] == "info"
    assert info["parent"] == "Query"
    assert info["a"] == 83
    assert info["selection"] == ["field", "parent", "graphql", "a", "selection"]
    assert "...F" in info["graphql"]


def test_fields_without_resolver_read_the_parent_dict(client, tmp_path: Path):
    root = write_api(
        tmp_path / "plain",
        "type Query { plain: Plain }\ntype Plain { x: Int, class: String }\n",
        """
        dataSources:
          none:
            type: NONE
        resolvers:
          Query.plain:
            kind: UNIT
            dataSource: none
            code: plain.py
        """,
        {
            "plain.py": "def request(ctx):\n    return {'payload': {'x': 3, 'class': 'A'}}\n\ndef response(ctx):\n    return ctx.result\n"
        },
    )
    with client_for(root) as plain_client:
        assert gql(plain_client, "{ plain { x class } }")["data"] == {
            "plain": {"x": 3, "class": "A"}
        }
