"""Why a request was refused, in AppSync's words.

Tree::

    SynclineError (schema.errors)
    └── AuthFailure             the request carries no credentials any mode accepts: a
                                request-level error with an HTTP status (401, or 403 for SigV4)

Field-level denials are not here: they are ``schema.errors.UnauthorizedError`` field errors
(``auth.directives``), because the rest of the response still resolves.

Messages are AppSync's where AppSync's are known (AppSync developer guide, "Troubleshooting and
common mistakes" and "Configuring authorization and authentication"; AWS General Reference,
"Signature Version 4 error messages"). **Deviation:** AWS's ``InvalidSignatureException`` message
goes on to print the canonical request and string to sign, which may include the session
token; Syncline's stops after the first sentence, so no message ever carries a credential.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from schema.errors import SynclineError


class AuthErrorType(StrEnum):
    """The ``errorType`` values of request-level auth failures."""

    UNAUTHORIZED = "UnauthorizedException"
    UNRECOGNIZED_CLIENT = "UnrecognizedClientException"
    INVALID_SIGNATURE = "InvalidSignatureException"
    INCOMPLETE_SIGNATURE = "IncompleteSignatureException"


class AuthFailure(SynclineError):
    """A refused request: ``status`` and AppSync's ``{"errors": [{errorType, message}]}`` body."""

    def __init__(
        self,
        message: str,
        error_type: AuthErrorType = AuthErrorType.UNAUTHORIZED,
        status: int = 401,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.status = status

    @property
    def body(self) -> dict[str, Any]:
        return {"errors": [{"errorType": str(self.error_type), "message": self.message}]}

    @property
    def headers(self) -> Mapping[str, str]:
        """AWS names the error type in a header too (``x-amzn-ErrorType``)."""
        return {"x-amzn-ErrorType": str(self.error_type)}

    def __repr__(self) -> str:
        return f"AuthFailure({self.status}, {self.error_type}, {self.message!r})"


# --- 401 UnauthorizedException (API keys, tokens, Lambda authorizers) ---------------------------

NOT_AUTHORIZED = "You are not authorized to make this call."
NO_VALID_HEADER = "Valid authorization header not provided."
UNPARSEABLE_JWT = "Unable to parse JWT token."
TOKEN_EXPIRED = "Token has expired."


def unauthorized(message: str = NOT_AUTHORIZED) -> AuthFailure:
    return AuthFailure(message)


# --- 403, SigV4 (AWS General Reference, "Signature Version 4 signing process") -----------------

INVALID_CLIENT = "The security token included in the request is invalid."
SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)


def unrecognized_client() -> AuthFailure:
    return AuthFailure(INVALID_CLIENT, AuthErrorType.UNRECOGNIZED_CLIENT, 403)


def invalid_signature(message: str = SIGNATURE_MISMATCH) -> AuthFailure:
    return AuthFailure(message, AuthErrorType.INVALID_SIGNATURE, 403)


def incomplete_signature(message: str) -> AuthFailure:
    return AuthFailure(message, AuthErrorType.INCOMPLETE_SIGNATURE, 403)
