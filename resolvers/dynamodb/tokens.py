"""Opaque, tamper-evident pagination tokens (``nextToken``).

AppSync hands Query and Scan callers a ``nextToken`` that stands for DynamoDB's
``LastEvaluatedKey`` and accepts it back as the next request's ``nextToken`` (AppSync developer
guide, "JavaScript resolver function reference for DynamoDB — Query / Scan"). The token is
``base64url(payload || HMAC-SHA256(secret, payload))`` where the payload names the table and
index it was issued for and holds the last evaluated key as typed JSON. A token that was edited,
issued by another store, or issued for another table or index is a ``ValidationException``,
never a crash and never a silently wrong page.

The secret belongs to one table store; the store persists it beside its data so tokens outlive a
restart (and every worker process on the same data file shares it).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from typing import Any

from resolvers.dynamodb.errors import ValidationError
from resolvers.dynamodb.values import Item, validate_item

SECRET_BYTES = 32
_MAC_BYTES = hashlib.sha256().digest_size
_MAX_TOKEN_CHARS = 16 * 1024


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _invalid(reason: str) -> ValidationError:
    return ValidationError(f"Invalid nextToken: {reason}")


class PageTokens:
    """Issues and opens the ``nextToken``s of one table store."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("a pagination secret needs at least 16 bytes")
        self._secret = secret

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, payload, hashlib.sha256).digest()

    def issue(self, scope: str, last_key: Item) -> str:
        payload = json.dumps(
            {"scope": scope, "key": last_key}, separators=(",", ":"), sort_keys=True
        ).encode("utf-8")
        token = base64.urlsafe_b64encode(payload + self._mac(payload))
        return token.rstrip(b"=").decode("ascii")

    def open(self, scope: str, token: Any) -> Item:
        """The last evaluated key a token stands for; ``ValidationError`` unless it is genuine."""
        if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_CHARS:
            raise _invalid("expected a token returned by a previous Query or Scan")
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise _invalid("the token is not base64url text") from None
        payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        if len(raw) <= _MAC_BYTES or not hmac.compare_digest(mac, self._mac(payload)):
            raise _invalid("the token was altered or was not issued by this table store")
        document = json.loads(payload)
        if document.get("scope") != scope:
            raise _invalid(f"the token was issued for {document.get('scope')!r}, not for {scope!r}")
        return validate_item(document.get("key"), "nextToken")
