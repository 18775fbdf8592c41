"""The AMAZON_DYNAMODB data source on AWS DynamoDB (or any DynamoDB-compatible endpoint), via boto3.

``config.store: aws`` selects it (docs/dynamodb.md, "Real DynamoDB"). Resolver code is the same
as for the embedded store: it returns AppSync's DynamoDB request objects, and this module turns
each into the DynamoDB API call AppSync makes for it (AppSync developer guide, "JavaScript
resolver function reference for DynamoDB") and the response into AppSync's ``ctx.result``:

- ``GetItem``/``DeleteItem`` → the item (DeleteItem asks for ``ReturnValues: ALL_OLD``),
  ``PutItem`` → the item written, ``UpdateItem`` → ``ReturnValues: ALL_NEW``;
- ``Query``/``Scan`` → ``{items, nextToken, scannedCount}``, where ``nextToken`` is
  ``LastEvaluatedKey`` sealed by ``tokens.PageTokens`` (opaque and tamper-evident, as AppSync's);
- ``BatchGetItem``/``BatchPutItem``/``BatchDeleteItem`` → ``{data, unprocessedKeys|Items}``, data
  in request order with ``null`` for what was not found or not processed;
- ``TransactGetItems`` → ``{items, cancellationReasons}``, ``TransactWriteItems`` →
  ``{keys, cancellationReasons}``.

Every conditional write asks for ``ReturnValuesOnConditionCheckFailure: ALL_OLD`` so a failed
condition carries the item as it is now in the error's ``data``, as AppSync reports it.

boto3 is synchronous: calls run on a bounded thread pool (``maxConnections`` threads, the same
number of pooled HTTP connections), so the event loop never waits. Credentials come from the
standard AWS chain (environment, shared config and credentials files, ``profile``, container and
instance roles); the region from ``config.region`` or that chain; the endpoint from
``config.endpoint`` or ``AWS_ENDPOINT_URL_DYNAMODB`` (which botocore reads itself). Throttling
(``ProvisionedThroughputExceededException``, ``ThrottlingException``, ``RequestLimitExceeded``)
and transient errors are retried by botocore's retry handler with its exponential backoff
(``retryMode`` standard or adaptive, ``maxAttempts`` in total). Connect and read timeouts are
short by default so an unreachable endpoint fails the field within seconds instead of hanging it;
each failure becomes a GraphQL error with ``errorType`` ``DynamoDB:<exception name>``.

One module past 500 lines on purpose: it is the boto3 twin of ``data_source``, ``batch`` and
``transactions`` together, each operation a short translation sharing the typed-value and
expression-map helpers above it; split, the translation rules would scatter.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from resolvers.context import ResolverContext
from resolvers.dynamodb import requests as r
from resolvers.dynamodb import values as v
from resolvers.dynamodb.conditions import InvokeFunction, conditional_write
from resolvers.dynamodb.data_source import Operation, dispatch
from resolvers.dynamodb.errors import (
    CancellationCode,
    CancellationReason,
    ConditionalCheckFailed,
    InvalidRequest,
    TransactionCanceled,
    ValidationError,
)
from resolvers.dynamodb.model import TransactOperation
from resolvers.dynamodb.requests import Select
from resolvers.dynamodb.tokens import PageTokens, new_secret
from resolvers.dynamodb.values import AttributeValue, Item
from resolvers.registry import Runtime
from schema.errors import DefinitionError, ResolverError
from schema.model import DataSource

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

__all__ = ["AwsDynamoDBDataSource", "AwsSettings", "create_aws_data_source"]

_CONNECTIONS_KEY = "dynamodb.aws_connections"
_TOKENS_KEY = "dynamodb.aws_page_tokens"

Request = Mapping[str, Any]
Handler = Callable[[Request, "ResolverContext | None"], Awaitable[Any]]


@dataclass(frozen=True)
class AwsSettings:
    """How boto3 reaches DynamoDB; data sources with equal settings share one client and pool."""

    region: str | None = None
    endpoint: str | None = None
    """None: ``AWS_ENDPOINT_URL_DYNAMODB``/``AWS_ENDPOINT_URL`` or AWS's regional endpoint."""
    profile: str | None = None
    max_connections: int = 10
    """Bound on concurrent calls: worker threads and pooled HTTP connections."""
    max_attempts: int = 3
    """Attempts in total, retries included (botocore ``total_max_attempts``)."""
    retry_mode: str = "standard"
    connect_timeout: float = 2.0
    read_timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> AwsSettings:
        """Read a data source ``config``; ``schema.definition`` has checked types and ranges."""
        defaults = cls()
        return cls(
            region=config.get("region"),
            endpoint=config.get("endpoint"),
            profile=config.get("profile"),
            max_connections=int(config.get("maxConnections", defaults.max_connections)),
            max_attempts=int(config.get("maxAttempts", defaults.max_attempts)),
            retry_mode=str(config.get("retryMode", defaults.retry_mode)),
            connect_timeout=float(config.get("connectTimeout", defaults.connect_timeout)),
            read_timeout=float(config.get("readTimeout", defaults.read_timeout)),
        )


class AwsConnection:
    """One boto3 DynamoDB client and the bounded pool its blocking calls run on."""

    def __init__(self, settings: AwsSettings) -> None:
        import boto3
        from botocore.config import Config

        session = boto3.session.Session(profile_name=settings.profile)
        # botocore's retry handler backs off exponentially on throttling and transient errors.
        retries: Any = {"mode": settings.retry_mode, "total_max_attempts": settings.max_attempts}
        config = Config(
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            retries=retries,
            max_pool_connections=settings.max_connections,
        )
        self.client: DynamoDBClient = session.client(
            "dynamodb",
            region_name=settings.region,
            endpoint_url=settings.endpoint,
            config=config,
        )
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=settings.max_connections, thread_name_prefix="dynamodb-aws"
        )

    async def call(self, operation: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """Run ``client.<operation>(**arguments)`` on the pool; failures as ``ResolverError``."""
        loop = asyncio.get_running_loop()
        method = getattr(self.client, operation)
        try:
            return await loop.run_in_executor(self._executor, _call, method, arguments)
        except RuntimeError as error:  # the pool is shut down: the server is stopping
            raise ResolverError(str(error), "DynamoDB:ServiceUnavailable") from error

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        self.client.close()


def _call(method: Callable[..., Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    try:
        response: dict[str, Any] = method(**arguments)
    except ClientError as error:
        raise _client_error(error.response) from error
    except ParamValidationError as error:
        # botocore checks lengths and patterns before sending; DynamoDB would answer the same
        # request with a ValidationException, which is what AppSync reports.
        raise ValidationError(str(error)) from error
    except BotoCoreError as error:  # unreachable endpoint, timeouts, no credentials
        raise ResolverError(str(error), f"DynamoDB:{type(error).__name__}") from error
    return response


def _client_error(response: Mapping[str, Any]) -> ResolverError:
    details = response.get("Error", {})
    code = str(details.get("Code") or "InternalServerError")
    message = str(details.get("Message") or code)
    if code == "ConditionalCheckFailedException":
        item = _from_wire_item(response.get("Item"))
        return ConditionalCheckFailed(item, v.item_to_plain(item))
    if code == "TransactionCanceledException":
        reasons = [_cancellation_reason(r) for r in response.get("CancellationReasons", [])]
        return TransactionCanceled(reasons, v.item_to_plain)
    return ResolverError(message, f"DynamoDB:{code}")


def _cancellation_reason(reason: Mapping[str, Any]) -> CancellationReason:
    raw = reason.get("Code", "None")
    try:
        code = CancellationCode(raw)
    except ValueError:
        code = CancellationCode.VALIDATION_ERROR if raw.endswith("Error") else CancellationCode.NONE
    return CancellationReason(code, reason.get("Message"), _from_wire_item(reason.get("Item")))


# --- typed values on the wire ------------------------------------------------------------------
# AppSync's typed values hold binaries as base64 text; boto3's low-level client takes and returns
# them as bytes (it does the base64 itself), so B and BS convert at the boundary.


def _to_wire(value: AttributeValue) -> dict[str, Any]:
    kind = v.value_type(value)
    raw = value[kind]
    if kind == "B":
        return {"B": base64.b64decode(raw)}
    if kind == "BS":
        return {"BS": [base64.b64decode(m) for m in raw]}
    if kind == "L":
        return {"L": [_to_wire(m) for m in raw]}
    if kind == "M":
        return {"M": _to_wire_item(raw)}
    return value


def _to_wire_item(item: Mapping[str, AttributeValue]) -> dict[str, Any]:
    return {name: _to_wire(value) for name, value in item.items()}


def _from_wire(value: Mapping[str, Any]) -> AttributeValue:
    ((kind, raw),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(raw).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(m).decode("ascii") for m in raw]}
    if kind == "L":
        return {"L": [_from_wire(m) for m in raw]}
    if kind == "M":
        return {"M": {k: _from_wire(m) for k, m in raw.items()}}
    return {kind: raw}


def _from_wire_item(item: Mapping[str, Any] | None) -> Item | None:
    if item is None:
        return None
    return {name: _from_wire(value) for name, value in item.items()}


def _plain(item: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return v.item_to_plain(_from_wire_item(item))


# --- request fields ---------------------------------------------------------------------------
# Request objects are checked with the embedded data source's helpers (``requests``), so a
# malformed one is the same MappingTemplate error on both stores; expressions go to DynamoDB as
# they are, and DynamoDB judges them.


def _key(request: Request, field: str = "key") -> dict[str, Any]:
    return _to_wire_item(r.key(request, field))


def _item(request: Request) -> dict[str, Any]:
    """PutItem's item: ``attributeValues`` with ``key`` over them."""
    attributes = request.get("attributeValues")
    typed = v.validate_item(attributes, "attributeValues") if attributes else {}
    return _to_wire_item({**typed, **r.key(request)})


class _Expressions:
    """The ``ExpressionAttributeNames``/``Values`` of one call, merged from every section.

    AppSync builds DynamoDB's one pair of maps from each section's ``expressionNames`` and
    ``expressionValues``; DynamoDB itself then rejects unused or undefined placeholders.
    """

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def section(self, request: Request, field: str, *, required: bool = False) -> str | None:
        section = request.get(field)
        if section is None:
            if required:
                raise InvalidRequest(f"'{field}' is required: {{expression, expressionNames, ...}}")
            return None
        if not isinstance(section, Mapping) or not isinstance(section.get("expression"), str):
            raise InvalidRequest(f"'{field}' must be an object with an 'expression'")
        names = r.mapping(section.get("expressionNames") or {}, f"{field}.expressionNames")
        given = r.mapping(section.get("expressionValues") or {}, f"{field}.expressionValues")
        if given and field == "projection":
            raise InvalidRequest("'projection' takes expressionNames only")
        for key, name in names.items():
            if self.names.setdefault(key, name) != name:
                raise ValidationError(f"{key} is defined twice with different names")
        for key, raw in given.items():
            value = _to_wire(v.validate(raw, f"{field}.expressionValues.{key}"))
            if self.values.setdefault(key, value) != value:
                raise ValidationError(f"{key} is defined twice with different values")
        return str(section["expression"])

    def into(self, arguments: dict[str, Any], **fields: str | None) -> dict[str, Any]:
        """``arguments`` with the given expressions (None ones left out) and the maps."""
        arguments.update({k: text for k, text in fields.items() if text is not None})
        if self.names:
            arguments["ExpressionAttributeNames"] = self.names
        if self.values:
            arguments["ExpressionAttributeValues"] = self.values
        return arguments


def _batch_tables(request: Request) -> Mapping[str, Any]:
    tables = request.get("tables")
    if not isinstance(tables, Mapping) or not tables:
        raise InvalidRequest("'tables' is required: an object of table names")
    return tables


def _entries(raw: Any, where: str) -> list[dict[str, Any]]:
    entries = r.sequence(raw, where)
    if not entries:
        raise InvalidRequest(f"'{where}' must not be empty")
    return [_to_wire_item(v.validate_item(r.mapping(e, where), where)) for e in entries]


# --- the data source ----------------------------------------------------------------------


class AwsDynamoDBDataSource:
    """Executes AppSync DynamoDB request objects against a DynamoDB table through boto3.

    ``invoke_function`` runs a ``conditionalCheckFailedHandler``'s ``lambdaArn``, as for the
    embedded store (conditions.py).
    """

    def __init__(
        self,
        name: str,
        table_name: str,
        connection: AwsConnection,
        tokens: PageTokens,
        invoke_function: InvokeFunction | None = None,
    ) -> None:
        self.name = name
        self.table_name = table_name
        self.connection = connection
        self.tokens = tokens
        self.invoke_function = invoke_function
        self._handlers: dict[Operation, Handler] = {
            Operation.GET_ITEM: self.get_item,
            Operation.PUT_ITEM: self.put_item,
            Operation.UPDATE_ITEM: self.update_item,
            Operation.DELETE_ITEM: self.delete_item,
            Operation.QUERY: self.query,
            Operation.SCAN: self.scan,
            Operation.BATCH_GET_ITEM: self.batch_get_item,
            Operation.BATCH_PUT_ITEM: self.batch_put_item,
            Operation.BATCH_DELETE_ITEM: self.batch_delete_item,
            Operation.TRANSACT_GET_ITEMS: self.transact_get_items,
            Operation.TRANSACT_WRITE_ITEMS: self.transact_write_items,
        }

    async def invoke(self, request: Any, ctx: ResolverContext | None) -> Any:
        return await dispatch(self._handlers, request, ctx)

    async def _call(self, operation: str, arguments: dict[str, Any]) -> dict[str, Any]:
        return await self.connection.call(operation, arguments)

    # --- single items ------------------------------------------------------------------------

    async def get_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        expressions = _Expressions()
        projection = expressions.section(request, "projection")
        arguments: dict[str, Any] = {"TableName": self.table_name, "Key": _key(request)}
        if r.consistent_read(request):
            arguments["ConsistentRead"] = True
        response = await self._call(
            "get_item", expressions.into(arguments, ProjectionExpression=projection)
        )
        return _plain(response.get("Item"))

    async def put_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        item = _item(request)
        expressions = _Expressions()
        condition = expressions.section(request, "condition")
        arguments = expressions.into(
            {"TableName": self.table_name, "Item": item}, ConditionExpression=condition
        )

        async def attempt() -> Any:
            await self._call("put_item", _asking_for_the_item(arguments))
            return _plain(item)

        expected = _from_wire_item(item)
        return await self._conditional(Operation.PUT_ITEM, request, ctx, attempt, expected)

    async def update_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        expressions = _Expressions()
        update = expressions.section(request, "update", required=True)
        condition = expressions.section(request, "condition")
        arguments = expressions.into(
            {"TableName": self.table_name, "Key": _key(request), "ReturnValues": "ALL_NEW"},
            UpdateExpression=update,
            ConditionExpression=condition,
        )

        async def attempt() -> Any:
            response = await self._call("update_item", _asking_for_the_item(arguments))
            return _plain(response.get("Attributes"))

        return await self._conditional(Operation.UPDATE_ITEM, request, ctx, attempt, None)

    async def delete_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        expressions = _Expressions()
        condition = expressions.section(request, "condition")
        arguments = expressions.into(
            {"TableName": self.table_name, "Key": _key(request), "ReturnValues": "ALL_OLD"},
            ConditionExpression=condition,
        )

        async def attempt() -> Any:
            response = await self._call("delete_item", _asking_for_the_item(arguments))
            return _plain(response.get("Attributes"))

        return await self._conditional(Operation.DELETE_ITEM, request, ctx, attempt, None)

    async def _conditional(
        self,
        operation: Operation,
        request: Request,
        ctx: ResolverContext | None,
        attempt: Callable[[], Awaitable[Any]],
        expected: Item | None,
    ) -> Any:
        return await conditional_write(
            attempt,
            operation=operation.value,
            request=request,
            expected=expected,
            table=self.table_name,
            ctx=ctx,
            invoke=self.invoke_function,
            writers={
                Operation.PUT_ITEM.value: self.put_item,
                Operation.UPDATE_ITEM.value: self.update_item,
                Operation.DELETE_ITEM.value: self.delete_item,
            },
        )

    # --- pages ---------------------------------------------------------------------------

    def _scope(self, index: str | None) -> str:
        return f"{self.table_name}/{index or ''}"

    def _page_arguments(
        self, request: Request, expressions: _Expressions
    ) -> tuple[dict[str, Any], Select | None]:
        arguments: dict[str, Any] = {"TableName": self.table_name}
        index = request.get("index")
        if index is not None:
            if not isinstance(index, str):
                raise InvalidRequest("'index' must be the name of an index")
            arguments["IndexName"] = index
        limit = r.limit(request)
        if limit is not None:
            arguments["Limit"] = limit
        if r.consistent_read(request):
            arguments["ConsistentRead"] = True
        select = r.select(request)
        if select is not None:
            arguments["Select"] = select.value
        token = r.next_token(request)
        if token is not None:
            start = self.tokens.open(self._scope(index), token)
            arguments["ExclusiveStartKey"] = _to_wire_item(start)
        return arguments, select

    def _page_result(
        self, arguments: Mapping[str, Any], response: Mapping[str, Any], select: Select | None
    ) -> Any:
        last = _from_wire_item(response.get("LastEvaluatedKey"))
        scope = self._scope(arguments.get("IndexName"))
        result: dict[str, Any] = {
            "nextToken": self.tokens.issue(scope, last) if last else None,
            "scannedCount": response.get("ScannedCount", 0),
        }
        if select is Select.COUNT:
            return {"items": [], "count": response.get("Count", 0), **result}
        return {"items": [_plain(item) for item in response.get("Items", [])], **result}

    async def query(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        expressions = _Expressions()
        projection = expressions.section(request, "projection")
        arguments, select = self._page_arguments(request, expressions)
        key_condition = expressions.section(request, "query", required=True)
        filter = expressions.section(request, "filter")
        if not r.boolean(request, "scanIndexForward", True):
            arguments["ScanIndexForward"] = False
        expressions.into(
            arguments,
            KeyConditionExpression=key_condition,
            FilterExpression=filter,
            ProjectionExpression=projection,
        )
        return self._page_result(arguments, await self._call("query", arguments), select)

    async def scan(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        expressions = _Expressions()
        projection = expressions.section(request, "projection")
        arguments, select = self._page_arguments(request, expressions)
        filter = expressions.section(request, "filter")
        segment = r.segment(request)
        if segment is not None:
            arguments["Segment"], arguments["TotalSegments"] = segment
        expressions.into(arguments, FilterExpression=filter, ProjectionExpression=projection)
        return self._page_result(arguments, await self._call("scan", arguments), select)

    # --- batches (AppSync: "BatchGetItem", "BatchPutItem", "BatchDeleteItem") -------------

    async def batch_get_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        requested: dict[str, list[dict[str, Any]]] = {}
        arguments: dict[str, Any] = {}
        for table, raw in _batch_tables(request).items():
            spec = r.mapping(raw, f"tables.{table}")
            keys = _entries(spec.get("keys"), f"tables.{table}.keys")
            requested[table] = keys
            expressions = _Expressions()
            entry: dict[str, Any] = {"Keys": keys}
            if r.consistent_read(spec):
                entry["ConsistentRead"] = True
            projection = expressions.section(spec, "projection")
            arguments[table] = expressions.into(entry, ProjectionExpression=projection)
        response = await self._call("batch_get_item", {"RequestItems": arguments})
        found = response.get("Responses", {})
        unprocessed = response.get("UnprocessedKeys", {})
        data: dict[str, list[Any]] = {}
        for table, keys in requested.items():
            items = [_from_wire_item(i) or {} for i in found.get(table, [])]
            left = unprocessed.get(table, {}).get("Keys", [])
            data[table] = [
                None if key in left else v.item_to_plain(_match(key, items)) for key in keys
            ]
        return {
            "data": data,
            "unprocessedKeys": {
                t: [_plain(k) for k in unprocessed.get(t, {}).get("Keys", [])] for t in requested
            },
        }

    async def batch_put_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        requested = {
            table: _entries(items, f"tables.{table}")
            for table, items in _batch_tables(request).items()
        }
        writes = {t: [{"PutRequest": {"Item": i}} for i in items] for t, items in requested.items()}
        response = await self._call("batch_write_item", {"RequestItems": writes})
        left = response.get("UnprocessedItems", {})
        data: dict[str, list[Any]] = {}
        unprocessed: dict[str, list[Any]] = {}
        for table, items in requested.items():
            pending = [w["PutRequest"]["Item"] for w in left.get(table, []) if "PutRequest" in w]
            data[table] = [None if item in pending else _plain(item) for item in items]
            unprocessed[table] = [_plain(item) for item in pending]
        return {"data": data, "unprocessedItems": unprocessed}

    async def batch_delete_item(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        requested = {
            table: _entries(keys, f"tables.{table}")
            for table, keys in _batch_tables(request).items()
        }
        writes = {t: [{"DeleteRequest": {"Key": k}} for k in keys] for t, keys in requested.items()}
        response = await self._call("batch_write_item", {"RequestItems": writes})
        left = response.get("UnprocessedItems", {})
        data: dict[str, list[Any]] = {}
        unprocessed: dict[str, list[Any]] = {}
        for table, keys in requested.items():
            pending = [
                w["DeleteRequest"]["Key"] for w in left.get(table, []) if "DeleteRequest" in w
            ]
            data[table] = [None if key in pending else _plain(key) for key in keys]
            unprocessed[table] = [_plain(key) for key in pending]
        return {"data": data, "unprocessedKeys": unprocessed}

    # --- transactions (AppSync: "TransactGetItems", "TransactWriteItems") -----------------

    async def transact_get_items(self, request: Request, ctx: ResolverContext | None = None) -> Any:
        actions = []
        for entry in _transact_items(request):
            expressions = _Expressions()
            projection = expressions.section(entry, "projection")
            get = {"TableName": r.table_name(entry), "Key": _key(entry)}
            actions.append({"Get": expressions.into(get, ProjectionExpression=projection)})
        response = await self._call("transact_get_items", {"TransactItems": actions})
        return {
            "items": [_plain(found.get("Item")) for found in response.get("Responses", [])],
            "cancellationReasons": None,
        }

    async def transact_write_items(
        self, request: Request, ctx: ResolverContext | None = None
    ) -> Any:
        actions: list[dict[str, Any]] = []
        keys: list[dict[str, Any]] = []
        for index, entry in enumerate(_transact_items(request)):
            actions.append(_transact_write(entry, index))
            keys.append(_key(entry))
        await self._call("transact_write_items", {"TransactItems": actions})
        return {"keys": [_plain(key) for key in keys], "cancellationReasons": None}


def _asking_for_the_item(arguments: dict[str, Any]) -> dict[str, Any]:
    """A conditional write that brings back the item as it is when its condition fails."""
    if "ConditionExpression" not in arguments:
        return arguments
    return {**arguments, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}


def _transact_items(request: Request) -> list[Mapping[str, Any]]:
    entries = request.get("transactItems")
    if not isinstance(entries, list) or not entries:
        raise InvalidRequest("'transactItems' is required: a list of request items")
    return [r.mapping(entry, f"transactItems[{i}]") for i, entry in enumerate(entries)]


_TRANSACT_KINDS = {
    TransactOperation.PUT_ITEM: "Put",
    TransactOperation.UPDATE_ITEM: "Update",
    TransactOperation.DELETE_ITEM: "Delete",
    TransactOperation.CONDITION_CHECK: "ConditionCheck",
}


def _transact_write(entry: Mapping[str, Any], index: int) -> dict[str, Any]:
    try:
        operation = TransactOperation(str(entry.get("operation")))
    except ValueError:
        raise InvalidRequest(
            f"transactItems[{index}].operation must be one of "
            + ", ".join(o.value for o in TransactOperation)
        ) from None
    expressions = _Expressions()
    action: dict[str, Any] = {"TableName": r.table_name(entry)}
    if operation is TransactOperation.PUT_ITEM:
        action["Item"] = _item(entry)
    else:
        action["Key"] = _key(entry)
    update = None
    if operation is TransactOperation.UPDATE_ITEM:
        update = expressions.section(entry, "update", required=True)
    condition = expressions.section(entry, "condition")
    if operation is TransactOperation.CONDITION_CHECK and condition is None:
        raise InvalidRequest(f"transactItems[{index}]: a ConditionCheck needs a 'condition'")
    raw_condition = entry.get("condition")
    if isinstance(raw_condition, Mapping) and r.boolean(
        raw_condition, "returnValuesOnConditionCheckFailure", True
    ):
        action["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    expressions.into(action, UpdateExpression=update, ConditionExpression=condition)
    return {_TRANSACT_KINDS[operation]: action}


def _match(key: Mapping[str, Any], items: Sequence[Item]) -> Item | None:
    """The item of a BatchGetItem response with ``key`` (responses come in no order)."""
    wanted = _from_wire_item(key) or {}
    for item in items:
        if all(name in item and v.equals(item[name], value) for name, value in wanted.items()):
            return item
    return None


# --- registration (called by resolvers.dynamodb for ``store: aws``) ----------------------------


def create_aws_data_source(
    data_source: DataSource, runtime: Runtime, invoke_function: InvokeFunction | None = None
) -> AwsDynamoDBDataSource:
    table_name = str(data_source.config["tableName"])
    settings = AwsSettings.from_config(data_source.config)
    connections: dict[AwsSettings, AwsConnection] = runtime.shared.setdefault(_CONNECTIONS_KEY, {})
    connection = connections.get(settings)
    if connection is None:
        from botocore.exceptions import BotoCoreError

        try:
            connection = AwsConnection(settings)
        except BotoCoreError as error:  # no region, unknown profile
            raise DefinitionError(
                data_source.location, f"data source {data_source.name} (store: aws): {error}"
            ) from error
        connections[settings] = connection
        runtime.exit_stack.callback(connection.close)
    secret = data_source.config.get("nextTokenSecret")
    if secret is not None:
        tokens = PageTokens(str(secret).encode("utf-8"))
    else:
        # Deviation from AppSync, whose tokens work on any of its hosts: without a configured
        # secret, tokens are valid only in the process that issued them.
        tokens = runtime.shared.setdefault(_TOKENS_KEY, PageTokens(new_secret()))
    return AwsDynamoDBDataSource(data_source.name, table_name, connection, tokens, invoke_function)
