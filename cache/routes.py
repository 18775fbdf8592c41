"""HTTP routes of the API cache: ``GET /metrics`` and AppSync's ``FlushApiCache``.

``DELETE /v1/apis/{apiId}/FlushCache`` is AppSync's control-plane operation (AppSync API
Reference, "FlushApiCache"), so ``aws appsync flush-api-cache --api-id <id> --endpoint-url
http://127.0.0.1:8000`` and boto3's ``appsync.flush_api_cache`` work against Syncline. The API id
is the one ``syncline serve`` derives from the API's name (``auth.identity.api_id``). Success is
200 with an empty body (Syncline adds the ``x-syncline-flushed-entries`` header).

Who may flush: a caller whose request is SigV4-signed (service ``appsync``) with one of the API's
``AWS_IAM`` access keys, verified by the API's own IAM authorizer, or one that sends the server's
admin key (``--admin-key``) in ``x-syncline-admin-key``. The API's ordinary API keys never can:
``x-api-key`` is not looked at, and the admin key may not equal an API key. Refusals use
AppSync's shapes (401 ``UnauthorizedException``; 403 with the SigV4 error types).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from auth.errors import NOT_AUTHORIZED, AuthFailure
from auth.identity import api_id
from auth.modes import Authorizer, Credentials, HttpCall
from cache.api_cache import ApiCache
from cache.metrics import CONTENT_TYPE
from schema.model import AuthMode

log = logging.getLogger("syncline.cache")

METRICS_PATH = "/metrics"
FLUSH_PATH = "/v1/apis/{api_id}/FlushCache"
ADMIN_KEY_HEADER = "x-syncline-admin-key"
FLUSHED_HEADER = "x-syncline-flushed-entries"
MIN_ADMIN_KEY_LENGTH = 16


def check_admin_key(admin_key: str | None, api_keys: Sequence[str]) -> None:
    """Refuse (at start-up) an admin key that is short or that is one of the API's API keys."""
    if admin_key is None:
        return
    if len(admin_key) < MIN_ADMIN_KEY_LENGTH:
        raise ValueError(f"the admin key needs at least {MIN_ADMIN_KEY_LENGTH} characters")
    if any(hmac.compare_digest(admin_key.encode(), key.encode()) for key in api_keys):
        raise ValueError("the admin key must not be one of the API's API keys")


def _error(status: int, error_type: str, message: str) -> Response:
    return JSONResponse(
        {"errors": [{"errorType": error_type, "message": message}]},
        status,
        headers={"x-amzn-ErrorType": error_type},
    )


def _http_call(request: Request, body: bytes) -> HttpCall:
    client = request.client
    return HttpCall(
        method=request.method,
        scheme=request.url.scheme,
        host=request.headers.get("host", ""),
        path=request.url.path,
        query=request.url.query,
        headers=request.headers,
        body=body,
        source_ip=client.host if client else None,
        raw_path=request.scope.get("raw_path", b"").decode("latin-1") or None,
    )


class FlushEndpoint:
    def __init__(
        self,
        cache: ApiCache | None,
        api_name: str,
        iam: Authorizer | None,
        admin_key: str | None,
    ) -> None:
        self.cache = cache
        self.api_id = api_id(api_name)
        self.iam = iam
        self.admin_key = admin_key.encode() if admin_key else None

    async def _authorized(self, request: Request) -> Response | None:
        """None when the caller may flush; else the refusal."""
        given = request.headers.get(ADMIN_KEY_HEADER)
        if given is not None and self.admin_key is not None:
            if hmac.compare_digest(given.encode(), self.admin_key):
                return None
            return _error(401, "UnauthorizedException", NOT_AUTHORIZED)
        credentials = Credentials(request.headers)
        if self.iam is not None and not credentials.too_long() and self.iam.claims(credentials):
            try:
                await self.iam.authorize(_http_call(request, await request.body()), credentials)
            except AuthFailure as failure:
                return JSONResponse(failure.body, failure.status, headers=failure.headers)
            return None
        return _error(401, "UnauthorizedException", NOT_AUTHORIZED)

    async def handle(self, request: Request) -> Response:
        refusal = await self._authorized(request)
        if refusal is not None:
            return refusal
        if request.path_params["api_id"] != self.api_id:
            return _error(
                404, "NotFoundException", f"GraphQL API {request.path_params['api_id']} not found."
            )
        if self.cache is None:
            return _error(404, "NotFoundException", "The API has no cache (appSync.caching).")
        try:
            removed = await self.cache.flush()
        except Exception:
            log.exception("flushing the cache failed")
            return _error(500, "InternalFailureException", "The cache could not be flushed.")
        return Response(status_code=200, headers={FLUSHED_HEADER: str(removed)})


def cache_routes(
    cache: ApiCache | None,
    api_name: str,
    authorizers: Sequence[Authorizer],
    api_keys: Sequence[str],
) -> list[BaseRoute]:
    """``/metrics`` and the flush endpoint; raises ``ValueError`` for an unusable admin key."""
    admin_key = cache.settings.admin_key if cache is not None else None
    check_admin_key(admin_key, api_keys)
    iam = next((a for a in authorizers if a.mode is AuthMode.AWS_IAM), None)
    flush = FlushEndpoint(cache, api_name, iam, admin_key)

    async def metrics(_: Request) -> Response:
        text = cache.metrics_text() if cache is not None else ""
        return Response(text, media_type=CONTENT_TYPE)

    return [
        Route(METRICS_PATH, metrics, methods=["GET"]),
        Route(FLUSH_PATH, flush.handle, methods=["DELETE"]),
    ]
