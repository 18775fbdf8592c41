"""A local Cognito token issuer, so user-pool-protected APIs run with no AWS account.

A Cognito mode with Syncline's ``localIssuer: true`` trusts tokens signed by a local RSA key
kept in the data dir (``<data dir>/local-issuer/signing-key.pem``, created on first use with
mode 0600). ``syncline token`` mints tokens with that key carrying the pool's real issuer
(``https://cognito-idp.<region>.amazonaws.com/<userPoolId>``) and Cognito's claims, so the same
verification code path runs as for a real pool; the server publishes the public key at
``/.well-known/jwks.json``.

Claims follow Amazon Cognito developer guide, "Understanding the identity (ID) token" and
"Understanding the access token".
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    # cryptography and pyjwt load with the key (first token issued or verified), not with the
    # server: API-key requests and the Lambda cold start never need them (bench/cold_start.py).
    from cryptography.hazmat.primitives.asymmetric import rsa

KEY_FILE = Path("local-issuer") / "signing-key.pem"
DEFAULT_CLIENT_ID = "syncline-local-client"
TokenUse = Literal["id", "access"]


def default_data_dir() -> Path:
    """Where the key lives when no ``--data-dir`` is given: ``$XDG_DATA_HOME/syncline``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "syncline"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class CognitoPool:
    user_pool_id: str
    region: str

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"


class LocalIssuer:
    """The signing key of one data dir, loaded (or created) on first use; thread-safe."""

    def __init__(self, data_dir: Path | None) -> None:
        self.key_path = (data_dir or default_data_dir()) / KEY_FILE
        self._key: rsa.RSAPrivateKey | None = None
        self._lock = threading.Lock()

    def private_key(self) -> rsa.RSAPrivateKey:
        with self._lock:
            if self._key is None:
                self._key = self._load_or_create()
            return self._key

    def _load_or_create(self) -> rsa.RSAPrivateKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        if not self.key_path.exists():
            self.key_path.parent.mkdir(parents=True, exist_ok=True)
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            temporary = self.key_path.with_name(f".{uuid.uuid4().hex}.tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(pem)
            try:
                os.link(temporary, self.key_path)  # atomic; another process may have won
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        loaded = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{self.key_path} does not hold an RSA private key")
        return loaded

    def public_jwk(self) -> dict[str, Any]:
        from jwt.algorithms import RSAAlgorithm

        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key().public_key(), as_dict=True)
        # RFC 7638 thumbprint as the key id, so a new key gets a new kid.
        thumbprint = json.dumps(
            {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]}, separators=(",", ":"), sort_keys=True
        )
        kid = _b64url(hashlib.sha256(thumbprint.encode()).digest())
        return {
            "kty": "RSA",
            "n": jwk["n"],
            "e": jwk["e"],
            "kid": kid,
            "alg": "RS256",
            "use": "sig",
        }

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def issue(
        self,
        pool: CognitoPool,
        sub: str,
        groups: Sequence[str] = (),
        expires_in: float = 3600,
        username: str | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        token_use: TokenUse = "id",
        email: str | None = None,
        now: float | None = None,
    ) -> str:
        """A signed Cognito ID or access token for ``sub``."""
        issued = int(time.time() if now is None else now)
        claims: dict[str, Any] = {"sub": sub}
        if groups:
            claims["cognito:groups"] = list(groups)
        claims.update(
            iss=pool.issuer,
            origin_jti=str(uuid.uuid4()),
            event_id=str(uuid.uuid4()),
            token_use=token_use,
            auth_time=issued,
            exp=issued + int(expires_in),
            iat=issued,
            jti=str(uuid.uuid4()),
        )
        if token_use == "id":
            claims.update({"cognito:username": username or sub, "aud": client_id})
            if email is not None:
                claims.update(email=email, email_verified=True)
        else:
            claims.update(
                client_id=client_id, scope="aws.cognito.signin.user.admin", username=username or sub
            )
        import jwt as pyjwt

        headers = {"kid": self.public_jwk()["kid"], "alg": "RS256"}
        return pyjwt.encode(claims, self.private_key(), algorithm="RS256", headers=headers)
