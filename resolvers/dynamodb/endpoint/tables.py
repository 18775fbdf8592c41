"""The endpoint's table operations: CreateTable, DescribeTable, ListTables, DeleteTable, TTL.

Tables and ``tables:`` (docs/dynamodb-endpoint.md, "Tables"): the store holds the tables
declared in ``syncline.yml`` plus those created here, in one namespace. CreateTable of a name
that exists (declared or created) is a ``ResourceInUseException``; a created table lives in the
data file until DeleteTable and is there again after a restart; DeleteTable of a declared table
empties and removes it until the next start, which declares it again (empty). Resolvers reach
created tables as they reach declared ones: a data source names it in ``tableName``.

Descriptions follow ``TableDescription`` in the DynamoDB API reference. Deviations: the status
is always ``ACTIVE`` (creation is immediate; DeleteTable answers ``DELETING`` and the table is
gone), ``CreationDateTime`` and the provisioned capacity shown are this process's memory of the
CreateTable call (after a restart: the time the store opened, and on-demand billing), and a key
attribute of a declared table appears in ``AttributeDefinitions`` once its type is locked by
the first item written.
"""

from __future__ import annotations

import time
from enum import StrEnum
from typing import Any

from resolvers.dynamodb.database import CREATED_LOCATION
from resolvers.dynamodb.endpoint.wire import (
    Body,
    WireError,
    boolean,
    integer,
    mapping,
    sequence,
    string,
    table_name,
)
from resolvers.dynamodb.errors import ValidationError
from resolvers.dynamodb.model import Projection, key_names
from resolvers.dynamodb.store import TableStore
from schema.model import KeySchema, SecondaryIndex, Table

MAX_GLOBAL_INDEXES = 20
MAX_LOCAL_INDEXES = 5
MAX_LIST_TABLES = 100
ACCOUNT = "000000000000"


class KeyType(StrEnum):
    HASH = "HASH"
    RANGE = "RANGE"


class AttributeType(StrEnum):
    """Key attribute types (``AttributeDefinition.AttributeType``)."""

    S = "S"
    N = "N"
    B = "B"


class BillingMode(StrEnum):
    PROVISIONED = "PROVISIONED"
    PAY_PER_REQUEST = "PAY_PER_REQUEST"


def _invalid(message: str) -> ValidationError:
    return ValidationError(f"One or more parameter values were invalid: {message}")


def _not_found(name: str) -> WireError:
    return WireError(
        "ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"
    )


def _key_schema(raw: Any, member: str) -> KeySchema:
    elements = sequence(raw, member, low=1)
    if len(elements) > 2:
        raise ValidationError(
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
            "Member must have length less than or equal to 2"
        )
    names: list[str] = []
    for position, element in enumerate(elements):
        spec = mapping(element, f"{member}.{position + 1}.member")
        name = string(spec.get("AttributeName"), f"{member}.{position + 1}.member.attributeName")
        raw_type = string(spec.get("KeyType"), f"{member}.{position + 1}.member.keyType")
        if raw_type not in KeyType.__members__:
            raise ValidationError(
                f"1 validation error detected: Value '{raw_type}' at "
                f"'{member}.{position + 1}.member.keyType' failed to satisfy constraint: Member "
                "must satisfy enum value set: [HASH, RANGE]"
            )
        expected = KeyType.HASH if position == 0 else KeyType.RANGE
        if KeyType(raw_type) is not expected:
            raise ValidationError(
                "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                if position == 0
                else "Too many hash keys specified.  All Dynamo DB tables must have exactly one "
                "hash key"
            )
        names.append(name)
    if len(names) == 2 and names[0] == names[1]:
        raise _invalid(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
        )
    return KeySchema(names[0], names[1] if len(names) > 1 else None)


def _index(raw: Any, member: str, table_key: KeySchema, local: bool) -> SecondaryIndex:
    spec = mapping(raw, member)
    name = string(spec.get("IndexName"), f"{member}.indexName")
    if len(name) < 3 or len(name) > 255 or not all(c.isalnum() or c in "_.-" for c in name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at '{member}.indexName' failed to "
            "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )
    key = _key_schema(spec.get("KeySchema"), f"{member}.keySchema")
    if local and (key.partition_key != table_key.partition_key or key.sort_key is None):
        raise _invalid(
            "Index KeySchema does not have the same leading hash key as table KeySchema for "
            f"index: {name}. index hash key: {key.partition_key}, table hash key: "
            f"{table_key.partition_key}"
            if key.partition_key != table_key.partition_key
            else f"Index KeySchema must have a range key for local secondary index: {name}"
        )
    projection = mapping(spec.get("Projection"), f"{member}.projection")
    kind = projection.get("ProjectionType", Projection.ALL.value)
    if kind not in Projection.__members__:
        raise ValidationError(
            f"1 validation error detected: Value '{kind}' at '{member}.projection.projectionType' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[ALL, INCLUDE, KEYS_ONLY]"
        )
    included = tuple(str(n) for n in projection.get("NonKeyAttributes") or ())
    if (kind == Projection.INCLUDE) != bool(included):
        raise _invalid(
            "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"
            if kind == Projection.INCLUDE
            else f"NonKeyAttributes is specified while ProjectionType is {kind}"
        )
    return SecondaryIndex(name, key, kind, included)


def _key_elements(key: KeySchema) -> list[dict[str, str]]:
    elements = [{"AttributeName": key.partition_key, "KeyType": "HASH"}]
    if key.sort_key:
        elements.append({"AttributeName": key.sort_key, "KeyType": "RANGE"})
    return elements


def _projection(index: SecondaryIndex) -> dict[str, Any]:
    projection: dict[str, Any] = {"ProjectionType": index.projection}
    if index.non_key_attributes:
        projection["NonKeyAttributes"] = list(index.non_key_attributes)
    return projection


class TableOperations:
    """``handle_<operation>(body) -> answer`` for the table operations, on one store.

    ``region`` names the tables in ARNs; this process's CreateTable calls are remembered for
    ``CreationDateTime`` and the billing mode they asked for.
    """

    def __init__(self, store: TableStore, region: str = "us-east-1") -> None:
        self.store = store
        self.region = region
        self._opened_at = time.time()
        self._created: dict[str, dict[str, Any]] = {}

    def existing(self, body: Body) -> Table:
        """The table a request's ``TableName`` names; ``ResourceNotFoundException`` if none."""
        raw = body.get("TableName")
        table = self.store.tables.get(raw) if isinstance(raw, str) else None
        if table is None:
            raise _not_found(table_name(body))  # a malformed name is a ValidationException first
        return table

    # --- CreateTable / DeleteTable ---------------------------------------------------------

    async def handle_create_table(self, body: Body) -> dict[str, Any]:
        name = table_name(body)
        key = _key_schema(body.get("KeySchema"), "keySchema")
        definitions: dict[str, str] = {}
        for position, raw in enumerate(
            sequence(body.get("AttributeDefinitions"), "attributeDefinitions", low=1)
        ):
            member = f"attributeDefinitions.{position + 1}.member"
            spec = mapping(raw, member)
            attr = string(spec.get("AttributeName"), f"{member}.attributeName")
            kind = string(spec.get("AttributeType"), f"{member}.attributeType")
            if kind not in AttributeType.__members__:
                raise ValidationError(
                    f"1 validation error detected: Value '{kind}' at '{member}.attributeType' "
                    "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"
                )
            if attr in definitions:
                raise _invalid(f"Duplicate AttributeName in AttributeDefinitions: {attr}")
            definitions[attr] = kind
        gsis = tuple(
            _index(raw, f"globalSecondaryIndexes.{i + 1}.member", key, local=False)
            for i, raw in enumerate(self._list(body, "GlobalSecondaryIndexes", MAX_GLOBAL_INDEXES))
        )
        lsis = tuple(
            _index(raw, f"localSecondaryIndexes.{i + 1}.member", key, local=True)
            for i, raw in enumerate(self._list(body, "LocalSecondaryIndexes", MAX_LOCAL_INDEXES))
        )
        names = [index.name for index in (*gsis, *lsis)]
        for duplicate in {n for n in names if names.count(n) > 1}:
            raise _invalid(f"Duplicate index name: {duplicate}")
        used = dict.fromkeys(
            n for k in (key, *(i.key for i in (*gsis, *lsis))) for n in key_names(k)
        )
        missing = [n for n in used if n not in definitions]
        if missing:
            raise _invalid(
                "Some index key attributes are not defined in AttributeDefinitions. "
                f"Keys: [{', '.join(missing)}], AttributeDefinitions: [{', '.join(definitions)}]"
            )
        if len(definitions) != len(used):
            raise _invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes "
                "defined in AttributeDefinitions"
            )
        billing = self._billing(body)
        if name in self.store.tables:
            raise WireError("ResourceInUseException", f"Table already exists: {name}")
        table = Table(name, key, gsis, lsis, None, CREATED_LOCATION)
        await self.store.create_table(table, definitions)
        self._created[name] = {"CreationDateTime": time.time(), **billing}
        return {"TableDescription": await self._describe(table)}

    @staticmethod
    def _list(body: Body, field: str, most: int) -> list[Any]:
        raw = body.get(field)
        if raw is None:
            return []
        member = field[0].lower() + field[1:]
        entries = sequence(raw, member, low=1)
        if len(entries) > most:
            raise ValidationError(
                f"One or more parameter values were invalid: Number of {field} provided "
                f"({len(entries)}) exceeds the limit of {most}"
            )
        return entries

    @staticmethod
    def _billing(body: Body) -> dict[str, Any]:
        raw = body.get("BillingMode", BillingMode.PROVISIONED.value)
        if raw not in BillingMode.__members__:
            raise ValidationError(
                f"1 validation error detected: Value '{raw}' at 'billingMode' failed to satisfy "
                "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
            )
        throughput = body.get("ProvisionedThroughput")
        if BillingMode(raw) is BillingMode.PAY_PER_REQUEST:
            if throughput is not None:
                raise _invalid(
                    "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                    "BillingMode is PAY_PER_REQUEST"
                )
            return {"BillingMode": raw, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
        if throughput is None:
            raise _invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                "BillingMode is PROVISIONED"
            )
        spec = mapping(throughput, "provisionedThroughput")
        units = {
            field: integer(spec, field, low=1)
            for field in ("ReadCapacityUnits", "WriteCapacityUnits")
        }
        if None in units.values():
            raise _invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                "BillingMode is PROVISIONED"
            )
        return {"BillingMode": raw, **units}

    async def handle_delete_table(self, body: Body) -> dict[str, Any]:
        table = self.existing(body)
        description = await self._describe(table)
        await self.store.delete_table(table.name)
        self._created.pop(table.name, None)
        return {"TableDescription": {**description, "TableStatus": "DELETING"}}

    # --- DescribeTable / ListTables --------------------------------------------------------

    async def handle_describe_table(self, body: Body) -> dict[str, Any]:
        return {"Table": await self._describe(self.existing(body))}

    async def handle_list_tables(self, body: Body) -> dict[str, Any]:
        limit = integer(body, "Limit", low=1, high=MAX_LIST_TABLES) or MAX_LIST_TABLES
        start = body.get("ExclusiveStartTableName")
        names = sorted(self.store.tables)
        if start is not None:
            names = [n for n in names if n > string(start, "exclusiveStartTableName")]
        answer: dict[str, Any] = {"TableNames": names[:limit]}
        if len(names) > limit:
            answer["LastEvaluatedTableName"] = names[limit - 1]
        return answer

    async def _describe(self, table: Table) -> dict[str, Any]:
        stats = await self.store.table_stats(table.name)
        types = await self.store.key_types(table.name)
        index_stats = await self.store.index_stats(table.name)
        created = self._created.get(table.name, {})
        arn = f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{table.name}"
        attributes = dict.fromkeys(
            n
            for k in (table.key, *(i.key for i in table.global_secondary_indexes))
            for n in key_names(k)
        )
        attributes.update(
            dict.fromkeys(n for i in table.local_secondary_indexes for n in key_names(i.key))
        )
        billing = created.get("BillingMode", BillingMode.PAY_PER_REQUEST.value)
        description: dict[str, Any] = {
            "AttributeDefinitions": [
                {"AttributeName": n, "AttributeType": types[n]} for n in attributes if n in types
            ],
            "TableName": table.name,
            "KeySchema": _key_elements(table.key),
            "TableStatus": "ACTIVE",
            "CreationDateTime": created.get("CreationDateTime", self._opened_at),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": created.get("ReadCapacityUnits", 0),
                "WriteCapacityUnits": created.get("WriteCapacityUnits", 0),
            },
            "TableSizeBytes": stats.size_bytes,
            "ItemCount": stats.item_count,
            "TableArn": arn,
            "DeletionProtectionEnabled": False,
        }
        if billing == BillingMode.PAY_PER_REQUEST:
            description["BillingModeSummary"] = {"BillingMode": billing}

        def index(entry: SecondaryIndex, is_global: bool) -> dict[str, Any]:
            held = index_stats.get(entry.name)
            count, size = (held.item_count, held.size_bytes) if held else (0, 0)
            answer: dict[str, Any] = {
                "IndexName": entry.name,
                "KeySchema": _key_elements(entry.key),
                "Projection": _projection(entry),
                "IndexSizeBytes": size,
                "ItemCount": count,
                "IndexArn": f"{arn}/index/{entry.name}",
            }
            if is_global:
                answer["IndexStatus"] = "ACTIVE"
            return answer

        if table.local_secondary_indexes:
            description["LocalSecondaryIndexes"] = [
                index(i, False) for i in table.local_secondary_indexes
            ]
        if table.global_secondary_indexes:
            description["GlobalSecondaryIndexes"] = [
                index(i, True) for i in table.global_secondary_indexes
            ]
        return description

    # --- TTL -------------------------------------------------------------------------------

    async def handle_update_time_to_live(self, body: Body) -> dict[str, Any]:
        table = self.existing(body)
        spec = mapping(body.get("TimeToLiveSpecification"), "timeToLiveSpecification")
        attribute = string(spec.get("AttributeName"), "timeToLiveSpecification.attributeName")
        if "Enabled" not in spec:
            raise ValidationError(
                "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' "
                "failed to satisfy constraint: Member must not be null"
            )
        enabled = boolean(spec, "Enabled")
        current = table.ttl_attribute
        if enabled and current is not None:
            raise ValidationError("TimeToLive is already enabled")
        if not enabled and current is None:
            raise ValidationError("TimeToLive is already disabled")
        if not enabled and current != attribute:
            raise ValidationError(
                "TimeToLive is active on a different AttributeName: current AttributeName is "
                f"{current}"
            )
        await self.store.set_ttl(table.name, attribute if enabled else None)
        return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}

    async def handle_describe_time_to_live(self, body: Body) -> dict[str, Any]:
        table = self.existing(body)
        if table.ttl_attribute is None:
            return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
        return {
            "TimeToLiveDescription": {
                "TimeToLiveStatus": "ENABLED",
                "AttributeName": table.ttl_attribute,
            }
        }
