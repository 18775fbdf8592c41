"""The hook where field-level authorization plugs into subscriptions.

AppSync applies auth directives to a subscription field (checked when the subscription starts)
and to the fields of every payload it delivers (a field the subscriber may not read arrives as
null with an ``Unauthorized`` error). The auth package decides; the subscription engine asks
through this one-method-per-question ``FieldAccess``:

- ``allowed(type_name, field_name, authorization)``: may this caller read this field?
- ``visibility_key(authorization)``: two callers with equal keys are allowed the same fields, so
  they can share one compiled payload projection and one serialized message per event.

``DirectiveAccess`` asks the API's directive rules (``auth.directives``) — what HTTP requests are
checked against — so a subscription sees exactly the fields a query by the same caller could.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from auth.modes import Authorization, RequestAuthorizer
from schema.errors import UnauthorizedError


class FieldAccess(Protocol):
    def allowed(self, type_name: str, field_name: str, authorization: Authorization) -> bool: ...

    def visibility_key(self, authorization: Authorization) -> Hashable: ...


class AllowAll:
    def allowed(self, type_name: str, field_name: str, authorization: Authorization) -> bool:
        return True

    def visibility_key(self, authorization: Authorization) -> Hashable:
        return None


class DirectiveAccess:
    """The API's auth directives, as ``auth.directives.FieldAuthorizer`` enforces them."""

    def __init__(self, authorizer: RequestAuthorizer) -> None:
        self.fields = authorizer.fields

    def allowed(self, type_name: str, field_name: str, authorization: Authorization) -> bool:
        try:
            self.fields.check(
                type_name,
                field_name,
                authorization.mode,
                authorization.identity,
                authorization.denied_fields,
            )
        except UnauthorizedError:
            return False
        return True

    def visibility_key(self, authorization: Authorization) -> Hashable:
        return self.fields.visibility_key(
            authorization.mode, authorization.identity, authorization.denied_fields
        )
