"""The HTTP data source kind: ``data_source`` (request object → httpx), ``sigv4`` (outbound
signing), ``errors``.

Each data source gets its own ``httpx.AsyncClient`` (its own connection pool), closed with the
server. With Syncline's ``service: <name>`` instead of an ``endpoint``, the client reaches the API
folder's service in process (``resolvers.services``).
"""

from __future__ import annotations

import httpx

from resolvers.http.data_source import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, HttpDataSource
from resolvers.http.sigv4 import SigV4Signer
from resolvers.registry import DataSourceClient, Runtime, register
from resolvers.services import services_for
from schema.definition import HttpAuthorizationType
from schema.model import DataSource, DataSourceKind

LOCAL_SERVICE_ORIGIN = "http://localhost"


@register(DataSourceKind.HTTP)
def http_data_source(config: DataSource, runtime: Runtime) -> DataSourceClient:
    values = config.config
    timeout = float(values.get("timeout", DEFAULT_TIMEOUT))
    service = values.get("service")
    if service is not None:
        transport = httpx.ASGITransport(app=services_for(runtime)[str(service)])
        client = httpx.AsyncClient(transport=transport, timeout=timeout)
        endpoint = LOCAL_SERVICE_ORIGIN
    else:
        client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        endpoint = str(values["endpoint"])
    runtime.exit_stack.push_async_callback(client.aclose)
    signer = None
    authorization = values.get("authorizationConfig") or {}
    iam = authorization.get("awsIamConfig") or {}
    if authorization.get("authorizationType") == HttpAuthorizationType.AWS_IAM:
        signer = SigV4Signer(
            str(iam["signingRegion"]), str(iam["signingServiceName"]), values.get("credentials")
        )
    return HttpDataSource(
        config.name,
        endpoint,
        client,
        timeout=timeout,
        max_response_bytes=int(values.get("maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES)),
        signer=signer,
    )
