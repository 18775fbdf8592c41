"""The HTTP data source kind: ``data_source`` (request object → httpx), ``sigv4`` (outbound
signing), ``errors``.

Each data source gets its own ``httpx.AsyncClient`` (its own connection pool), closed with the
server. With Syncline's ``service: <name>`` instead of an ``endpoint``, the client reaches the API
folder's service in process (``resolvers.services``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from resolvers.http.data_source import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT, HttpDataSource
from resolvers.http.sigv4 import SigV4Signer
from resolvers.registry import DataSourceClient, Runtime, register
from resolvers.services import services_for
from schema.definition import HttpAuthorizationType
from schema.model import DataSource, DataSourceKind

if TYPE_CHECKING:
    import httpx

LOCAL_SERVICE_ORIGIN = "http://localhost"


@register(DataSourceKind.HTTP)
def http_data_source(config: DataSource, runtime: Runtime) -> DataSourceClient:
    values = config.config
    timeout = float(values.get("timeout", DEFAULT_TIMEOUT))
    service = values.get("service")
    # The client (and httpx) is made at the first request; the service app is found now, so a
    # bad `service:` still fails at start-up.
    app = services_for(runtime)[str(service)] if service is not None else None

    def client() -> httpx.AsyncClient:
        import httpx

        if app is not None:
            return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=timeout)
        return httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    endpoint = LOCAL_SERVICE_ORIGIN if service is not None else str(values["endpoint"])
    signer = None
    authorization = values.get("authorizationConfig") or {}
    iam = authorization.get("awsIamConfig") or {}
    if authorization.get("authorizationType") == HttpAuthorizationType.AWS_IAM:
        signer = SigV4Signer(
            str(iam["signingRegion"]), str(iam["signingServiceName"]), values.get("credentials")
        )
    source = HttpDataSource(
        config.name,
        endpoint,
        client,
        timeout=timeout,
        max_response_bytes=int(values.get("maxResponseBytes", DEFAULT_MAX_RESPONSE_BYTES)),
        signer=signer,
    )
    runtime.exit_stack.push_async_callback(source.aclose)
    return source
