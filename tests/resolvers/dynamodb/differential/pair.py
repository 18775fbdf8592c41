"""Run one DynamoDB call against Syncline's endpoint and DynamoDB Local; compare what came back.

An ``Outcome`` is what a client sees: the response (``ResponseMetadata`` and
``ConsumedCapacity`` dropped) or the error code with the members that travel with it
(``Item`` of a failed condition, ``CancellationReasons`` of a transaction). Messages are not
compared: DynamoDB Local's wording differs from AWS's in many places (for example
``Cannot do operations on a non-existent table`` for AWS's ``Requested resource not found``),
and Syncline follows AWS where the two differ.

Normalizations, each a documented DynamoDB non-guarantee:

- set members (SS, NS, BS) have no order in DynamoDB; they are compared sorted;
- Scan returns items "in no particular order" (DynamoDB Local orders by a hash of the partition
  key, AWS by its partitions, Syncline by key), so ``scan_all`` compares the items of a whole
  scan as a sorted list and each page's ``Count``/``ScannedCount`` only.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

_IGNORED = {"ResponseMetadata", "ConsumedCapacity"}
_names = itertools.count()


def normalize(value: Any) -> Any:
    """Sets sorted (DynamoDB sets have no order); everything else as it is."""
    if isinstance(value, Mapping):
        if len(value) == 1:
            ((kind, raw),) = value.items()
            if kind in ("SS", "NS", "BS") and isinstance(raw, list):
                return {kind: sorted(raw)}
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


@dataclass(frozen=True)
class Outcome:
    """A response, or an error code with its extra members."""

    response: Any = None
    error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    message: str = ""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.response, self.error, self.extra) == (
            other.response,
            other.error,
            other.extra,
        )

    def __hash__(self) -> int:
        return hash(
            json.dumps([self.response, self.error, self.extra], sort_keys=True, default=str)
        )

    def __repr__(self) -> str:
        if self.error:
            return f"Error({self.error}, {self.message!r}, {dict(self.extra)})"
        return f"Ok({self.response})"


def call(client: Any, operation: str, arguments: Mapping[str, Any]) -> Outcome:
    method: Callable[..., dict[str, Any]] = getattr(client, operation)
    try:
        response = method(**arguments)
    except ClientError as error:
        extra = {
            k: normalize(v)
            for k, v in error.response.items()
            if k in ("Item", "CancellationReasons")
        }
        return Outcome(
            error=error.response["Error"]["Code"],
            extra=extra,
            message=error.response["Error"].get("Message", ""),
        )
    return Outcome(normalize({k: v for k, v in response.items() if k not in _IGNORED}))


class Pair:
    """Two boto3 clients, Syncline's endpoint (``ours``) and DynamoDB Local (``theirs``)."""

    def __init__(self, ours: Any, theirs: Any) -> None:
        self.ours = ours
        self.theirs = theirs
        self.created: list[str] = []

    def outcomes(self, operation: str, **arguments: Any) -> tuple[Outcome, Outcome]:
        return call(self.ours, operation, arguments), call(self.theirs, operation, arguments)

    def same(self, operation: str, **arguments: Any) -> Outcome:
        """Call both; assert they answered the same; return the answer."""
        ours, theirs = self.outcomes(operation, **arguments)
        assert ours == theirs, (
            f"{operation}({arguments}):\n  syncline: {ours}\n  local:    {theirs}"
        )
        return ours

    def ok(self, operation: str, **arguments: Any) -> Any:
        outcome = self.same(operation, **arguments)
        assert outcome.error is None, outcome
        return outcome.response

    def error(self, code: str, operation: str, **arguments: Any) -> Outcome:
        outcome = self.same(operation, **arguments)
        assert outcome.error == code, outcome
        return outcome

    # --- tables ----------------------------------------------------------------------------

    def table(
        self,
        key: Mapping[str, str],
        *,
        gsis: list[dict[str, Any]] | None = None,
        lsis: list[dict[str, Any]] | None = None,
        types: Mapping[str, str] | None = None,
        prefix: str = "t",
    ) -> str:
        """Create the same table in both (key: ``{name: type}`` in key order); its name."""
        name = f"{prefix}{next(_names):05d}"
        definitions = {**key, **(types or {})}
        schema = [
            {"AttributeName": attr, "KeyType": "HASH" if i == 0 else "RANGE"}
            for i, attr in enumerate(key)
        ]
        arguments: dict[str, Any] = {
            "TableName": name,
            "KeySchema": schema,
            "AttributeDefinitions": [
                {"AttributeName": a, "AttributeType": t} for a, t in definitions.items()
            ],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if gsis:
            arguments["GlobalSecondaryIndexes"] = gsis
        if lsis:
            arguments["LocalSecondaryIndexes"] = lsis
        self._create(arguments)
        self.created.append(name)
        return name

    def _create(self, arguments: Mapping[str, Any]) -> None:
        for client in (self.ours, self.theirs):
            client.create_table(**arguments)

    def drop_all(self) -> None:
        for name in self.created:
            for client in (self.ours, self.theirs):
                with contextlib.suppress(ClientError):
                    client.delete_table(TableName=name)
        self.created.clear()

    # --- pages -----------------------------------------------------------------------------

    def pages(self, operation: str, **arguments: Any) -> Iterator[Any]:
        """Every page of a Query, compared page by page (same items, same LastEvaluatedKey)."""
        start: Any = None
        while True:
            extra = {"ExclusiveStartKey": start} if start is not None else {}
            page = self.ok(operation, **arguments, **extra)
            yield page
            start = page.get("LastEvaluatedKey")
            if start is None:
                return

    def scan_all(self, **arguments: Any) -> list[Any]:
        """A whole Scan on each side: the same items, in any order (see the module docstring)."""
        return self.collect("scan", **arguments)

    def collect(self, operation: str, **arguments: Any) -> list[Any]:
        """Every page on each side: the same items in any order, the same total ``Count``.

        For reads whose order DynamoDB leaves open: Scan, and a Query on an index without a
        sort key (items with equal index keys come in no particular order).
        """
        results = []
        for client in (self.ours, self.theirs):
            items: list[Any] = []
            count = 0
            start: Any = None
            while True:
                extra = {"ExclusiveStartKey": start} if start is not None else {}
                page = getattr(client, operation)(**arguments, **extra)
                items.extend(normalize(page.get("Items", [])))
                count += page["Count"]
                start = page.get("LastEvaluatedKey")
                if start is None:
                    break
            results.append((sorted(items, key=_sort_key), count))
        assert results[0] == results[1], f"{operation} {arguments}:\n  {results[0]}\n  {results[1]}"
        return results[0][0]


def _sort_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)
