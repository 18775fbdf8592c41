"""``syncline cache flush``: empty an API's cache, as ``aws appsync flush-api-cache`` does.

    syncline cache flush [API_DIR] [--redis-url URL] [--url URL] [--admin-key KEY]

With ``--redis-url`` (or ``SYNCLINE_REDIS_URL``) the API's entries are removed from Redis
directly: every server process sharing that Redis sees it at once, and no server needs to run.
Otherwise the running server at ``--url`` (default ``http://$SYNCLINE_HOST:$SYNCLINE_PORT``, i.e.
``http://127.0.0.1:8000``) is asked to flush its in-process cache through its ``FlushApiCache``
endpoint (``cache.routes``), with the admin key (``--admin-key`` / ``SYNCLINE_ADMIN_KEY``) when
one is given, else SigV4-signed with the first ``AWS_IAM`` access key of ``syncline.yml``.
With ``syncline serve --workers N`` and no Redis every worker has its own memory cache and one
request reaches one worker: use Redis for a cache that several processes share.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from auth.iam import access_keys
from auth.identity import api_id
from cache.backends.redis import RedisBackend
from cache.routes import ADMIN_KEY_HEADER, FLUSHED_HEADER
from schema.definition import load_definition
from schema.errors import InvalidDefinition
from schema.model import ApiDefinition, AuthMode


def add_cache_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    env: Callable[[str, str | None], str | None],
    default_api_dir: str,
) -> None:
    parser = commands.add_parser("cache", help="manage the API cache (flush)")
    actions = parser.add_subparsers(dest="cache_command", required=True)
    flush = actions.add_parser("flush", help="remove every entry of the API's cache")
    flush.add_argument("api_dir", nargs="?", default=env("API_DIR", default_api_dir))
    flush.add_argument("--redis-url", default=env("REDIS_URL", None))
    host, port = env("HOST", "127.0.0.1"), env("PORT", "8000")
    flush.add_argument("--url", default=f"http://{host}:{port}", help="the running server")
    flush.add_argument("--admin-key", default=env("ADMIN_KEY", None))
    flush.add_argument("--timeout", type=float, default=10.0)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _entries(count: int | str) -> str:
    return f"{count} {'entry' if str(count) == '1' else 'entries'}"


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (
        f":{parts.port}" if parts.port else ""
    )
    return urlunsplit(parts._replace(netloc=netloc))


async def _flush_redis(url: str, namespace: str) -> int:
    backend = RedisBackend(url, namespace, connect_timeout=5, reply_timeout=30)
    try:
        return await backend.flush()
    finally:
        await backend.close()


def _signed_headers(api: ApiDefinition, method: str, url: str) -> dict[str, str] | None:
    """SigV4 headers (service ``appsync``) with the API's first access key, if it has one."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    for provider in api.auth_providers:
        if provider.mode is not AuthMode.AWS_IAM:
            continue
        for key in access_keys(provider).values():
            request = AWSRequest(method=method, url=url, data=b"")
            credentials = Credentials(key.access_key_id, key.secret_access_key, key.session_token)
            SigV4Auth(credentials, "appsync", key.region).add_auth(request)
            return dict(request.headers.items())
    return None


def _flush_server(args: argparse.Namespace, api: ApiDefinition) -> int:
    url = f"{args.url.rstrip('/')}/v1/apis/{api_id(api.name)}/FlushCache"
    if args.admin_key:
        headers: dict[str, str] | None = {ADMIN_KEY_HEADER: args.admin_key}
    else:
        headers = _signed_headers(api, "DELETE", url)
    if headers is None:
        return _fail(
            "give the server's admin key (--admin-key or SYNCLINE_ADMIN_KEY), or declare an "
            "AWS_IAM access key in syncline.yml to sign the request with"
        )
    try:
        response = httpx.delete(url, headers=headers, timeout=args.timeout)
    except httpx.TransportError as error:
        return _fail(
            f"no Syncline server answers at {args.url} ({error}); start one, or flush a Redis "
            "cache with --redis-url"
        )
    if response.status_code != 200:
        return _fail(f"the server refused the flush ({response.status_code}): {response.text}")
    count = response.headers.get(FLUSHED_HEADER, "?")
    print(f"flushed the {api.name} cache of {args.url} ({_entries(count)})")
    return 0


def cache_command(args: argparse.Namespace) -> int:
    try:
        api = load_definition(Path(args.api_dir))
    except InvalidDefinition as invalid:
        for error in invalid.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    if api.caching is None:
        print(f"{api.name} has no appSync.caching: nothing to flush")
        return 0
    if args.redis_url:
        try:
            removed = asyncio.run(_flush_redis(args.redis_url, api_id(api.name)))
        except Exception as error:
            return _fail(f"flushing Redis at {_redacted(args.redis_url)} failed: {error}")
        print(f"flushed the {api.name} cache in {_redacted(args.redis_url)} ({_entries(removed)})")
        return 0
    return _flush_server(args, api)
