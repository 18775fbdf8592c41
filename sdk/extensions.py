"""``extensions``: resolver code talking to the real-time engine and the API cache.

AppSync developer guide, "Extensions" (APPSYNC_JS): ``setSubscriptionFilter`` and
``setSubscriptionInvalidationFilter`` in a subscription resolver's response handler, and
``invalidateSubscriptions`` in a mutation resolver's response handler. Filters are checked when
they are set, so a malformed filter fails the resolver with the reason instead of silently
matching nothing. The calls record what they ask for on the running request; the subscription
engine reads it when the subscription starts (filters) or the mutation completes (invalidations).
``evictFromApiCache`` (a mutation's resolver) is queued the same way for the API cache.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from resolvers.context import ResolverContext, current_context
from schema.errors import ResolverError
from schema.model import FieldCoordinate
from subscriptions.errors import FilterError

__all__ = [
    "evict_from_api_cache",
    "invalidate_subscriptions",
    "set_subscription_filter",
    "set_subscription_invalidation_filter",
]

#: "You can only use at most five unique extensions.invalidateSubscriptions() method calls in
#: any single request" (AppSync developer guide, "Extensions").
MAX_INVALIDATIONS = 5


def _context(name: str) -> ResolverContext:
    try:
        return current_context.get()
    except LookupError:
        raise RuntimeError(
            f"extensions.{name}() works only inside resolver code that Syncline is running"
        ) from None


def _checked(filter_json: Any) -> Any:
    # Imported here: every resolver code file imports this module, only subscription
    # resolvers set filters (a Lambda cold start's first event need not load the parser).
    from subscriptions.filters import parse_filter

    try:
        parse_filter(filter_json)
    except FilterError as error:
        raise ResolverError(error.message, error.error_type) from None
    return filter_json


def set_subscription_filter(filter_json: Mapping[str, Any]) -> None:
    """``extensions.setSubscriptionFilter(filterJsonObject)``: which events this subscriber gets."""
    ctx = _context("set_subscription_filter")
    ctx.request_state.subscription_extensions().filter = _checked(filter_json)


def set_subscription_invalidation_filter(filter_json: Mapping[str, Any]) -> None:
    """``extensions.setSubscriptionInvalidationFilter(filterJsonObject)``: which
    ``invalidate_subscriptions`` payloads end this subscription."""
    ctx = _context("set_subscription_invalidation_filter")
    ctx.request_state.subscription_extensions().invalidation_filter = _checked(filter_json)


def invalidate_subscriptions(invalidation: Mapping[str, Any]) -> None:
    """``extensions.invalidateSubscriptions({subscriptionField, payload})``: end the
    subscriptions on ``subscriptionField`` whose invalidation filter matches ``payload``."""
    ctx = _context("invalidate_subscriptions")
    if (
        not isinstance(invalidation, Mapping)
        or not isinstance(invalidation.get("subscriptionField"), str)
        or not isinstance(invalidation.get("payload"), Mapping)
    ):
        raise ResolverError(
            "invalidate_subscriptions() takes {'subscriptionField': str, 'payload': dict}",
            "BadRequestException",
        )
    request = {
        "subscriptionField": invalidation["subscriptionField"],
        "payload": dict(invalidation["payload"]),
    }
    pending = ctx.request_state.subscription_extensions().invalidations
    key = json.dumps(request, sort_keys=True, default=str)
    if any(json.dumps(p, sort_keys=True, default=str) == key for p in pending):
        return
    if len(pending) >= MAX_INVALIDATIONS:
        raise ResolverError(
            f"At most {MAX_INVALIDATIONS} unique extensions.invalidate_subscriptions() calls are "
            "allowed in one request",
            "BadRequestException",
        )
    pending.append(request)


def evict_from_api_cache(type_name: str, field_name: str, keys: Mapping[str, Any]) -> None:
    """``extensions.evictFromApiCache(typeName, fieldName, keyValuePair)``: remove one entry of
    a cached resolver from the API cache, named by its caching keys' values, as in
    ``{"context.arguments.id": ctx.args["id"]}`` (AppSync developer guide, "Extensions").

    Mutations only. The entry is removed when the mutation is done; the response's
    ``extensions.apiCacheEntriesDeleted`` counts what was removed (docs/caching.md). Without an
    API cache there is nothing to evict, and the call does nothing.
    """
    ctx = _context("evict_from_api_cache")
    cache = ctx.request_state.api_cache
    if cache is None:
        return
    if not isinstance(type_name, str) or not isinstance(field_name, str):
        raise ResolverError(
            "evict_from_api_cache() takes the type name and the field name as strings",
            "BadRequestException",
        )
    cache.evict(FieldCoordinate(type_name, field_name), keys)
