"""``syncline token``: print a Cognito token from the local issuer (``auth.issuer``).

    syncline token --sub alice --groups admins [--expires 1h] [API_DIR]

The API's ``AMAZON_COGNITO_USER_POOLS`` mode with ``localIssuer: true`` names the pool; the key
is the data dir's (``--data-dir`` / ``SYNCLINE_DATA_DIR``, the same one ``syncline serve`` uses).
Only the token goes to stdout, so ``TOKEN=$(syncline token --sub alice)`` works.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

from auth.cognito import pool_of
from auth.issuer import DEFAULT_CLIENT_ID, CognitoPool, LocalIssuer
from schema.definition import load_definition
from schema.errors import DefinitionError, InvalidDefinition
from schema.model import AuthMode

_DURATION = re.compile(r"(\d+)([smhd]?)")
_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> int:
    """``90``, ``90s``, ``30m``, ``1h`` or ``2d``, in seconds."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise argparse.ArgumentTypeError(f"expected a duration like 30m, 1h or 2d, got {text!r}")
    return int(match.group(1)) * _SECONDS[match.group(2)]


def add_token_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    env: Callable[[str, str | None], str | None],
    default_api_dir: str,
) -> None:
    parser = commands.add_parser(
        "token", help="print a Cognito token signed by the local issuer (localIssuer: true)"
    )
    parser.add_argument("api_dir", nargs="?", default=env("API_DIR", default_api_dir))
    parser.add_argument("--sub", required=True, help="the user's sub (and default username)")
    parser.add_argument(
        "--groups", action="append", default=[], help="cognito:groups, comma-separated or repeated"
    )
    parser.add_argument("--expires", type=duration, default=3600, help="lifetime (default 1h)")
    parser.add_argument("--username", help="cognito:username (default: the sub)")
    parser.add_argument("--email", help="email claim of an ID token")
    parser.add_argument("--client-id", default=None, help="aud / client_id")
    parser.add_argument("--token-use", choices=("id", "access"), default="id")
    parser.add_argument("--pool", help="the userPoolId, when several pools use the local issuer")
    parser.add_argument("--data-dir", default=env("DATA_DIR", None))


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def token_command(args: argparse.Namespace) -> int:
    try:
        api = load_definition(Path(args.api_dir))
    except InvalidDefinition as invalid:
        for error in invalid.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    pools = [
        p
        for p in api.auth_providers
        if p.mode is AuthMode.AMAZON_COGNITO_USER_POOLS and p.config.get("localIssuer")
    ]
    if args.pool:
        pools = [p for p in pools if p.config["userPoolId"] == args.pool]
    if len(pools) != 1:
        found = "no" if not pools else "several"
        return _fail(
            f"{api.config_file}: {found} AMAZON_COGNITO_USER_POOLS mode with localIssuer: true"
            + ("; choose one with --pool" if pools else "")
        )
    (provider,) = pools
    try:
        pool: CognitoPool = pool_of(provider)
    except DefinitionError as error:
        return _fail(str(error))
    client_id = args.client_id or DEFAULT_CLIENT_ID
    regex = provider.config.get("appIdClientRegex")
    if regex and not re.fullmatch(regex, client_id):
        return _fail(f"client id {client_id!r} does not match appIdClientRegex; pass --client-id")
    groups = [g.strip() for value in args.groups for g in value.split(",") if g.strip()]
    issuer = LocalIssuer(Path(args.data_dir) if args.data_dir else None)
    print(
        issuer.issue(
            pool,
            args.sub,
            groups,
            expires_in=args.expires,
            username=args.username,
            client_id=client_id,
            token_use=args.token_use,
            email=args.email,
        )
    )
    return 0
