"""The DynamoDB tables a deployment needs: the API's ``tables:`` and the real-time tables.

The WebSocket API's state lives in two tables, so any function instance can serve any
connection's next message and any mutation can reach every subscriber:

- connections: ``connectionId`` → the connection's protocol, authorization, credentials and
  callback endpoint (one item per WebSocket connection);
- subscriptions: ``connectionId`` + ``subscriptionId`` → one started subscription; the ``byField``
  index (``field``) finds the subscriptions a mutation's event may reach.

Both carry an ``expiresAt`` TTL attribute so connections API Gateway dropped without a
``$disconnect`` (2 hours at most, "Amazon API Gateway quotas") disappear on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schema.model import KeySchema, SecondaryIndex, Table

CONNECTION_ID = "connectionId"
SUBSCRIPTION_ID = "subscriptionId"
FIELD = "field"
BY_FIELD_INDEX = "byField"
EXPIRES_AT = "expiresAt"
CONNECTION_LIFETIME = 2 * 60 * 60 + 5 * 60
"""API Gateway closes a WebSocket after 2 hours; items live a little longer (seconds)."""


@dataclass(frozen=True)
class TableSpec:
    """What ``CreateTable`` / ``AWS::DynamoDB::Table`` need for one table."""

    name: str
    key: KeySchema
    global_indexes: tuple[SecondaryIndex, ...] = ()
    local_indexes: tuple[SecondaryIndex, ...] = ()
    ttl_attribute: str | None = None

    @classmethod
    def of(cls, table: Table) -> TableSpec:
        return cls(
            table.name,
            table.key,
            table.global_secondary_indexes,
            table.local_secondary_indexes,
            table.ttl_attribute,
        )

    def attribute_definitions(self) -> list[dict[str, str]]:
        # Deviation: tables: declares no attribute types, so key attributes are strings (S);
        # edit the template for a numeric or binary key.
        names: dict[str, None] = {}
        for key in (self.key, *(i.key for i in (*self.global_indexes, *self.local_indexes))):
            names[key.partition_key] = None
            if key.sort_key:
                names[key.sort_key] = None
        return [{"AttributeName": name, "AttributeType": "S"} for name in names]

    def create_table_input(self) -> dict[str, Any]:
        """The shape both boto3 ``create_table`` and CloudFormation take."""
        spec: dict[str, Any] = {
            "TableName": self.name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": self.attribute_definitions(),
            "KeySchema": _key_schema(self.key),
        }
        if self.global_indexes:
            spec["GlobalSecondaryIndexes"] = [_index(i) for i in self.global_indexes]
        if self.local_indexes:
            spec["LocalSecondaryIndexes"] = [_index(i) for i in self.local_indexes]
        return spec


def _key_schema(key: KeySchema) -> list[dict[str, str]]:
    schema = [{"AttributeName": key.partition_key, "KeyType": "HASH"}]
    if key.sort_key:
        schema.append({"AttributeName": key.sort_key, "KeyType": "RANGE"})
    return schema


def _index(index: SecondaryIndex) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection}
    if index.non_key_attributes:
        projection["NonKeyAttributes"] = list(index.non_key_attributes)
    return {"IndexName": index.name, "KeySchema": _key_schema(index.key), "Projection": projection}


def connections_table(name: str) -> TableSpec:
    return TableSpec(name, KeySchema(CONNECTION_ID), ttl_attribute=EXPIRES_AT)


def subscriptions_table(name: str) -> TableSpec:
    return TableSpec(
        name,
        KeySchema(CONNECTION_ID, SUBSCRIPTION_ID),
        global_indexes=(
            SecondaryIndex(BY_FIELD_INDEX, KeySchema(FIELD, CONNECTION_ID), projection="ALL"),
        ),
        ttl_attribute=EXPIRES_AT,
    )
