"""The AWS_LAMBDA data source kind, its runtimes and the Lambda Invoke endpoint.

- ``data_source``: AppSync's Lambda request object (Invoke, BatchInvoke, Event) → a function;
- ``functions``: the API's functions by name, each behind its runtime (``functions:`` config);
- ``local`` (+ ``worker``): Python handlers in a pool of warm worker processes;
- ``aws``: deployed functions through boto3;
- ``batch``: per-request BatchInvoke batching;
- ``endpoint``: ``POST /2015-03-31/functions/{name}/invocations`` serving the local functions.
"""

from __future__ import annotations

from resolvers.lambda_.data_source import LambdaDataSource
from resolvers.lambda_.functions import functions_for
from resolvers.registry import DataSourceClient, Runtime, register
from schema.model import DataSource, DataSourceKind


@register(DataSourceKind.AWS_LAMBDA)
def lambda_data_source(config: DataSource, runtime: Runtime) -> DataSourceClient:
    function = functions_for(runtime).for_data_source(config)
    return LambdaDataSource(config.name, function)
