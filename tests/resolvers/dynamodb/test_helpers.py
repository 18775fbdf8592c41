"""The ``@aws-appsync/utils/dynamodb`` twin: request shapes, and requests that really run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from resolvers.dynamodb import helpers as ddb
from resolvers.dynamodb.helpers import operations
from syncline import util
from tests.resolvers.dynamodb.support import CTX, Sources, n, run, s


def test_get_builds_a_typed_request() -> None:
    assert ddb.get({"key": {"id": "1"}, "consistent_read": True, "projection": ["total"]}) == {
        "operation": "GetItem",
        "key": {"id": s("1")},
        "consistentRead": True,
        "projection": {"expression": "#total", "expressionNames": {"#total": "total"}},
    }


def test_put_with_a_condition_object() -> None:
    request = ddb.put(
        {
            "key": {"id": "1"},
            "item": {"total": 5, "tags": ["a"]},
            "condition": {"id": {"attributeExists": False}},
        }
    )
    assert request == {
        "operation": "PutItem",
        "key": {"id": s("1")},
        "attributeValues": {"total": n(5), "tags": {"L": [s("a")]}},
        "condition": {"expression": "attribute_not_exists(#id)", "expressionNames": {"#id": "id"}},
    }


def test_remove() -> None:
    assert ddb.remove({"key": {"id": 7}}) == {"operation": "DeleteItem", "key": {"id": n(7)}}


def test_scan_accepts_camel_and_snake_case() -> None:
    assert ddb.scan({"limit": 10, "nextToken": "t", "total_segments": 2, "segment": 0}) == {
        "operation": "Scan",
        "limit": 10,
        "nextToken": "t",
        "totalSegments": 2,
        "segment": 0,
    }


@pytest.mark.parametrize(
    ("call", "payload", "message"),
    [
        pytest.param(
            ddb.get,
            {"key": {"id": 1}, "consistant_read": True},
            "unknown key 'consistant_read'",
            id="typo",
        ),
        pytest.param(
            ddb.scan,
            {"nextToken": "a", "next_token": "b"},
            "'nextToken' twice",
            id="both-spellings",
        ),
        pytest.param(ddb.get, {}, "needs a 'key'", id="no-key"),
        pytest.param(
            ddb.update, {"key": {"id": 1}, "update": {}}, "non-empty 'update'", id="empty-update"
        ),
        pytest.param(
            ddb.query,
            {"query": {"id": {"ne": 1}}},
            "'ne' cannot be used in a key condition",
            id="bad-key-op",
        ),
    ],
)
def test_payload_mistakes_are_type_errors(call: Any, payload: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call(payload)


def test_filter_objects_become_expressions() -> None:
    filter = ddb.to_filter_expression(
        {
            "title": {"beginsWith": "far", "ne": "far out"},
            "or": [{"votes": {"between": [1, 5]}}, {"tags": {"contains": "x", "notContains": "y"}}],
            "not": {"kind": {"in": ["a", "b"]}},
            "meta": {"lang": {"eq": "en"}},
            "rank": {"attributeType": "number"},
        }
    )
    assert filter is not None
    assert filter["expression"] == (
        "(begins_with(#title, :title_beginsWith)) AND (#title <> :title_ne)"
        " AND ((#votes BETWEEN :votes_between_0 AND :votes_between_1)"
        " OR ((contains(#tags, :tags_contains)) AND (NOT contains(#tags, :tags_notContains))))"
        " AND (NOT (#kind IN (:kind_in_0, :kind_in_1)))"
        " AND (#meta.#lang = :meta_lang_eq)"
        " AND (attribute_type(#rank, :rank_attributeType))"
    )
    assert filter["expressionValues"][":rank_attributeType"] == s("N")


def test_update_object_becomes_an_update_expression() -> None:
    request = ddb.update(
        {
            "key": {"id": "1"},
            "update": {
                "title": "new",
                "views": operations.increment(),
                "stock": operations.decrement(2),
                "tags": operations.append(["t"]),
                "history": operations.prepend(["h"]),
                "draft": operations.remove(),
                "address": {"city": "NY"},
                "profile": operations.replace({"bio": "x"}),
                "slots": [operations.update_list_item("b", 1)],
            },
        }
    )
    assert request["update"]["expression"] == (
        "SET #title = :title,"
        " #views = if_not_exists(#views, :views_start) + :views_increment,"
        " #stock = if_not_exists(#stock, :stock_start) - :stock_decrement,"
        " #tags = list_append(if_not_exists(#tags, :tags_empty), :tags_append),"
        " #history = list_append(:history_prepend, if_not_exists(#history, :history_empty)),"
        " #address.#city = :address_city,"
        " #profile = :profile,"
        " #slots[1] = :slots_1"
        " REMOVE #draft"
    )


def test_helper_requests_run_on_the_data_source() -> None:
    async def body(sources: Sources) -> None:
        orders = sources.orders
        for i, (customer, created) in enumerate(
            [("c1", "2024-01"), ("c1", "2024-03"), ("c1", "2024-02"), ("c2", "2024-01")]
        ):
            await orders.invoke(
                ddb.put(
                    {
                        "key": {"id": f"o{i}"},
                        "item": {
                            "customerId": customer,
                            "createdAt": created,
                            "status": "PAID",
                            "total": i * 10,
                        },
                        "condition": {"id": {"attributeExists": False}},
                    }
                ),
                CTX,
            )
        updated = await orders.invoke(
            ddb.update(
                {
                    "key": {"id": "o1"},
                    "update": {
                        "status": "SHIPPED",
                        "total": operations.increment(5),
                        "notes": operations.append(["fast"]),
                    },
                    "condition": {"status": {"eq": "PAID"}},
                }
            ),
            CTX,
        )
        assert updated == {
            "id": "o1",
            "customerId": "c1",
            "createdAt": "2024-03",
            "status": "SHIPPED",
            "total": 15,
            "notes": ["fast"],
        }
        page = await orders.invoke(
            ddb.query(
                {
                    "query": {
                        "customerId": {"eq": "c1"},
                        "createdAt": {"between": ["2024-01", "2024-02"]},
                    },
                    "index": "byCustomer",
                    "scan_index_forward": False,
                    "filter": {"total": {"ge": 0}},
                }
            ),
            CTX,
        )
        assert [i["id"] for i in page["items"]] == ["o2", "o0"]
        scanned = await orders.invoke(
            ddb.scan({"filter": {"status": {"eq": "SHIPPED"}}, "projection": ["id"]}), CTX
        )
        assert scanned["items"] == [{"id": "o1"}]
        removed = await orders.invoke(
            ddb.remove({"key": {"id": "o3"}, "condition": {"customerId": {"eq": "c2"}}}), CTX
        )
        assert removed["id"] == "o3"
        assert await orders.invoke(ddb.get({"key": {"id": "o3"}}), CTX) is None

    run(body)


# --- sets, batches and transactions (Syncline's additions) -----------------------------------


@pytest.mark.parametrize(
    ("value", "typed"),
    [
        pytest.param({"b", "a"}, {"SS": ["a", "b"]}, id="strings"),
        pytest.param(frozenset({2, 1.5}), {"NS": ["1.5", "2"]}, id="numbers"),
        pytest.param({b"\x01", b"\x00"}, {"BS": ["AA==", "AQ=="]}, id="bytes"),
        pytest.param({"tags": {"x"}}, {"M": {"tags": {"SS": ["x"]}}}, id="nested"),
        pytest.param([{"a"}], {"L": [{"SS": ["a"]}]}, id="in-a-list"),
    ],
)
def test_python_sets_become_dynamodb_sets(value: Any, typed: Any) -> None:
    assert ddb.typed(value) == typed


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(set(), id="empty"),
        pytest.param({"a", 1}, id="mixed"),
        pytest.param({True}, id="booleans"),
    ],
)
def test_sets_dynamodb_cannot_store_are_refused(value: Any) -> None:
    with pytest.raises(TypeError, match="a set must be non-empty"):
        ddb.typed(value)


def test_batch_and_transaction_builders() -> None:
    assert ddb.batch_get(
        {"tables": {"Orders": {"keys": [{"id": 1}], "consistent_read": True, "projection": ["id"]}}}
    ) == {
        "operation": "BatchGetItem",
        "tables": {
            "Orders": {
                "keys": [{"id": n(1)}],
                "consistentRead": True,
                "projection": {"expression": "#id", "expressionNames": {"#id": "id"}},
            }
        },
    }
    assert ddb.batch_put({"tables": {"Orders": [{"id": 1, "tags": {"a"}}]}}) == {
        "operation": "BatchPutItem",
        "tables": {"Orders": [{"id": n(1), "tags": {"SS": ["a"]}}]},
    }
    assert ddb.batch_delete({"tables": {"Orders": [{"id": 1}]}}) == {
        "operation": "BatchDeleteItem",
        "tables": {"Orders": [{"id": n(1)}]},
    }
    assert ddb.transact_get({"transact_items": [{"table": "Orders", "key": {"id": 1}}]}) == {
        "operation": "TransactGetItems",
        "transactItems": [{"table": "Orders", "key": {"id": n(1)}}],
    }
    assert ddb.transact_write(
        {
            "transactItems": [
                {"table": "Orders", "operation": "PutItem", "key": {"id": 1}, "item": {"v": 1}},
                {
                    "table": "Orders",
                    "operation": "UpdateItem",
                    "key": {"id": 2},
                    "update": {"v": operations.increment()},
                    "condition": {"v": {"gt": 0}},
                },
                {"table": "Orders", "operation": "DeleteItem", "key": {"id": 3}},
            ]
        }
    ) == {
        "operation": "TransactWriteItems",
        "transactItems": [
            {
                "table": "Orders",
                "operation": "PutItem",
                "key": {"id": n(1)},
                "attributeValues": {"v": n(1)},
            },
            {
                "table": "Orders",
                "operation": "UpdateItem",
                "key": {"id": n(2)},
                "update": {
                    "expression": "SET #v = if_not_exists(#v, :v_start) + :v_increment",
                    "expressionNames": {"#v": "v"},
                    "expressionValues": {":v_start": n(0), ":v_increment": n(1)},
                },
                "condition": {
                    "expression": "#v > :v_gt",
                    "expressionNames": {"#v": "v"},
                    "expressionValues": {":v_gt": n(0)},
                },
            },
            {"table": "Orders", "operation": "DeleteItem", "key": {"id": n(3)}},
        ],
    }


@pytest.mark.parametrize(
    ("call", "payload", "message"),
    [
        pytest.param(ddb.batch_get, {"tables": {}}, "needs a 'tables' object", id="no-tables"),
        pytest.param(ddb.batch_put, {"tables": {"Orders": []}}, "must be a non-empty list", id="no-items"),
        pytest.param(ddb.transact_write, {"transactItems": [{"table": "T", "operation": "Upsert", "key": {"id": 1}}]}, "operation must be one of", id="bad-operation"),
        pytest.param(ddb.transact_write, {"transactItems": [{"table": "T", "operation": "ConditionCheck", "key": {"id": 1}}]}, "needs a 'condition'", id="check-without-condition"),
        pytest.param(ddb.transact_get, {"transactItems": [{"table": "T", "key": {"id": 1}, "consistentRead": True}]}, "unknown key 'consistentRead'", id="transact-get-extra"),
    ],
)  # fmt: skip
def test_batch_payload_mistakes_are_type_errors(call: Any, payload: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call(payload)


def test_batch_and_transaction_requests_run_on_the_data_source() -> None:
    async def body(sources: Sources) -> None:
        orders = sources.orders
        put = await orders.invoke(
            ddb.batch_put({"tables": {"Orders": [{"id": "a", "tags": {"x", "y"}}, {"id": "b"}]}}),
            CTX,
        )
        assert put["unprocessedItems"] == {"Orders": []}
        written = await orders.invoke(
            ddb.transact_write(
                {
                    "transactItems": [
                        {"table": "Orders", "operation": "UpdateItem", "key": {"id": "a"},
                         "update": {"n": operations.increment(2)}},
                        {"table": "Orders", "operation": "ConditionCheck", "key": {"id": "b"},
                         "condition": {"id": {"attributeExists": True}}},
                    ]
                }
            ),
            CTX,
        )  # fmt: skip
        assert written["keys"] == [{"id": "a"}, {"id": "b"}]
        got = await orders.invoke(
            ddb.batch_get({"tables": {"Orders": {"keys": [{"id": "a"}, {"id": "zz"}]}}}), CTX
        )
        assert got["data"]["Orders"][0]["n"] == 2
        assert sorted(got["data"]["Orders"][0]["tags"]) == ["x", "y"]
        assert got["data"]["Orders"][1] is None
        await orders.invoke(ddb.batch_delete({"tables": {"Orders": [{"id": "a"}]}}), CTX)
        items = await orders.invoke(
            ddb.transact_get({"transactItems": [{"table": "Orders", "key": {"id": "a"}}]}), CTX
        )
        assert items == {"items": [None], "cancellationReasons": None}

    run(body)


def test_util_transform_returns_json_text_like_appsync() -> None:
    text = util.transform.to_dynamodb_filter_expression({"title": {"contains": "Hello World"}})
    assert json.loads(text) == {
        "expression": "contains(#title, :title_contains)",
        "expressionNames": {"#title": "title"},
        "expressionValues": {":title_contains": s("Hello World")},
    }
    condition = util.transform.to_dynamodb_condition_expression({"id": {"attributeExists": False}})
    assert json.loads(condition) == {
        "expression": "attribute_not_exists(#id)",
        "expressionNames": {"#id": "id"},
    }
    assert util.transform.to_dynamodb_filter_expression({}) == "null"
