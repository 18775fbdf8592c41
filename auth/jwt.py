"""JSON Web Token checks shared by Cognito user pools and OpenID Connect.

RFC 7519 and AWS, "Verifying a JSON Web Token": the signature (RS256 or ES256 only, with a key
of the matching type from the issuer's JWKS), ``iss`` equal to the configured issuer, ``exp``
in the future, ``nbf``/``iat`` not in the future — each time comparison with ``LEEWAY``
seconds of clock skew. ``alg: none``, HMAC algorithms (the classic "HS256 signed with the public
key" forgery) and keys named by the token itself (``jku``, ``x5u``, ``jwk``) are refused or
ignored: keys come only from the configured source.

pyjwt verifies the signature; Syncline checks the time claims itself so that one clock
(injectable in tests) governs every mode, and so the expired case gets AppSync's message.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from cachetools import TTLCache

from auth.errors import TOKEN_EXPIRED, UNPARSEABLE_JWT, AuthFailure, unauthorized
from auth.jwks import ALGORITHMS, KeySource

if TYPE_CHECKING:
    # pyjwt loads with the first signature check (auth.jwks says why).
    from jwt.types import Options

LEEWAY = 10.0
"""Seconds of clock skew tolerated on ``exp``, ``nbf`` and ``iat``."""
VERIFIED_TTL = 300.0
VERIFIED_CACHE_SIZE = 10_000

_NO_PYJWT_CLAIM_CHECKS: Options = {
    "verify_signature": True,
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
    "require": [],
}


def _segment(text: str) -> Any:
    padded = text + "=" * (-len(text) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))


def unverified_claims(token: str) -> Mapping[str, Any] | None:
    """The payload of a compact JWS, unverified (to pick the mode), or None if it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = _segment(parts[1])
    except (ValueError, UnicodeError, binascii.Error):
        return None
    return payload if isinstance(payload, Mapping) else None


def unverified_issuer(token: str) -> str | None:
    claims = unverified_claims(token)
    issuer = claims.get("iss") if claims is not None else None
    return issuer if isinstance(issuer, str) else None


def _number(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise unauthorized()
    return float(value)


def check_times(claims: Mapping[str, Any], now: float) -> None:
    expires = _number(claims, "exp")
    if expires is None:
        raise unauthorized()
    if now > expires + LEEWAY:
        raise AuthFailure(TOKEN_EXPIRED)
    for name in ("nbf", "iat"):
        moment = _number(claims, name)
        if moment is not None and moment > now + LEEWAY:
            raise unauthorized()


class VerifiedTokens:
    """Tokens whose signature verified, with their claims, for ``VERIFIED_TTL`` seconds.

    An RS256 verification costs ~100 µs; a client sends the same token with every request, so
    the signature is checked once and the time claims (``exp``…) on every request. Keys are
    cached for ``auth.jwks.JWKS_TTL`` anyway, so this adds nothing to how long a key withdrawn
    from the JWKS stays trusted.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.cache: TTLCache[str, dict[str, Any]] = TTLCache(
            maxsize=VERIFIED_CACHE_SIZE, ttl=VERIFIED_TTL, timer=clock
        )


async def verify_jwt(
    token: str,
    keys: KeySource,
    issuer: str,
    clock: Callable[[], float],
    verified: VerifiedTokens | None = None,
) -> dict[str, Any]:
    """The verified claims of ``token``; raises ``AuthFailure`` (401) for any problem."""
    claims = verified.cache.get(token) if verified is not None else None
    if claims is None:
        claims = await _verify_signature(token, keys, issuer)
        if verified is not None:
            verified.cache[token] = claims
    check_times(claims, clock())
    return claims


async def _verify_signature(token: str, keys: KeySource, issuer: str) -> dict[str, Any]:
    import jwt as pyjwt
    from jwt.exceptions import InvalidTokenError

    try:
        header = pyjwt.get_unverified_header(token)
    except InvalidTokenError:
        raise AuthFailure(UNPARSEABLE_JWT) from None
    algorithm = header.get("alg")
    kid = header.get("kid")
    if algorithm not in ALGORITHMS or not isinstance(kid, str | None):
        raise unauthorized()
    key = await keys.key(kid)
    if key is None or key.algorithm_name != algorithm:
        raise unauthorized()
    try:
        claims: dict[str, Any] = pyjwt.decode(
            token, key.key, algorithms=[algorithm], options=_NO_PYJWT_CLAIM_CHECKS
        )
    except InvalidTokenError:
        raise unauthorized() from None
    if claims.get("iss") != issuer:
        raise unauthorized()
    return claims
