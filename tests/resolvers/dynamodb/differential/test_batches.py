"""BatchGetItem, BatchWriteItem, TransactGetItems and TransactWriteItems against DynamoDB Local."""

from __future__ import annotations

from typing import Any

import pytest

from tests.resolvers.dynamodb.differential.pair import Pair


def _tables(pair: Pair) -> tuple[str, str]:
    first = pair.table({"pk": "S"})
    second = pair.table({"pk": "S", "sk": "N"})
    for side in (pair.ours, pair.theirs):
        for i in range(4):
            side.put_item(TableName=first, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}})
            side.put_item(
                TableName=second, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "v": {"S": "x"}}
            )
    return first, second


def _sorted_responses(outcome: Any) -> Any:
    """BatchGetItem answers in no particular order; sort each table's items."""
    if outcome.response is None:
        return outcome
    responses = outcome.response.get("Responses", {})
    return {t: sorted(items, key=repr) for t, items in responses.items()}


def test_batch_get_item(pair: Pair) -> None:
    first, second = _tables(pair)
    ours, theirs = pair.outcomes(
        "batch_get_item",
        RequestItems={
            first: {
                "Keys": [{"pk": {"S": "k1"}}, {"pk": {"S": "absent"}}, {"pk": {"S": "k3"}}],
                "ProjectionExpression": "#v",
                "ExpressionAttributeNames": {"#v": "v"},
            },
            second: {"Keys": [{"pk": {"S": "p"}, "sk": {"N": "2"}}], "ConsistentRead": True},
        },
    )
    assert ours.error is None, ours
    assert _sorted_responses(ours) == _sorted_responses(theirs)
    assert ours.response["UnprocessedKeys"] == theirs.response["UnprocessedKeys"] == {}


@pytest.mark.parametrize(
    ("request_items", "code"),
    [
        pytest.param(
            lambda f, s: {f: {"Keys": [{"pk": {"S": "k"}}] * 2}},
            "ValidationException",
            id="duplicate-keys",
        ),
        pytest.param(lambda f, s: {f: {"Keys": []}}, "ValidationException", id="no-keys"),
        pytest.param(lambda f, s: {}, "ValidationException", id="no-tables"),
        pytest.param(
            lambda f, s: {f: {"Keys": [{"pk": {"S": str(i)}} for i in range(101)]}},
            "ValidationException",
            id="101-keys",
        ),
        pytest.param(
            lambda f, s: {f: {"Keys": [{"pk": {"N": "1"}}]}}, "ValidationException", id="key-type"
        ),
        pytest.param(
            lambda f, s: {s: {"Keys": [{"pk": {"S": "p"}}]}},
            "ValidationException",
            id="partial-key",
        ),
        pytest.param(
            lambda f, s: {"NoSuchTable": {"Keys": [{"pk": {"S": "p"}}]}},
            "ResourceNotFoundException",
            id="missing-table",
        ),
    ],
)
def test_batch_get_item_errors(pair: Pair, request_items: Any, code: str) -> None:
    first, second = _tables(pair)
    pair.error(code, "batch_get_item", RequestItems=request_items(first, second))


def test_batch_write_item(pair: Pair) -> None:
    first, second = _tables(pair)
    pair.ok(
        "batch_write_item",
        RequestItems={
            first: [
                {"PutRequest": {"Item": {"pk": {"S": "new"}, "ss": {"SS": ["a"]}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "k0"}}}},
                {"DeleteRequest": {"Key": {"pk": {"S": "absent"}}}},
            ],
            second: [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": "1"}}}}],
        },
    )
    pair.scan_all(TableName=first)
    pair.scan_all(TableName=second)


@pytest.mark.parametrize(
    ("request_items", "code"),
    [
        pytest.param(
            lambda f, s: {f: [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}] * 2},
            "ValidationException",
            id="duplicate-puts",
        ),
        pytest.param(
            lambda f, s: {
                f: [
                    {"PutRequest": {"Item": {"pk": {"S": "a"}}}},
                    {"DeleteRequest": {"Key": {"pk": {"S": "a"}}}},
                ]
            },
            "ValidationException",
            id="put-and-delete-same-key",
        ),
        pytest.param(
            lambda f, s: {f: [{"PutRequest": {"Item": {"pk": {"S": str(i)}}}} for i in range(26)]},
            "ValidationException",
            id="26-writes",
        ),
        pytest.param(lambda f, s: {f: []}, "ValidationException", id="no-writes"),
        pytest.param(
            lambda f, s: {f: [{"PutRequest": {"Item": {"v": {"S": "a"}}}}]},
            "ValidationException",
            id="put-without-key",
        ),
        pytest.param(
            lambda f, s: {
                f: [{"PutRequest": {"Item": {"pk": {"S": "ok"}}}}],
                s: [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": "bad"}}}}],
            },
            "ValidationException",
            id="one-bad-write-fails-all",
        ),
        pytest.param(
            lambda f, s: {"NoSuchTable": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]},
            "ResourceNotFoundException",
            id="missing-table",
        ),
    ],
)
def test_batch_write_item_errors(pair: Pair, request_items: Any, code: str) -> None:
    first, second = _tables(pair)
    pair.error(code, "batch_write_item", RequestItems=request_items(first, second))
    pair.scan_all(TableName=first)  # nothing was written
    pair.scan_all(TableName=second)


def test_transact_get_items(pair: Pair) -> None:
    first, second = _tables(pair)
    pair.ok(
        "transact_get_items",
        TransactItems=[
            {"Get": {"TableName": first, "Key": {"pk": {"S": "k2"}}}},
            {"Get": {"TableName": first, "Key": {"pk": {"S": "absent"}}}},
            {
                "Get": {
                    "TableName": second,
                    "Key": {"pk": {"S": "p"}, "sk": {"N": "3"}},
                    "ProjectionExpression": "sk, #v",
                    "ExpressionAttributeNames": {"#v": "v"},
                }
            },
        ],
    )


def test_transact_write_items_commits_everything(pair: Pair) -> None:
    first, second = _tables(pair)
    pair.ok(
        "transact_write_items",
        TransactItems=[
            {
                "Put": {
                    "TableName": first,
                    "Item": {"pk": {"S": "new"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Update": {
                    "TableName": first,
                    "Key": {"pk": {"S": "k1"}},
                    "UpdateExpression": "ADD v :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": second, "Key": {"pk": {"S": "p"}, "sk": {"N": "0"}}}},
            {
                "ConditionCheck": {
                    "TableName": second,
                    "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
                    "ConditionExpression": "v = :x",
                    "ExpressionAttributeValues": {":x": {"S": "x"}},
                }
            },
        ],
    )
    pair.scan_all(TableName=first)
    pair.scan_all(TableName=second)


@pytest.mark.parametrize(
    "on_failure", [pytest.param(None, id="no-item"), pytest.param("ALL_OLD", id="with-item")]
)
def test_transact_write_items_cancelled(pair: Pair, on_failure: str | None) -> None:
    first, second = _tables(pair)
    extra = {"ReturnValuesOnConditionCheckFailure": on_failure} if on_failure else {}
    outcome = pair.error(
        "TransactionCanceledException",
        "transact_write_items",
        TransactItems=[
            {"Put": {"TableName": first, "Item": {"pk": {"S": "new"}}}},
            {
                "Update": {
                    "TableName": first,
                    "Key": {"pk": {"S": "k1"}},
                    "UpdateExpression": "SET v = :two",
                    "ConditionExpression": "v = :two",
                    "ExpressionAttributeValues": {":two": {"N": "2"}},
                    **extra,
                }
            },
            {
                "ConditionCheck": {
                    "TableName": second,
                    "Key": {"pk": {"S": "p"}, "sk": {"N": "9"}},
                    "ConditionExpression": "attribute_exists(pk)",
                    **extra,
                }
            },
        ],
    )
    assert [r["Code"] for r in outcome.extra["CancellationReasons"]] == [
        "None",
        "ConditionalCheckFailed",
        "ConditionalCheckFailed",
    ]
    pair.scan_all(TableName=first)  # nothing was written


@pytest.mark.parametrize(
    "items",
    [
        pytest.param(
            lambda f, s: [
                {"Put": {"TableName": f, "Item": {"pk": {"S": "a"}}}},
                {"Delete": {"TableName": f, "Key": {"pk": {"S": "a"}}}},
            ],
            id="same-item-twice",
        ),
        pytest.param(lambda f, s: [], id="empty"),
        pytest.param(
            lambda f, s: [
                {"Put": {"TableName": f, "Item": {"pk": {"S": str(i)}}}} for i in range(101)
            ],
            id="101-actions",
        ),
        pytest.param(
            lambda f, s: [
                {"Put": {"TableName": f, "Item": {"pk": {"S": "a"}}}},
                {"Put": {"TableName": s, "Item": {"pk": {"S": "p"}, "sk": {"S": "bad"}}}},
            ],
            id="bad-key-type",
        ),
        pytest.param(
            lambda f, s: [
                {"ConditionCheck": {"TableName": f, "Key": {"pk": {"S": "a"}}}},
            ],
            id="condition-check-without-condition",
        ),
        pytest.param(
            lambda f, s: [
                {
                    "ConditionCheck": {
                        "TableName": f,
                        "Key": {"pk": {"S": "k1"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Delete": {"TableName": s, "Key": {"pk": {"S": "p"}, "sk": {"S": "1"}}}},
            ],
            id="failed-condition-and-key-type",
        ),
        pytest.param(
            lambda f, s: [
                {"Put": {"TableName": f, "Item": {"pk": {"S": "b"}, "v": {"S": "x" * 409_600}}}},
            ],
            id="item-too-large",
        ),
        pytest.param(
            lambda f, s: [
                {
                    "Update": {
                        "TableName": f,
                        "Key": {"pk": {"S": "k1"}},
                        "UpdateExpression": "SET m.x = :o",
                        "ExpressionAttributeValues": {":o": {"N": "1"}},
                    }
                },
            ],
            id="update-missing-parent",
        ),
        pytest.param(
            lambda f, s: [
                {
                    "Update": {
                        "TableName": f,
                        "Key": {"pk": {"S": "k1"}},
                        "UpdateExpression": "SET v = v + :s",
                        "ExpressionAttributeValues": {":s": {"S": "x"}},
                    }
                },
            ],
            id="update-type-error",
        ),
    ],
)
def test_transact_write_items_invalid(pair: Pair, items: Any) -> None:
    first, second = _tables(pair)
    ours, theirs = pair.outcomes("transact_write_items", TransactItems=items(first, second))
    assert ours.error == theirs.error, (ours, theirs)
    assert ours.error in ("ValidationException", "TransactionCanceledException"), ours
    assert ours.extra == theirs.extra
    pair.scan_all(TableName=first)
    pair.scan_all(TableName=second)
