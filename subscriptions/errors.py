"""Why a subscription was refused or ended, in AppSync's error vocabulary.

Tree::

    SubscriptionError             one ``start``/``subscribe`` refused: errorType, message, errorCode
    ├── FilterError               an enhanced or invalidation filter is malformed or over a limit
    └── UnsupportedOperation      a query or mutation sent where only subscriptions are served

``error_code`` is the HTTP-like status AppSync puts beside ``errorType`` in realtime errors
(Amplify treats 400, 401 and 403 as non-retryable). Each protocol turns one of these into its own
wire message; none of them ever closes another connection.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schema.errors import SynclineError


class SubscriptionError(SynclineError):
    def __init__(
        self,
        message: str,
        error_type: str = "BadRequestException",
        error_code: int = 400,
        errors: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.error_code = error_code
        self.graphql_errors = list(errors) if errors is not None else None
        """GraphQL errors (parse, validation, variables) in AppSync's shape, when that is the cause."""

    def as_errors(self) -> list[dict[str, Any]]:
        """The ``errors`` list a protocol sends: AppSync's ``{errorType, message, errorCode}``."""
        if self.graphql_errors:
            return [
                {**error, "errorType": error.get("errorType") or self.error_type}
                for error in self.graphql_errors
            ]
        return [
            {"errorType": self.error_type, "message": self.message, "errorCode": self.error_code}
        ]


class FilterError(SubscriptionError):
    """A filter given to ``extensions.set_subscription_filter`` (or its invalidation twin) that
    AppSync would refuse. The SDK re-raises it inside resolver code as a ``ResolverError``."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "BadRequestException", 400)


class UnsupportedOperation(SubscriptionError):
    def __init__(self, operation: str) -> None:
        super().__init__(
            f"{operation} not supported through the realtime channel", "UnsupportedOperation", 400
        )
