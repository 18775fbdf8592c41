"""Where an AppSync realtime connection's credentials come from.

In order: a ``header-<base64url JSON>`` Sec-WebSocket-Protocol entry (Amplify JS v6); the
``?header=<base64 JSON>&payload=e30=`` query string (AppSync's documented form; PyPI ``gql``
sends it without URL-encoding, so a ``+`` of the base64 text arrives as a space once the query
string is decoded, and is read back here); else the upgrade request's own headers.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from urllib.parse import parse_qs

from subscriptions.protocols.appsync_realtime.types import HEADER_PROTOCOL_PREFIX


class BadCredentials(ValueError):
    """The header could not be decoded as a base64 JSON object."""


def _decode(text: str) -> dict[str, str]:
    cleaned = text.strip().replace(" ", "+").replace("-", "+").replace("_", "/")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        raw = json.loads(base64.b64decode(cleaned, validate=True))
    except (binascii.Error, ValueError) as error:
        raise BadCredentials(
            f"the authorization header is not base64-encoded JSON: {error}"
        ) from None
    if not isinstance(raw, dict):
        raise BadCredentials("the authorization header must be a JSON object")
    return {str(k).lower(): str(v) for k, v in raw.items() if v is not None}


def connection_credentials(
    subprotocols: list[str], query_string: str, upgrade_headers: Mapping[str, str]
) -> dict[str, str]:
    """The headers to authorize the connection with (names lower-cased)."""
    for protocol in subprotocols:
        if protocol.startswith(HEADER_PROTOCOL_PREFIX):
            return _decode(protocol[len(HEADER_PROTOCOL_PREFIX) :])
    header = parse_qs(query_string).get("header")
    if header:
        return _decode(header[0])
    return dict(upgrade_headers)


def lowercase(headers: Mapping[str, object]) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items() if v is not None}
