"""What the table store's operations take and return.

These types are the store's vocabulary, shared by its two callers: the AMAZON_DYNAMODB data
source (AppSync request objects) and the DynamoDB wire endpoint (``X-Amz-Target`` JSON). Names
follow DynamoDB's API reference (``ReturnValues``, ``LastEvaluatedKey``, ``CancellationReason``);
values are typed DynamoDB JSON (``{"S": "x"}``), validated and normalized by ``values``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from resolvers.dynamodb.errors import ValidationError
from resolvers.dynamodb.expressions import Condition, Path, UpdateExpression, project
from resolvers.dynamodb.values import Item
from schema.model import KeySchema, Table

PlainItem = dict[str, Any]
"""An item as AppSync resolvers see it (``values.item_to_plain``)."""


V = TypeVar("V")


def key_names(key: KeySchema) -> list[str]:
    """The attribute names of a key schema: partition key, then sort key if any."""
    return [key.partition_key] + ([key.sort_key] if key.sort_key else [])


class Projection(StrEnum):
    """An index's ``ProjectionType``."""

    ALL = "ALL"
    KEYS_ONLY = "KEYS_ONLY"
    INCLUDE = "INCLUDE"


@dataclass(frozen=True)
class IndexView:
    """What a Query or Scan reads: the table itself (``name`` None) or one of its indexes."""

    table: Table
    name: str | None
    key: KeySchema
    projection: Projection = Projection.ALL
    non_key_attributes: tuple[str, ...] = ()
    is_global: bool = False

    @property
    def scope(self) -> str:
        """Names the table and index; page tokens are bound to it."""
        return f"{self.table.name}/{self.name or ''}"

    def key_attributes(self) -> list[str]:
        """The attributes of a ``LastEvaluatedKey``: the index key, then the table key."""
        names = [*key_names(self.key), *key_names(self.table.key)]
        return list(dict.fromkeys(names))

    def project(self, item: dict[str, V]) -> dict[str, V]:
        """The item (typed or plain) as the index holds it (DynamoDB "Attribute projections")."""
        if self.projection is Projection.ALL or self.name is None:
            return item
        names = self.key_attributes()
        if self.projection is Projection.INCLUDE:
            names = [*names, *self.non_key_attributes]
        return {k: item[k] for k in names if k in item}


@dataclass(frozen=True)
class Page:
    """One page of a Query or Scan.

    ``items`` passed the filter and are projected as the index holds them (typed, or plain when
    the read asked for ``plain``); ``scanned_count`` is how many items were evaluated (DynamoDB
    ``ScannedCount``); ``last_key`` is DynamoDB's ``LastEvaluatedKey`` (None when the read
    reached the end).
    """

    items: list[Item]
    last_key: Item | None
    scanned_count: int

    @property
    def count(self) -> int:
        """DynamoDB ``Count``: items after the filter (what ``Select: COUNT`` returns)."""
        return len(self.items)


class ReturnValues(StrEnum):
    """DynamoDB ``ReturnValues`` of PutItem, UpdateItem and DeleteItem."""

    NONE = "NONE"
    ALL_OLD = "ALL_OLD"
    UPDATED_OLD = "UPDATED_OLD"
    ALL_NEW = "ALL_NEW"
    UPDATED_NEW = "UPDATED_NEW"

    @classmethod
    def parse(cls, value: object, *, update: bool) -> ReturnValues:
        """``value`` as a ``ReturnValues``; PutItem and DeleteItem accept only NONE and ALL_OLD."""
        allowed = list(cls) if update else [cls.NONE, cls.ALL_OLD]
        if isinstance(value, str) and value in {a.value for a in allowed}:
            return cls(value)
        raise ValidationError("Return values set to invalid value")


@dataclass(frozen=True)
class WriteResult:
    """An item before and after one write (``None`` where it did not exist)."""

    old: Item | None
    new: Item | None
    updated_paths: tuple[Path, ...] = ()
    """For UpdateItem: the paths the update expression wrote (``UPDATED_OLD``/``UPDATED_NEW``)."""

    def returned(self, choice: ReturnValues) -> Item | None:
        """DynamoDB's ``Attributes`` for ``ReturnValues`` = ``choice`` (None when it has none).

        ``UPDATED_*`` holds the updated paths only (``SET m.x = :v`` → ``{"m": {"x": ...}}``),
        as AWS answers; DynamoDB Local returns whole top-level attributes instead (pinned in
        ``tests/resolvers/dynamodb/differential``).
        """
        if choice is ReturnValues.NONE:
            return None
        if choice is ReturnValues.ALL_OLD:
            return self.old
        if choice is ReturnValues.ALL_NEW:
            return self.new
        source = self.old if choice is ReturnValues.UPDATED_OLD else self.new
        if source is None:
            return None
        return project(source, self.updated_paths) or None


class TransactOperation(StrEnum):
    """The kinds of action in a TransactWriteItems (AppSync's names for them)."""

    PUT_ITEM = "PutItem"
    UPDATE_ITEM = "UpdateItem"
    DELETE_ITEM = "DeleteItem"
    CONDITION_CHECK = "ConditionCheck"


@dataclass(frozen=True)
class TransactWrite:
    """One action of a TransactWriteItems.

    ``key`` is the item's primary key (for ``PUT_ITEM`` the store takes it from ``item``);
    ``return_item_on_failure`` is ``ReturnValuesOnConditionCheckFailure: ALL_OLD``.
    """

    operation: TransactOperation
    table: str
    key: Item
    item: Item | None = None
    update: UpdateExpression | None = None
    condition: Condition | None = None
    return_item_on_failure: bool = False


@dataclass(frozen=True)
class TransactGet:
    """One read of a TransactGetItems (``projection`` is applied by the store)."""

    table: str
    key: Item
    projection: tuple[Path, ...] | None = None


@dataclass(frozen=True)
class BatchWrite:
    """One request of a BatchWriteItem: a put (``item``) or a delete (``key``)."""

    table: str
    item: Item | None = None
    key: Item | None = None

    @classmethod
    def put(cls, table: str, item: Item) -> BatchWrite:
        return cls(table, item=item)

    @classmethod
    def delete(cls, table: str, key: Item) -> BatchWrite:
        return cls(table, key=key)
