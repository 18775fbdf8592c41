"""HTTP routes the auth modes add: the local token issuer's JWKS.

``GET /.well-known/jwks.json`` publishes the public key of the local issuer (``auth.issuer``)
when one of the API's Cognito modes trusts it (``localIssuer: true``), so clients and other
services can verify the tokens ``syncline token`` prints, as they would fetch a real pool's
``https://cognito-idp.<region>.amazonaws.com/<userPoolId>/.well-known/jwks.json``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from auth.modes import RequestAuthorizer
from schema.model import AuthMode

JWKS_PATH = "/.well-known/jwks.json"


def auth_routes(authorizer: RequestAuthorizer) -> list[BaseRoute]:
    context = authorizer.context
    if context is None or not any(
        p.mode is AuthMode.AMAZON_COGNITO_USER_POOLS and p.config.get("localIssuer")
        for p in context.api.auth_providers
    ):
        return []
    issuer = context.local_issuer

    def jwks(_: Request) -> Response:
        # A plain function: Starlette runs it on a thread, off the loop (key file I/O).
        return JSONResponse(issuer.jwks(), headers={"cache-control": "public, max-age=300"})

    return [Route(JWKS_PATH, jwks, methods=["GET"])]
