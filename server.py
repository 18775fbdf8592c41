"""Syncline's command line (``syncline serve|validate|token|tables``) and ``create_app``.

Every flag also reads a ``SYNCLINE_*`` environment variable (``--port`` ↔ ``SYNCLINE_PORT``);
a flag given on the command line wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Lambda imports this module for `lambda_handler` alone (docs/deploy.md), so what only the CLI
# and `syncline serve` use — argparse, uvicorn, the full app, the subcommands — is imported
# where it is used, not here (bench/cold_start.py; tests/deploy/test_cold_start_imports.py).
if TYPE_CHECKING:
    import argparse

    from cache.api_cache import CacheSettings
    from web.api import LoadedApi
    from web.app import create_app

__all__ = ["create_app", "lambda_handler", "main"]


def __getattr__(name: str) -> Any:
    # `server.create_app`, the public name, loads the full app on first access (PEP 562).
    if name == "create_app":
        from web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_API_DIR = "examples/orders"
DEFAULT_DATA_DIR = ".syncline/data"
"""Tables, the local issuer's key and other state; ``--data-dir ''`` keeps tables in memory."""
_DEFAULTS = {"DATA_DIR": DEFAULT_DATA_DIR}
"""Defaults every subcommand shares, so ``serve``, ``token`` and ``tables`` use one data dir."""


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(
        f"SYNCLINE_{name}", default if default is not None else _DEFAULTS.get(name)
    )


def _parser() -> argparse.ArgumentParser:
    import argparse

    from auth.cli import add_token_command
    from cache.backends import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES
    from cache.cli import add_cache_command
    from deploy.package import add_package_command
    from resolvers.dynamodb.cli import add_tables_command

    parser = argparse.ArgumentParser(prog="syncline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve an API over HTTP and WebSocket")
    serve.add_argument("api_dir", nargs="?", default=_env("API_DIR", DEFAULT_API_DIR))
    serve.add_argument("--host", default=_env("HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(_env("PORT", "8000") or 8000))
    serve.add_argument(
        "--data-dir",
        default=_env("DATA_DIR"),
        help=f"where tables and keys live (default {DEFAULT_DATA_DIR}; '' keeps tables in memory)",
    )
    serve.add_argument("--redis-url", default=_env("REDIS_URL"))
    # The API cache (docs/caching.md): bounds of the in-process cache, and who may flush it.
    serve.add_argument(
        "--cache-max-entries",
        type=int,
        default=int(_env("CACHE_MAX_ENTRIES", str(DEFAULT_MAX_ENTRIES)) or DEFAULT_MAX_ENTRIES),
    )
    serve.add_argument(
        "--cache-max-bytes",
        type=int,
        default=int(_env("CACHE_MAX_BYTES", str(DEFAULT_MAX_BYTES)) or DEFAULT_MAX_BYTES),
    )
    serve.add_argument(
        "--admin-key", default=_env("ADMIN_KEY"), help="may flush the API cache over HTTP"
    )
    serve.add_argument("--ssl-certfile", default=_env("SSL_CERTFILE"))
    serve.add_argument("--ssl-keyfile", default=_env("SSL_KEYFILE"))
    serve.add_argument("--workers", type=int, default=int(_env("WORKERS", "1") or 1))
    serve.add_argument("--log-level", default=_env("LOG_LEVEL", "info"))
    serve.add_argument(
        "--graceful-timeout",
        type=float,
        default=float(_env("GRACEFUL_TIMEOUT", "0") or 0) or None,
        help="seconds in-flight requests may take after SIGTERM (default: no limit)",
    )
    serve.add_argument(
        "--dynamodb-port",
        type=int,
        default=int(_env("DYNAMODB_PORT", "0") or 0) or None,
        help="also serve the embedded tables' DynamoDB endpoint at / on this port",
    )

    validate = commands.add_parser(
        "validate", help="check an API definition and report every error"
    )
    validate.add_argument("api_dir", nargs="?", default=_env("API_DIR", DEFAULT_API_DIR))

    add_token_command(commands, _env, DEFAULT_API_DIR)  # docs/auth.md, "Local token issuer"
    add_package_command(commands, _env, DEFAULT_API_DIR)  # docs/deploy.md, "Lambda"
    add_tables_command(commands, _env, DEFAULT_API_DIR)  # docs/dynamodb.md, "syncline tables"
    add_cache_command(commands, _env, DEFAULT_API_DIR)  # docs/caching.md, "Flushing"
    return parser


def summary(api: LoadedApi) -> str:
    from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

    named = [
        t
        for name, t in api.schema.graphql.type_map.items()
        if not name.startswith("__")
        and isinstance(t, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType)
    ]
    fields = sum(len(t.fields) for t in named)
    definition = api.definition
    return (
        f"{definition.name}: valid — {len(named)} types, {fields} fields, "
        f"{len(definition.resolvers)} resolvers, {len(definition.data_sources)} data sources"
    )


def _cache_settings(
    redis_url: str | None, max_entries: Any, max_bytes: Any, admin_key: str | None
) -> CacheSettings:
    from cache.api_cache import CacheSettings
    from cache.backends import DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES

    return CacheSettings(
        redis_url=redis_url or None,
        max_entries=int(max_entries or DEFAULT_MAX_ENTRIES),
        max_bytes=int(max_bytes or DEFAULT_MAX_BYTES),
        admin_key=admin_key or None,
    )


def _load(
    api_dir: str, data_dir: str | None, cache: CacheSettings | None = None
) -> LoadedApi | None:
    from schema.errors import InvalidDefinition
    from web.api import load_api

    try:
        return load_api(Path(api_dir), Path(data_dir) if data_dir else None, cache)
    except InvalidDefinition as invalid:
        for error in invalid.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(invalid.errors)} error(s); the API definition is not valid", file=sys.stderr)
        return None


def _app_from_environment() -> object:
    """uvicorn factory for ``--workers N``: each worker process loads the API itself."""
    from web.app import create_app

    data_dir = _env("DATA_DIR")
    return create_app(
        Path(_env("API_DIR", DEFAULT_API_DIR) or DEFAULT_API_DIR),
        Path(data_dir) if data_dir else None,
        redis_url=_env("REDIS_URL"),
        cache=_cache_settings(
            _env("REDIS_URL"),
            _env("CACHE_MAX_ENTRIES"),
            _env("CACHE_MAX_BYTES"),
            _env("ADMIN_KEY"),
        ),
    )


def workers_warning(workers: int, redis_url: str | None, *, cached: bool) -> str | None:
    """What ``--workers N`` without ``--redis-url`` leaves per process, or None.

    Each worker then has its own subscription broker and API cache: a mutation reaches the
    subscribers of its own worker only, and a flush or eviction one worker's cache
    (docs/subscriptions.md, "Brokers"; docs/caching.md)."""
    if workers <= 1 or redis_url:
        return None
    cache = " and its own API cache (a flush or eviction reaches one worker)" if cached else ""
    return (
        f"warning: --workers {workers} without --redis-url: each worker has its own "
        f"subscription broker (a mutation's event reaches its own worker's subscribers only)"
        f"{cache}; pass --redis-url to share them"
    )


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from cache.routes import check_admin_key
    from resolvers.lambda_.local import SERVER_URL_VARIABLE
    from subscriptions.uvicorn_ws import WS_PROTOCOL
    from web.app import create_app_for

    if args.dynamodb_port and (args.workers > 1 or args.dynamodb_port == args.port):
        print(
            "error: --dynamodb-port needs --workers 1 and a port other than --port",
            file=sys.stderr,
        )
        return 2
    cache = _cache_settings(
        args.redis_url, args.cache_max_entries, args.cache_max_bytes, args.admin_key
    )
    api = _load(args.api_dir, args.data_dir, cache)
    if api is None:
        return 1
    try:
        check_admin_key(cache.admin_key, [key.value for key in api.definition.api_keys])
    except ValueError as error:
        print(f"error: --admin-key: {error}", file=sys.stderr)
        return 2
    if args.data_dir:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    print(summary(api), file=sys.stderr)
    warning = workers_warning(args.workers, args.redis_url, cached=api.cache is not None)
    if warning:
        print(warning, file=sys.stderr)
    tls = bool(args.ssl_certfile)
    base = f"{'https' if tls else 'http'}://{args.host}:{args.port}"
    print(f"GraphQL: {base}/graphql", file=sys.stderr)
    print(
        f"Subscriptions: {base.replace('http', 'ws', 1)}/graphql (graphql-transport-ws, "
        "graphql-ws), /graphql/realtime (AppSync)",
        file=sys.stderr,
    )
    own_port = f", {base.rsplit(':', 1)[0]}:{args.dynamodb_port}/" if args.dynamodb_port else ""
    print(f"DynamoDB endpoint: {base}/dynamodb{own_port}", file=sys.stderr)
    # Where local Lambda handlers reach this server (its /dynamodb endpoint; docs/lambda.md).
    local_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    local_url = f"{'https' if tls else 'http'}://{local_host}:{args.port}"
    os.environ.setdefault(SERVER_URL_VARIABLE, local_url)
    options = {
        "host": args.host,
        "port": args.port,
        "log_level": args.log_level,
        "ssl_certfile": args.ssl_certfile,
        "ssl_keyfile": args.ssl_keyfile,
        # The lean sans-I/O WebSocket protocol (no per-connection tasks besides the app's own),
        # with write flow control so slow subscribers are detected (subscriptions/uvicorn_ws.py).
        # No permessage-deflate: a zlib context per connection costs far more memory than the
        # small subscription messages save (docs/subscriptions.md, "Scale").
        "ws": WS_PROTOCOL,
        "ws_per_message_deflate": False,
        # SIGTERM: stop accepting, close WebSockets with 1012, let requests finish (docs/deploy.md).
        "timeout_graceful_shutdown": args.graceful_timeout,
    }
    if args.workers > 1:
        os.environ["SYNCLINE_API_DIR"] = str(args.api_dir)
        if args.data_dir is not None:  # '' (tables in memory) must reach the workers too
            os.environ["SYNCLINE_DATA_DIR"] = str(args.data_dir)
        if args.redis_url:
            os.environ["SYNCLINE_REDIS_URL"] = str(args.redis_url)
        os.environ["SYNCLINE_CACHE_MAX_ENTRIES"] = str(args.cache_max_entries)
        os.environ["SYNCLINE_CACHE_MAX_BYTES"] = str(args.cache_max_bytes)
        if args.admin_key:
            os.environ["SYNCLINE_ADMIN_KEY"] = str(args.admin_key)
        uvicorn.run("server:_app_from_environment", factory=True, workers=args.workers, **options)
    elif args.dynamodb_port:
        _serve_with_dynamodb_port(api, options, args.dynamodb_port, args.redis_url)
    else:
        uvicorn.run(create_app_for(api, redis_url=args.redis_url), **options)
    return 0


def _serve_with_dynamodb_port(
    api: LoadedApi, options: dict[str, Any], port: int, redis_url: str | None
) -> None:
    """One uvicorn server on both ports: the DynamoDB endpoint answers at / on ``port``."""
    import uvicorn

    from resolvers.dynamodb.endpoint import dynamodb_endpoint, on_own_port
    from web.app import create_app_for

    app = on_own_port(
        create_app_for(api, redis_url=redis_url), dynamodb_endpoint(api.runtime), port
    )
    main = uvicorn.Config(app, **options)
    own = uvicorn.Config(app, **{**options, "port": port})
    uvicorn.Server(main).run(sockets=[main.bind_socket(), own.bind_socket()])


def validate(args: argparse.Namespace) -> int:
    api = _load(args.api_dir, None)
    if api is None:
        return 1
    print(summary(api))
    return 0


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """AWS Lambda entry point for API Gateway HTTP, REST and WebSocket APIs (docs/deploy.md)."""
    from deploy.aws_lambda import lambda_handler as handler

    return handler(event, context)


if os.environ.get("_HANDLER") == "server.lambda_handler":
    # Loaded by the Lambda runtime as the function's handler module: import what the handler
    # needs now, in the INIT phase, which provisioned concurrency and SnapStart run before any
    # request (AWS Lambda developer guide, "Lambda execution environment lifecycle"). The API
    # itself still loads with the first event.
    from deploy.lambda_startup import collector_paused

    with collector_paused():
        import deploy.aws_lambda  # noqa: F401


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "token":
        from auth.cli import token_command

        return token_command(args)
    if args.command == "package":
        from deploy.package import package_command

        return package_command(args)
    if args.command == "cache":
        from cache.cli import cache_command

        return cache_command(args)
    if args.command == "tables":
        from resolvers.dynamodb.cli import tables_command

        return tables_command(args)
    return validate(args)


if __name__ == "__main__":
    sys.exit(main())
