"""The HTTP data source: AppSync's HTTP request object, sent with httpx.

AppSync developer guide, "AWS AppSync JavaScript resolver function reference for HTTP":

- the request is ``{method, resourcePath, params: {query, headers, body}}``, sent to the data
  source's ``endpoint`` + ``resourcePath``; ``body`` is a string (Syncline also accepts a
  dict or list, sent as JSON with ``content-type: application/json`` unless one is given);
- ``ctx.result`` is ``{statusCode, headers, body}`` with the body as text, whatever the status.

One ``httpx.AsyncClient`` per data source keeps HTTP/1.1 connections alive between requests.
Every request has a deadline (``timeout``, default 10 s) covering connect, send, and reading the
whole body, and a body limit (``maxResponseBytes``, default 5 MB) enforced while reading; a
refused, reset or timed-out request becomes a field error (``resolvers.http.errors``), never a
hang or a failed GraphQL response.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from resolvers.context import ResolverContext
from resolvers.http.errors import HttpError, HttpErrorType, InvalidHttpRequest
from resolvers.http.sigv4 import SigV4Signer

if TYPE_CHECKING:
    # httpx loads with the first request (``HttpDataSource.client``): a Lambda cold start whose
    # first request reaches no HTTP data source does not pay for it (bench/cold_start.py).
    import httpx

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class HttpMethod(StrEnum):
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    HEAD = "HEAD"
    OPTIONS = "OPTIONS"


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: HttpMethod
    resource_path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes

    @classmethod
    def parse(cls, request: Any) -> HttpRequest:
        if not isinstance(request, Mapping):
            raise InvalidHttpRequest("an HTTP request must be an object")
        method = str(request.get("method", "GET")).upper()
        if method not in tuple(HttpMethod):
            raise InvalidHttpRequest(f"unsupported HTTP method {method!r}")
        resource_path = request.get("resourcePath", "")
        if not isinstance(resource_path, str) or not resource_path.startswith("/"):
            raise InvalidHttpRequest("resourcePath must be a string starting with '/'")
        params = request.get("params") or {}
        if not isinstance(params, Mapping):
            raise InvalidHttpRequest("params must be an object")
        headers = _strings(params.get("headers"), "params.headers")
        body = params.get("body")
        if body is None:
            encoded = b""
        elif isinstance(body, str):
            encoded = body.encode()
        elif isinstance(body, bytes):
            encoded = body
        else:
            try:
                encoded = json.dumps(body, separators=(",", ":")).encode()
            except (TypeError, ValueError) as error:
                raise InvalidHttpRequest(f"params.body is not JSON: {error}") from error
            if not any(name.lower() == "content-type" for name in headers):
                headers["content-type"] = "application/json"
        query: list[tuple[str, str]] = []
        for name, value in _items(params.get("query"), "params.query"):
            values = value if isinstance(value, list) else [value]
            query += [(name, _scalar(item, f"params.query.{name}")) for item in values]
        return cls(HttpMethod(method), resource_path, query, headers, encoded)


def _items(value: Any, where: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, Mapping):
        raise InvalidHttpRequest(f"{where} must be an object")
    return [(str(name), item) for name, item in value.items()]


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise InvalidHttpRequest(f"{where} must be a string, number or boolean")


def _strings(value: Any, where: str) -> dict[str, str]:
    return {name: _scalar(item, f"{where}.{name}") for name, item in _items(value, where)}


class HttpDataSource:
    def __init__(
        self,
        name: str,
        endpoint: str,
        client: httpx.AsyncClient | Callable[[], httpx.AsyncClient],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        signer: SigV4Signer | None = None,
    ) -> None:
        """``client``: the data source's client, or a function making it at the first request."""
        self.name = name
        self.endpoint = endpoint.rstrip("/")
        self._client = None if callable(client) else client
        self._make_client = client if callable(client) else None
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes
        self.signer = signer

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            assert self._make_client is not None
            self._client = self._make_client()
        return self._client

    async def aclose(self) -> None:
        """Close the client, if a request made one."""
        if self._client is not None:
            await self._client.aclose()

    async def invoke(self, request: Any, ctx: ResolverContext) -> Any:
        import httpx

        call = HttpRequest.parse(request)
        url = self.endpoint + call.resource_path
        if call.query:
            url += ("&" if "?" in url else "?") + urlencode(call.query, quote_via=quote)
        headers = call.headers
        if self.signer is not None:
            headers = await self.signer.sign(call.method, url, headers, call.body)
        try:
            async with asyncio.timeout(self.timeout):
                return await self._send(call.method, url, headers, call.body)
        except TimeoutError:
            raise self._failure(
                HttpErrorType.TIMEOUT, url, f"no response within {self.timeout:g} s"
            ) from None
        except httpx.ConnectError as error:
            raise self._failure(HttpErrorType.CONNECTION_REFUSED, url, error) from error
        except httpx.TimeoutException as error:
            raise self._failure(HttpErrorType.TIMEOUT, url, error) from error
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            raise self._failure(HttpErrorType.CONNECTION_RESET, url, error) from error
        except httpx.HTTPError as error:
            raise self._failure(HttpErrorType.ERROR, url, error) from error

    def _failure(self, error_type: HttpErrorType, url: str, reason: object) -> HttpError:
        detail = str(reason) or type(reason).__name__
        return HttpError(error_type, f"{self.name}: {url.split('?')[0]}: {detail}")

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> dict[str, Any]:
        limit = self.max_response_bytes
        async with self.client.stream(method, url, headers=headers, content=body) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise self._too_large(url, f"the upstream declares {declared} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise self._too_large(url, f"more than {limit} bytes arrived")
                chunks.append(chunk)
            text = b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
            return {
                "statusCode": response.status_code,
                "headers": dict(response.headers),
                "body": text,
            }

    def _too_large(self, url: str, detail: str) -> HttpError:
        limit = self.max_response_bytes
        message = f"the response body exceeds maxResponseBytes ({limit} bytes): {detail}"
        return self._failure(HttpErrorType.RESPONSE_TOO_LARGE, url, message)
