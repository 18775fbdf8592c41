"""``util.authType()``: the authorization mode of the request being resolved.

AppSync developer guide, "Built-in utilities" (APPSYNC_JS), section "Resolver authorization
utils": one of ``"API Key Authorization"``, ``"IAM Authorization"``, ``"User Pool
Authorization"``, ``"Open ID Connect Authorization"`` or ``"Lambda Authorization"``.
"""

from __future__ import annotations

from auth.identity import AUTH_TYPE_NAMES
from resolvers.context import current_context

__all__ = ["auth_type"]


def auth_type() -> str | None:
    """``util.authType()``; None outside resolver code Syncline is running."""
    try:
        ctx = current_context.get()
    except LookupError:
        return None
    mode = ctx.request_state.auth_mode
    return AUTH_TYPE_NAMES.get(mode) if mode is not None else None
