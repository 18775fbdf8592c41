"""After a failed condition: AppSync's desired-state check, equalsIgnore and the handler strategies."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from resolvers.dynamodb import DynamoDBDataSource, TableStore
from schema.errors import ResolverError
from tests.apis import client_for, gql, write_api
from tests.resolvers.dynamodb.support import CTX, ORDERS, TABLES, n, s

FAILED = "DynamoDB:ConditionalCheckFailedException"


def put(version: int, name: str, **condition: Any) -> dict[str, Any]:
    """Write ``version`` expecting version 1; the stored item is at version 8."""
    return {
        "operation": "PutItem",
        "key": {"id": s("p1")},
        "attributeValues": {"name": s(name), "version": n(version)},
        "condition": {
            "expression": "version = :expected",
            "expressionValues": {":expected": n(1)},
            **condition,
        },
    }


class Handler:
    """A conditionalCheckFailedHandler function: records its events, answers ``decision``."""

    def __init__(self, decision: Any) -> None:
        self.decision = decision
        self.events: list[tuple[str, Any]] = []

    async def __call__(self, arn: str, event: Any) -> Any:
        self.events.append((arn, event))
        return self.decision


def run_with(handler: Handler | None, body: Any) -> Any:
    async def main() -> Any:
        store = TableStore(TABLES, None)
        source = DynamoDBDataSource("orders", ORDERS, store, handler)
        try:
            await store.put_item("Orders", {"id": s("p1"), "name": s("Steve"), "version": n(8)})
            return await body(source)
        finally:
            await store.close()

    return asyncio.run(main())


async def error_of(source: DynamoDBDataSource, request: dict[str, Any]) -> ResolverError:
    with pytest.raises(ResolverError) as raised:
        await source.invoke(request, CTX)
    return raised.value


@pytest.mark.parametrize(
    ("request_", "succeeds"),
    [
        pytest.param(put(2, "Steve", equalsIgnore=["version"]), True, id="only-ignored-differs"),
        pytest.param(put(2, "Steve"), False, id="version-differs"),
        pytest.param(put(8, "Steve"), True, id="identical-item"),
        pytest.param(put(2, "Bob", equalsIgnore=["version"]), False, id="name-differs"),
    ],
)
def test_put_already_in_the_desired_state_succeeds(
    request_: dict[str, Any], succeeds: bool
) -> None:
    """AppSync's own example: the only difference is the ignored ``version``."""

    async def body(source: DynamoDBDataSource) -> Any:
        if succeeds:
            return await source.invoke(request_, CTX)
        error = await error_of(source, request_)
        assert error.error_type == FAILED
        return error.data

    # Either way the result is the item as stored; nothing was written.
    assert run_with(None, body) == {"id": "p1", "name": "Steve", "version": 8}


def test_delete_of_a_missing_item_is_already_done() -> None:
    async def body(source: DynamoDBDataSource) -> Any:
        return await source.invoke(
            {
                "operation": "DeleteItem",
                "key": {"id": s("missing")},
                "condition": {"expression": "attribute_exists(id)"},
            },
            CTX,
        )

    assert run_with(None, body) is None


def test_update_always_follows_the_strategy() -> None:
    async def body(source: DynamoDBDataSource) -> ResolverError:
        return await error_of(
            source,
            {
                "operation": "UpdateItem",
                "key": {"id": s("p1")},
                "update": {"expression": "SET version = :v", "expressionValues": {":v": n(8)}},
                "condition": {
                    "expression": "version = :old",
                    "expressionValues": {":old": n(1)},
                    "conditionalCheckFailedHandler": {"strategy": "Reject"},
                },
            },
        )

    assert run_with(None, body).error_type == FAILED


def custom(**extra: Any) -> dict[str, Any]:
    return put(
        2,
        "Bob",
        conditionalCheckFailedHandler={"strategy": "Custom", "lambdaArn": "resolve"},
        **extra,
    )


def test_custom_handler_gets_appsyncs_event_and_may_discard() -> None:
    handler = Handler({"action": "discard"})

    async def body(source: DynamoDBDataSource) -> Any:
        return await source.invoke(custom(), CTX)

    assert run_with(handler, body) == {"id": "p1", "name": "Steve", "version": 8}
    ((arn, event),) = handler.events
    assert arn == "resolve"
    assert event["currentValue"] == {"id": s("p1"), "name": s("Steve"), "version": n(8)}
    assert event["requestMapping"] == custom()
    assert event["resolver"] == {"tableName": "Orders"}
    assert set(event) == {"arguments", "requestMapping", "currentValue", "resolver", "identity"}


def test_custom_handler_may_reject() -> None:
    async def body(source: DynamoDBDataSource) -> ResolverError:
        return await error_of(source, custom())

    error = run_with(Handler({"action": "reject"}), body)
    assert error.error_type == FAILED
    assert error.data == {"id": "p1", "name": "Steve", "version": 8}


def test_custom_handler_retry_uses_the_retry_mapping() -> None:
    retry = {
        "attributeValues": {"name": s("Bob"), "version": n(9)},
        "condition": {"expression": "version = :v", "expressionValues": {":v": n(8)}},
    }

    async def body(source: DynamoDBDataSource) -> Any:
        return await source.invoke(custom(), CTX)

    assert run_with(Handler({"action": "retry", "retryMapping": retry}), body) == {
        "id": "p1",
        "name": "Bob",
        "version": 9,
    }


def test_a_failed_retry_rejects() -> None:
    handler = Handler({"action": "retry", "retryMapping": {"attributeValues": {"name": s("X")}}})

    async def body(source: DynamoDBDataSource) -> ResolverError:
        return await error_of(source, custom())

    assert run_with(handler, body).error_type == FAILED
    assert len(handler.events) == 1


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        pytest.param({"action": "shrug"}, 'expected {"action"', id="unknown-action"),
        pytest.param("discard", 'expected {"action"', id="not-an-object"),
        pytest.param({"action": "retry"}, "needs a 'retryMapping'", id="retry-without-mapping"),
        pytest.param(
            {"action": "retry", "retryMapping": {"key": {"id": s("other")}}},
            "may only set attributeValues, condition",
            id="retry-another-key",
        ),
    ],
)
def test_bad_handler_answers_are_mapping_template_errors(decision: Any, message: str) -> None:
    async def body(source: DynamoDBDataSource) -> ResolverError:
        return await error_of(source, custom())

    error = run_with(Handler(decision), body)
    assert error.error_type == "MappingTemplate"
    assert message in error.message


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        pytest.param({"strategy": "Custom"}, "lambdaArn' is required", id="custom-without-arn"),
        pytest.param(
            {"strategy": "Reject", "lambdaArn": "x"}, "only allowed with it", id="reject-with-arn"
        ),
        pytest.param({"strategy": "Maybe"}, "must be Reject or Custom", id="unknown-strategy"),
    ],
)
def test_bad_handlers_are_mapping_template_errors(handler: dict[str, Any], message: str) -> None:
    async def body(source: DynamoDBDataSource) -> ResolverError:
        return await error_of(source, put(2, "Bob", conditionalCheckFailedHandler=handler))

    error = run_with(None, body)
    assert error.error_type == "MappingTemplate"
    assert message in error.message


# --- through GraphQL, with a local function as the handler -----------------------------------

SCHEMA = """
type Query { ping: String }
type Mutation { rename(id: ID!, name: String!, expected: Int!): Person }
type Person { id: ID!  name: String  version: Int }
"""
CONFIG = """
dataSources:
  people: {type: AMAZON_DYNAMODB, config: {tableName: People}}
resolvers:
  Mutation.rename: {kind: UNIT, dataSource: people, code: rename.py}
"""
FILES = {
    "rename.py": """
        from syncline import util

        def request(ctx):
            return {
                "operation": "PutItem",
                "key": util.dynamodb.to_map_values({"id": ctx.args["id"]}),
                "attributeValues": util.dynamodb.to_map_values(
                    {"name": ctx.args["name"], "version": ctx.args["expected"] + 1}
                ),
                "condition": {
                    "expression": "attribute_not_exists(id) OR version = :expected",
                    "expressionValues": util.dynamodb.to_map_values({":expected": ctx.args["expected"]}),
                    "conditionalCheckFailedHandler": {
                        "strategy": "Custom",
                        "lambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:resolveConflict",
                    },
                },
            }

        def response(ctx):
            if ctx.error:
                util.error(ctx.error.message, ctx.error.type, ctx.result)
            return ctx.result
    """,
    "lambdas/conflicts.py": """
        def resolve(event, context):
            if event["arguments"]["name"] == "admin-wins":
                current = event["currentValue"]["version"]["N"]
                return {
                    "action": "retry",
                    "retryMapping": {
                        "attributeValues": {
                            "name": {"S": "admin-wins"},
                            "version": {"N": str(int(current) + 1)},
                        },
                        "condition": {
                            "expression": "version = :v",
                            "expressionValues": {":v": {"N": current}},
                        },
                    },
                }
            return {"action": "reject"}
    """,
}
TOP = """
tables:
  People: {partitionKey: id}
functions:
  resolveConflict: {handler: lambdas/conflicts.resolve}
"""
RENAME = (
    'mutation($n: String!, $e: Int!) { rename(id: "p", name: $n, expected: $e) { name version } }'
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = write_api(tmp_path_factory.mktemp("api") / "api", SCHEMA, CONFIG, FILES, TOP)
    with client_for(root) as client:
        yield client


def test_a_local_function_resolves_conflicts(client: TestClient) -> None:
    assert gql(client, RENAME, {"n": "first", "e": 0})["data"]["rename"] == {
        "name": "first",
        "version": 1,
    }
    stale = gql(client, RENAME, {"n": "someone", "e": 0})
    assert stale["errors"][0]["errorType"] == FAILED
    assert gql(client, RENAME, {"n": "admin-wins", "e": 0})["data"]["rename"] == {
        "name": "admin-wins",
        "version": 2,
    }
