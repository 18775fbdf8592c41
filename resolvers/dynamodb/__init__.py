"""The AMAZON_DYNAMODB data source, on Syncline's embedded table store.

Modules, following a request's path:

- ``data_source``: ``DynamoDBDataSource`` — AppSync's DynamoDB request objects (GetItem … Scan,
  batches in ``batch``, transactions in ``transactions``, failed-condition handling in
  ``conditions``), their fields read by ``requests``;
- ``store``: ``TableStore`` — the tables on SQLite (``database``), one worker thread, the public
  API the data source and the ``/dynamodb`` wire endpoint share (``model`` holds its types);
  ``items`` is the engine inside one SQLite transaction;
- ``expressions``, ``values``, ``tokens``, ``reserved``: DynamoDB's expression languages, typed
  values, signed ``nextToken``s, reserved words;
- ``helpers``: the request builders resolver code imports as ``syncline.ddb``;
- ``cli``: ``syncline tables list|import|export``.

One ``TableStore`` serves every DynamoDB data source of an API (kept in ``Runtime.shared``) and
is opened while the API binds, so a data-file problem is a start-up error; each data source
names its ``config.tableName``: a table declared in ``tables:`` or created through the
``/dynamodb`` endpoint (``endpoint``), and one that does not exist yet is a start-up warning
with file and line, not an error, so a setup script can create it on the running server.
``config.store: aws`` binds the data source to DynamoDB through boto3 instead (``aws``).
"""

from __future__ import annotations

import logging
from typing import Any

from resolvers.dynamodb.conditions import InvokeFunction
from resolvers.dynamodb.data_source import DynamoDBDataSource, Operation
from resolvers.dynamodb.errors import InvalidRequest
from resolvers.dynamodb.store import TableStore
from resolvers.lambda_.data_source import invoke_function
from resolvers.lambda_.functions import functions_for
from resolvers.lambda_.invocation import InvocationType
from resolvers.registry import DataSourceClient, Runtime, register
from schema.errors import DefinitionError
from schema.model import DataSource, DataSourceKind, KeySchema, Table, TableStoreKind

log = logging.getLogger(__name__)

__all__ = [
    "DynamoDBDataSource",
    "Operation",
    "TableStore",
    "create_dynamodb_data_source",
    "start_table_store",
    "table_store",
]

_STORE_KEY = "dynamodb.table_store"


def table_store(runtime: Runtime) -> TableStore:
    """The API's one embedded store, opened on first use and closed with the runtime.

    Opening here (at bind time, before the event loop serves anything) makes a data file that
    cannot be opened, or whose tables changed incompatibly, a start-up error.
    """
    store = runtime.shared.get(_STORE_KEY)
    if store is None:
        store = TableStore(runtime.api.tables, runtime.data_dir)
        runtime.shared[_STORE_KEY] = store
        runtime.exit_stack.push_async_callback(store.close)
        store.open_blocking()
    assert isinstance(store, TableStore)
    return store


async def start_table_store(runtime: Runtime) -> None:
    """Server start-up (the app's lifespan): open the store and start deleting expired items.

    Also without declared tables once the ``/dynamodb`` endpoint made the store: tables created
    through it may have TTL too."""
    if not runtime.api.tables and _STORE_KEY not in runtime.shared:
        return
    store = table_store(runtime)
    await store.open()
    store.start_ttl_sweeper()


def _function_invoker(runtime: Runtime) -> InvokeFunction:
    """``conditionalCheckFailedHandler.lambdaArn`` → the API's local function of that name."""

    async def invoke(arn: str, payload: Any) -> Any:
        function = functions_for(runtime).local(arn)
        if function is None:
            raise InvalidRequest(
                f"conditionalCheckFailedHandler.lambdaArn {arn!r} names no local function of "
                "the functions: block"
            )
        return await invoke_function(function, payload, InvocationType.REQUEST_RESPONSE)

    return invoke


@register(DataSourceKind.AMAZON_DYNAMODB)
def create_dynamodb_data_source(data_source: DataSource, runtime: Runtime) -> DataSourceClient:
    table_name = data_source.config.get("tableName")
    if not isinstance(table_name, str) or not table_name:
        raise DefinitionError(
            data_source.location,
            f"data source {data_source.name}: config.tableName is required for AMAZON_DYNAMODB",
        )
    if data_source.config.get("store") == TableStoreKind.AWS:
        from resolvers.dynamodb.aws import create_aws_data_source  # boto3 loads only when used

        return create_aws_data_source(data_source, runtime, _function_invoker(runtime))
    try:
        store = table_store(runtime)
    except DefinitionError as error:
        raise DefinitionError(error.location or data_source.location, error.message) from error
    table = store.tables.get(table_name)  # declared, or created through /dynamodb earlier
    if table is None:
        # A table CreateTable will make on the running server (docs/dynamodb-endpoint.md,
        # "Tables"): the data source reaches its table by name at each request, so it works
        # once the table exists; until then requests fail with ResourceNotFoundException, as
        # AppSync's do against a missing AWS table. Said at start-up, so a typo shows.
        log.warning(
            "%s: data source %s: table %s is not declared in tables: and does not exist yet; "
            "its requests fail with DynamoDB:ResourceNotFoundException until it is created "
            "(CreateTable on the /dynamodb endpoint)",
            data_source.location,
            data_source.name,
            table_name,
        )
        table = Table(table_name, KeySchema(""), (), (), None, data_source.location)
    return DynamoDBDataSource(data_source.name, table, store, _function_invoker(runtime))
