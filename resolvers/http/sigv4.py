"""SigV4 signing of outbound requests: ``authorizationConfig`` with ``AWS_IAM``.

AppSync developer guide, "Configuring and using HTTP data sources — Invoking AWS services with
AWS AppSync HTTP resolvers": with ``authorizationConfig: {authorizationType: AWS_IAM,
awsIamConfig: {signingRegion, signingServiceName}}`` AppSync signs each request with Signature
Version 4 as the data source's role. Syncline signs with botocore's signer, using the data source's
``credentials`` (Syncline's own) or else the standard AWS chain (environment variables, shared
files, container and instance roles), resolved off the event loop on first use.

The signer sees the exact URL and body that will be sent and signs every header present at that
point (``host``, ``x-amz-date``, ``content-type``, the request's own headers, and
``x-amz-security-token`` with temporary credentials), as botocore does for AWS services.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from resolvers.http.errors import HttpError, HttpErrorType

if TYPE_CHECKING:
    from botocore.credentials import Credentials


class SigV4Signer:
    def __init__(
        self, region: str, service: str, credentials: Mapping[str, Any] | None = None
    ) -> None:
        from botocore.credentials import Credentials

        self.region = region
        self.service = service
        self._credentials: Credentials | None = None
        self._resolved = False
        if credentials is not None:
            self._credentials = Credentials(
                str(credentials["accessKeyId"]),
                str(credentials["secretAccessKey"]),
                credentials.get("sessionToken"),
            )
            self._resolved = True

    async def _current(self) -> Any:
        """Current credentials (botocore ``Credentials`` or a frozen ``ReadOnlyCredentials``)."""
        from botocore.credentials import RefreshableCredentials

        if not self._resolved:
            self._credentials = await asyncio.to_thread(_default_chain)
            self._resolved = True
        credentials = self._credentials
        if credentials is None:
            raise HttpError(
                HttpErrorType.SIGNING,
                "no AWS credentials to sign the request: set the data source's 'credentials' "
                "or the standard AWS variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)",
            )
        if isinstance(credentials, RefreshableCredentials):  # refreshing may call out
            return await asyncio.to_thread(credentials.get_frozen_credentials)
        return credentials

    async def sign(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> dict[str, str]:
        """``headers`` plus ``Authorization``, ``X-Amz-Date`` (and the session token)."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest

        credentials = await self._current()
        request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
        SigV4Auth(credentials, self.service, self.region).add_auth(request)
        return dict(request.headers.items())


def _default_chain() -> Credentials | None:
    import botocore.session

    credentials: Credentials | None = botocore.session.get_session().get_credentials()
    return credentials
