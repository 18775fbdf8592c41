"""Where token signing keys come from: a JWKS fetched over HTTP(S), read from a file, or held.

AWS, "Verifying a JSON Web Token" (Amazon Cognito developer guide): the pool's keys are at
``https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/jwks.json``; OpenID Connect
Discovery 1.0: a provider's ``jwks_uri`` is in ``<issuer>/.well-known/openid-configuration``.

Fetched key sets are cached (cachetools ``TTLCache``, one hour). A token whose ``kid`` is not in
the cached set triggers one refetch (key rotation), at most once per ``REFETCH_INTERVAL`` per
URL, so a flood of tokens with made-up ``kid`` values cannot turn into a flood of fetches. Key
locations come from the configuration only, never from a token (``jku``/``x5u`` are ignored).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cachetools import TTLCache

from schema.errors import DefinitionError
from schema.model import Location

if TYPE_CHECKING:
    # pyjwt (with cryptography) and httpx load when a key is first parsed or fetched: an API-key
    # request never needs them, and a Lambda cold start should not pay for them
    # (bench/cold_start.py).
    from jwt import PyJWK

log = logging.getLogger("syncline.auth")

#: Signature algorithms Syncline accepts, and the key type each needs (Cognito signs RS256).
ALGORITHMS: Mapping[str, str] = {"RS256": "RSA", "ES256": "EC"}
JWKS_TTL = 3600.0
REFETCH_INTERVAL = 60.0
FETCH_TIMEOUT = 5.0
MAX_DOCUMENT_BYTES = 256 * 1024

Keys = dict[str | None, "PyJWK"]


class KeySource(Protocol):
    async def key(self, kid: str | None) -> PyJWK | None:
        """The verification key with this ``kid``, or None if the issuer has no such key."""
        ...


def parse_jwks(document: Any) -> Keys:
    """The usable signing keys of a JWKS document; keys of other types or uses are skipped."""
    from jwt import PyJWK
    from jwt.exceptions import PyJWKError

    keys: Keys = {}
    entries = document.get("keys") if isinstance(document, Mapping) else None
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, Mapping) or entry.get("use", "sig") != "sig":
            continue
        if entry.get("kty") not in ALGORITHMS.values() or entry.get("alg") not in (
            None,
            *ALGORITHMS,
        ):
            continue
        try:
            jwk = PyJWK(dict(entry))
        except (PyJWKError, ValueError, TypeError):
            continue
        kid = entry.get("kid")
        keys[kid if isinstance(kid, str) else None] = jwk
    return keys


def select(keys: Keys, kid: str | None) -> PyJWK | None:
    if kid in keys:
        return keys[kid]
    if kid is None and len(keys) == 1:
        return next(iter(keys.values()))
    return None


class JwksFetcher:
    """Fetches and caches JSON documents (JWKS, discovery) for all of an API's issuers."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.cache: TTLCache[str, Keys] = TTLCache(maxsize=64, ttl=JWKS_TTL, timer=clock)
        self.discovery: TTLCache[str, str] = TTLCache(maxsize=64, ttl=JWKS_TTL, timer=clock)
        self.fetches: Counter[str] = Counter()
        """How many times each URL was fetched (tests and the benchmark read it)."""
        self._last_fetch: dict[str, float] = {}
        self._inflight: dict[str, asyncio.Future[Any]] = {}

    async def get_json(self, url: str) -> Any:
        """GET a JSON document, or None if it cannot be had. Concurrent callers for one URL share
        one request; a URL fetched less than ``REFETCH_INTERVAL`` ago is not fetched again."""
        pending = self._inflight.get(url)
        if pending is not None and pending.get_loop() is asyncio.get_running_loop():
            return await asyncio.shield(pending)
        if not self.may_refetch(url):
            return None
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[url] = future
        try:
            document = await self._fetch(url)
            future.set_result(document)
            return document
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters get it, nobody else must log it
            raise
        finally:
            self._inflight.pop(url, None)

    async def _fetch(self, url: str) -> Any:
        import httpx

        self.fetches[url] += 1
        self._last_fetch[url] = self.clock()
        try:
            async with httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False) as client:
                response = await client.get(url, headers={"accept": "application/json"})
        except httpx.HTTPError as error:
            log.warning("fetching %s failed: %s", url, type(error).__name__)
            return None
        if response.status_code != 200 or len(response.content) > MAX_DOCUMENT_BYTES:
            log.warning("fetching %s failed: HTTP %s", url, response.status_code)
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            log.warning("%s is not JSON", url)
            return None

    def may_refetch(self, url: str) -> bool:
        last = self._last_fetch.get(url)
        return last is None or self.clock() - last >= REFETCH_INTERVAL

    async def keys(self, url: str, kid: str | None) -> PyJWK | None:
        cached = self.cache.get(url)
        found = select(cached, kid) if cached is not None else None
        if found is not None:
            return found
        keys = parse_jwks(await self.get_json(url))
        if not keys:
            return None
        self.cache[url] = keys
        return select(keys, kid)


class UrlJwks:
    """A JWKS at a fixed URL (Cognito's, or one given by ``jwks:`` in the config)."""

    def __init__(self, url: str, fetcher: JwksFetcher) -> None:
        self.url = url
        self.fetcher = fetcher

    async def key(self, kid: str | None) -> PyJWK | None:
        return await self.fetcher.keys(self.url, kid)


class DiscoveredJwks:
    """An OIDC provider's JWKS, found through its discovery document."""

    def __init__(self, issuer: str, fetcher: JwksFetcher) -> None:
        self.discovery_url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        self.fetcher = fetcher

    async def key(self, kid: str | None) -> PyJWK | None:
        jwks_uri = self.fetcher.discovery.get(self.discovery_url)
        if jwks_uri is None:
            document = await self.fetcher.get_json(self.discovery_url)
            uri = document.get("jwks_uri") if isinstance(document, Mapping) else None
            if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
                return None
            self.fetcher.discovery[self.discovery_url] = jwks_uri = uri
        return await self.fetcher.keys(jwks_uri, kid)


class FileJwks:
    """A JWKS file, re-read when it changes (so keys can be rotated by replacing the file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._version: tuple[int, int, int] | None = None
        self._keys: Keys = {}

    def load(self) -> Keys:
        """Read the file if it changed; raises OSError or ValueError on a broken file."""
        status = self.path.stat()
        version = (status.st_ino, status.st_mtime_ns, status.st_size)
        if version != self._version:
            self._keys = parse_jwks(json.loads(self.path.read_text()))
            self._version = version
        return self._keys

    async def key(self, kid: str | None) -> PyJWK | None:
        try:
            return select(self.load(), kid)
        except (OSError, ValueError) as error:
            log.warning("reading JWKS file %s failed: %s", self.path, type(error).__name__)
            return None


class StaticJwks:
    """Keys held in memory, loaded on first use (the local token issuer's)."""

    def __init__(self, load: Callable[[], Awaitable[Keys]]) -> None:
        self._load = load
        self._keys: Keys | None = None

    async def key(self, kid: str | None) -> PyJWK | None:
        if self._keys is None:
            self._keys = await self._load()
        return select(self._keys, kid)


def configured_jwks(
    value: object, root: Path, location: Location, fetcher: JwksFetcher
) -> KeySource:
    """The key source named by a mode's ``jwks:`` (Syncline's own): a URL, or a file path
    relative to the API folder, read now so a missing or broken file fails at start-up."""
    text = str(value)
    if text.startswith(("https://", "http://")):
        return UrlJwks(text, fetcher)
    source = FileJwks(root / text)
    try:
        keys = source.load()
    except (OSError, ValueError) as error:
        raise DefinitionError(location, f"cannot read JWKS file {text!r}: {error}") from None
    if not keys:
        raise DefinitionError(location, f"JWKS file {text!r} holds no RS256 or ES256 signing key")
    return source
