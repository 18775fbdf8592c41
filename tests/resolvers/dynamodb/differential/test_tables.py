"""CreateTable, DescribeTable, ListTables, DeleteTable and TTL against DynamoDB Local.

Descriptions are compared on what a client acts on: key schema, attribute definitions, indexes
and their projections, status, item counts and sizes. Timestamps, ARNs (DynamoDB Local says
``ddblocal``) and provisioned-throughput bookkeeping are not compared.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.resolvers.dynamodb.differential.pair import Pair

_names = itertools.count()


def _name() -> str:
    return f"tbl{next(_names):04d}"


def _summary(description: dict[str, Any]) -> dict[str, Any]:
    def index(entry: dict[str, Any]) -> dict[str, Any]:
        return {
            k: entry.get(k)
            for k in ("IndexName", "KeySchema", "Projection", "IndexStatus", "ItemCount")
        }

    return {
        "AttributeDefinitions": sorted(
            description["AttributeDefinitions"], key=lambda d: d["AttributeName"]
        ),
        "KeySchema": description["KeySchema"],
        "TableStatus": description["TableStatus"],
        "ItemCount": description["ItemCount"],
        "TableSizeBytes": description["TableSizeBytes"],
        "GlobalSecondaryIndexes": [index(i) for i in description.get("GlobalSecondaryIndexes", [])],
        "LocalSecondaryIndexes": [index(i) for i in description.get("LocalSecondaryIndexes", [])],
    }


FULL_TABLE: dict[str, Any] = {
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "g", "AttributeType": "B"},
        {"AttributeName": "l", "AttributeType": "S"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "byG",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x", "y"]},
        }
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "byL",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "l", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def test_create_describe_delete(pair: Pair) -> None:
    name = _name()
    created = [
        side.create_table(TableName=name, **FULL_TABLE)["TableDescription"]
        for side in (pair.ours, pair.theirs)
    ]
    pair.created.append(name)
    assert _summary(created[0]) == _summary(created[1])
    for side in (pair.ours, pair.theirs):
        for i in range(3):
            item: dict[str, Any] = {"pk": {"S": "p"}, "sk": {"N": str(i)}, "x": {"S": "x" * i}}
            if i:
                item["g"] = {"B": b"g"}
                item["l"] = {"S": "l"}
            side.put_item(TableName=name, Item=item)
    described = [side.describe_table(TableName=name)["Table"] for side in (pair.ours, pair.theirs)]
    assert _summary(described[0]) == _summary(described[1])
    # Known difference: AWS answers DeleteTable with TableStatus DELETING (the table goes away
    # in the background); DynamoDB Local answers ACTIVE. Syncline says DELETING, as AWS.
    ours, theirs = pair.outcomes("delete_table", TableName=name)
    assert ours.response["TableDescription"]["TableStatus"] == "DELETING"
    assert theirs.response["TableDescription"]["TableStatus"] == "ACTIVE"
    statuses = {"TableStatus": "ACTIVE"}
    assert {**_summary(ours.response["TableDescription"]), **statuses} == _summary(
        theirs.response["TableDescription"]
    )
    pair.error("ResourceNotFoundException", "describe_table", TableName=name)
    pair.error("ResourceNotFoundException", "delete_table", TableName=name)
    pair.error(
        "ResourceNotFoundException",
        "get_item",
        TableName=name,
        Key={"pk": {"S": "p"}, "sk": {"N": "1"}},
    )


def test_a_deleted_table_can_be_created_again_empty(pair: Pair) -> None:
    name = _name()
    pair.created.append(name)
    for side in (pair.ours, pair.theirs):
        side.create_table(TableName=name, **FULL_TABLE)
        side.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": "1"}})
        side.delete_table(TableName=name)
        side.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "other", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST",
        )
    pair.scan_all(TableName=name)
    pair.error("ValidationException", "put_item", TableName=name, Item={"other": {"S": "x"}})


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in FULL_TABLE.items() if k != key}


INVALID_TABLES = [
    pytest.param({"TableName": "ab", **FULL_TABLE}, id="name-too-short"),
    pytest.param({"TableName": "bad name!", **FULL_TABLE}, id="name-characters"),
    pytest.param(_without("KeySchema"), id="no-key-schema"),
    pytest.param(_without("AttributeDefinitions"), id="no-attribute-definitions"),
    pytest.param(
        {**FULL_TABLE, "KeySchema": [{"AttributeName": "sk", "KeyType": "RANGE"}]},
        id="range-first",
    ),
    pytest.param(
        {
            **FULL_TABLE,
            "AttributeDefinitions": [
                *FULL_TABLE["AttributeDefinitions"],
                {"AttributeName": "unused", "AttributeType": "S"},
            ],
        },
        id="unused-attribute-definition",
    ),
    pytest.param(
        {**FULL_TABLE, "AttributeDefinitions": FULL_TABLE["AttributeDefinitions"][:3]},
        id="missing-attribute-definition",
    ),
    pytest.param(
        {
            **FULL_TABLE,
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "BOOL"},
                *FULL_TABLE["AttributeDefinitions"][1:],
            ],
        },
        id="bad-attribute-type",
    ),
    pytest.param(
        {
            **FULL_TABLE,
            "LocalSecondaryIndexes": [
                {
                    **FULL_TABLE["LocalSecondaryIndexes"][0],
                    "KeySchema": [
                        {"AttributeName": "l", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                }
            ],
        },
        id="lsi-other-hash-key",
    ),
    pytest.param(
        {
            **FULL_TABLE,
            "GlobalSecondaryIndexes": [
                FULL_TABLE["GlobalSecondaryIndexes"][0],
                FULL_TABLE["GlobalSecondaryIndexes"][0],
            ],
        },
        id="duplicate-index",
    ),
    pytest.param(
        {
            **FULL_TABLE,
            "GlobalSecondaryIndexes": [
                {
                    **FULL_TABLE["GlobalSecondaryIndexes"][0],
                    "Projection": {"ProjectionType": "INCLUDE"},
                }
            ],
        },
        id="include-without-attributes",
    ),
    pytest.param(
        {
            **FULL_TABLE,
            "GlobalSecondaryIndexes": [
                {
                    **FULL_TABLE["GlobalSecondaryIndexes"][0],
                    "Projection": {"ProjectionType": "ALL", "NonKeyAttributes": ["x"]},
                }
            ],
        },
        id="attributes-without-include",
    ),
    pytest.param(_without("BillingMode"), id="provisioned-without-throughput"),
]


def test_on_demand_table_with_throughput(pair: Pair) -> None:
    """Known difference: AWS refuses ProvisionedThroughput on a PAY_PER_REQUEST table with a
    ValidationException; DynamoDB Local accepts it. Syncline refuses, as AWS."""
    name = _name()
    pair.created.append(name)
    arguments = {
        **FULL_TABLE,
        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    }
    ours, theirs = pair.outcomes("create_table", TableName=name, **arguments)
    assert ours.error == "ValidationException"
    assert theirs.error is None


@pytest.mark.parametrize("arguments", INVALID_TABLES)
def test_invalid_create_table(pair: Pair, arguments: dict[str, Any]) -> None:
    arguments = {"TableName": _name(), **arguments}
    pair.created.append(arguments["TableName"])
    pair.error("ValidationException", "create_table", **arguments)


def test_create_table_twice(pair: Pair) -> None:
    name = _name()
    pair.created.append(name)
    for side in (pair.ours, pair.theirs):
        side.create_table(TableName=name, **FULL_TABLE)
    pair.error("ResourceInUseException", "create_table", TableName=name, **FULL_TABLE)


def test_provisioned_table(pair: Pair) -> None:
    name = _name()
    pair.created.append(name)
    arguments = {
        **_without("BillingMode"),
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 2},
        "GlobalSecondaryIndexes": [
            {
                **FULL_TABLE["GlobalSecondaryIndexes"][0],
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            }
        ],
    }
    described = [
        side.create_table(TableName=name, **arguments)["TableDescription"]
        for side in (pair.ours, pair.theirs)
    ]
    assert _summary(described[0]) == _summary(described[1])
    throughput = [d["ProvisionedThroughput"] for d in described]
    assert [(t["ReadCapacityUnits"], t["WriteCapacityUnits"]) for t in throughput] == [(5, 2)] * 2


def test_list_tables_pages(pair: Pair) -> None:
    names = []
    for _ in range(5):
        names.append(pair.table({"pk": "S"}, prefix="list"))
    listed = pair.ok("list_tables")
    assert set(names) <= set(listed["TableNames"])
    for limit in (1, 2, 5):
        start: str | None = None
        seen: list[str] = []
        while True:
            extra = {"ExclusiveStartTableName": start} if start else {}
            page = pair.ok("list_tables", Limit=limit, **extra)
            seen.extend(page["TableNames"])
            start = page.get("LastEvaluatedTableName")
            if start is None:
                break
        assert seen == listed["TableNames"]
    pair.error("ValidationException", "list_tables", Limit=0)
    pair.error("ValidationException", "list_tables", Limit=101)


def test_time_to_live(pair: Pair) -> None:
    name = pair.table({"pk": "S"})
    pair.ok("describe_time_to_live", TableName=name)
    enable = {"Enabled": True, "AttributeName": "expires"}
    pair.ok("update_time_to_live", TableName=name, TimeToLiveSpecification=enable)
    pair.ok("describe_time_to_live", TableName=name)
    pair.error(
        "ValidationException", "update_time_to_live", TableName=name, TimeToLiveSpecification=enable
    )
    pair.error(
        "ValidationException",
        "update_time_to_live",
        TableName=name,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "other"},
    )
    pair.ok(
        "update_time_to_live",
        TableName=name,
        TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"},
    )
    pair.ok("describe_time_to_live", TableName=name)
    pair.error(
        "ResourceNotFoundException",
        "describe_time_to_live",
        TableName="NoSuchTable",
    )
