"""The ``@aws-appsync/utils/dynamodb`` twin: request shapes, and requests that really run."""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.dynamodb import helpers as ddb
from resolvers.dynamodb.helpers import operations
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
