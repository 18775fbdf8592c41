"""Cache keys and cached values: what makes two lookups the same entry, and how entries are stored.

AppSync developer guide, "Configuring server-side caching and API payload compression", section
"Caching behavior": a per-resolver cache key is built from the resolver's caching keys — entries
of the ``$context.arguments``, ``$context.source`` and ``$context.identity`` maps, at most 25 —
and without caching keys from the whole of those maps. Full request caching keys every resolver
on ``$context.arguments`` and ``$context.identity``; operation level caching keys the whole
response on the operation text, its operation name, its variables and ``$context.identity``.

An entry's key is ``<prefix>:<digest>``: the prefix names what was cached (``Type.field``, or
``operation``) so entries can be counted per resolver and evicted by name, the digest is a
BLAKE2b-128 hash of the key values as canonical JSON (sorted object keys), so ``{"a": 1, "b": 2}``
and ``{"b": 2, "a": 1}`` are one entry. Values are stored as JSON bytes: AppSync's cache holds
JSON too, and bytes are what a Redis backend needs and what the memory backend's byte bound
counts. A DynamoDB number (``Decimal``) comes back from the cache as ``int`` or ``float``, which
GraphQL serializes identically.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

import orjson

from schema.model import AuthMode, FieldCoordinate

OPERATION_PREFIX = "operation"
"""The prefix of operation level entries (a ``Type.field`` prefix always contains a dot)."""

_DUMP_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


class Uncacheable(Exception):
    """A key or a value that cannot be encoded as JSON: the request is served without the cache."""


class KeySource(StrEnum):
    """The three maps a caching key may read (AppSync: ``$context.arguments|source|identity``)."""

    ARGUMENTS = "arguments"
    SOURCE = "source"
    IDENTITY = "identity"


@dataclass(frozen=True, slots=True)
class CachingKey:
    """One configured caching key, such as ``$context.arguments.input.id``."""

    text: str
    source: KeySource
    path: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> CachingKey:
        """``$context.<map>.<name>[.<name>...]``; the definition loader checked the prefix."""
        _, _, rest = text.removeprefix("$").partition("context.")
        source, _, dotted = rest.partition(".")
        if not dotted:
            raise ValueError(f"caching key {text!r} names no entry of $context.{source}")
        return cls(text, KeySource(source), tuple(dotted.split(".")))

    @property
    def name(self) -> str:
        """The key as ``extensions.evict_from_api_cache`` names it: ``context.arguments.id``."""
        return self.text.removeprefix("$")

    def value(self, arguments: Mapping[str, Any], source: Any, identity: Any) -> Any:
        """This key's value for one resolution; a missing entry is ``None`` (JSON null)."""
        current: Any = (
            arguments
            if self.source is KeySource.ARGUMENTS
            else source
            if self.source is KeySource.SOURCE
            else identity
        )
        for name in self.path:
            if not isinstance(current, Mapping):
                return None
            current = current.get(name)
        return current


def _default(value: Any) -> Any:
    # DynamoDB numbers: JSON has one number type, and GraphQL's Int and Float accept both.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode_value(value: Any) -> bytes:
    """A resolver result or response ``data`` as JSON bytes; raises ``Uncacheable``."""
    try:
        return orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS)
    except TypeError as error:
        raise Uncacheable(str(error)) from None


def decode_value(payload: bytes) -> Any:
    return orjson.loads(payload)


def entry_key(prefix: str, parts: Sequence[Any]) -> str:
    """``<prefix>:<digest of parts>``; raises ``Uncacheable`` for values JSON cannot hold."""
    try:
        canonical = orjson.dumps(parts, default=_default, option=_DUMP_OPTIONS)
    except TypeError as error:
        raise Uncacheable(str(error)) from None
    return f"{prefix}:{hashlib.blake2b(canonical, digest_size=16).hexdigest()}"


def prefix_of(key: str) -> str:
    """What an entry caches: ``Type.field`` or ``operation``."""
    return key.rpartition(":")[0]


def caller(auth_mode: AuthMode | None, identity: Any) -> list[Any]:
    """The caller part of a key that holds ``$context.identity``.

    The mode is part of it because an API key caller and, say, a Lambda-authorized caller with
    an empty ``resolverContext`` must not share entries: they may see different fields.
    """
    return [auth_mode.value if auth_mode is not None else None, identity]


@dataclass(frozen=True, slots=True)
class ResolverPolicy:
    """How one resolver is cached: its TTL and what its entries are keyed on."""

    coordinate: FieldCoordinate
    ttl: int
    keys: tuple[CachingKey, ...] | None
    """The configured caching keys; None for the default key (see ``key``)."""

    @property
    def prefix(self) -> str:
        return str(self.coordinate)

    def key(
        self,
        arguments: Mapping[str, Any],
        source: Any,
        identity: Any,
        auth_mode: AuthMode | None,
    ) -> str:
        """The entry key for one resolution.

        With caching keys: their values, in order, and nothing else — entries are shared by
        every caller whose values are equal, which is what the keys say. Without: the whole of
        ``$context.arguments``, ``$context.source`` and the caller (``caller``), so results are
        never shared between identities.
        """
        if self.keys is not None:
            return entry_key(self.prefix, [k.value(arguments, source, identity) for k in self.keys])
        return entry_key(self.prefix, [arguments, source, *caller(auth_mode, identity)])

    def eviction_key(self, given: Mapping[str, Any]) -> str:
        """The entry key ``extensions.evict_from_api_cache`` names with ``given``.

        ``given`` maps each caching key (``context.arguments.id``; a leading ``$`` is accepted)
        to its value. **Deviation**: AppSync wants the items in the caching keys' order;
        Syncline matches them by name, so order does not matter.
        """
        if self.keys is None:
            raise ValueError(
                f"{self.coordinate} is cached without caching keys, so its entries cannot be "
                "named; give it caching keys, or flush the cache"
            )
        values = {str(name).removeprefix("$"): value for name, value in given.items()}
        expected = [k.name for k in self.keys]
        if set(values) != set(expected):
            raise ValueError(
                f"{self.coordinate} is cached on {', '.join(expected)}; got "
                f"{', '.join(values) or 'no keys'}"
            )
        return entry_key(self.prefix, [values[name] for name in expected])


def operation_key(
    query: str,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    auth_mode: AuthMode | None,
    identity: Any,
    denied_fields: frozenset[FieldCoordinate],
) -> str:
    """Operation level caching: the operation text, name and variables, and the caller.

    A Lambda authorizer's ``deniedFields`` are part of the caller here (and only here): field
    checks run inside the operation, so two callers who may read different fields must not
    share a whole response.
    """
    denied = sorted(str(c) for c in denied_fields)
    return entry_key(
        OPERATION_PREFIX,
        [query, operation_name, variables or {}, *caller(auth_mode, identity), denied],
    )
