"""``runtime``: control over the running resolver or function.

AppSync developer guide, "Runtime utilities" (APPSYNC_JS):
https://docs.aws.amazon.com/appsync/latest/devguide/runtime-utils-js.html
"""

from __future__ import annotations

from typing import Any, Literal, NoReturn

from resolvers.context import EarlyReturn, SkipTo

__all__ = ["SkipTo", "early_return"]


def early_return(
    value: Any = None, skip_to: SkipTo | Literal["END", "NEXT"] | None = None
) -> NoReturn:
    """``runtime.earlyReturn(obj?, {skipTo?})``: stop this handler and return ``value``.

    In a unit resolver's request handler the data source and response handler are skipped.
    In a pipeline function's request handler (or with ``skip_to="NEXT"``) that function's data
    source and response handler are skipped and ``value`` becomes ``ctx.prev.result``. In a
    pipeline's before handler (or with ``skip_to="END"``) the functions are skipped and the
    after handler runs at once.
    """
    if skip_to is None:
        raise EarlyReturn(value)
    try:
        target = SkipTo(skip_to)
    except ValueError:
        raise ValueError(f"skip_to must be 'END' or 'NEXT', got {skip_to!r}") from None
    raise EarlyReturn(value, target)
