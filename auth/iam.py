"""AWS_IAM authorization: Signature Version 4, verified against access keys in the config.

AWS General Reference, "Signature Version 4 signing process" (create a canonical request, a
string to sign, the signing key, the signature). The signature is recomputed exactly as AWS
does, from the client's own ``SignedHeaders`` — botocore signs ``content-type;host;x-amz-date``,
aws4-style signers add ``content-length``, the AWS JS SDK v3 adds ``x-amz-content-sha256`` — and
compared in constant time. Also checked: ``host`` is signed; the credential scope is
``<date>/<region>/appsync/aws4_request`` with the key's region and the date of ``X-Amz-Date``,
which must be within 5 minutes of now; ``X-Amz-Content-SHA256``, when present, equals the
body's hash; a key declared with a ``sessionToken`` needs that token in
``X-Amz-Security-Token``, and one without refuses any token.

Refusals are 403 with AWS's error types (``IncompleteSignatureException``,
``InvalidSignatureException``, ``UnrecognizedClientException``); see ``auth.errors``.

Access keys are Syncline's own config (``accessKeys`` under ``AWS_IAM``): AWS checks keys against
IAM; Syncline has no IAM, so a key is either declared (and allowed everything IAM mode may
reach) or unknown. IAM policies are not evaluated (**deviation**).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

from auth import errors
from auth.identity import ACCOUNT_ID, iam_identity, source_ips
from auth.modes import AuthContext, Authorization, Authorizer, Credentials, HttpCall, register
from schema.model import AuthMode, AuthProvider

SERVICE = "appsync"
TERMINATOR = "aws4_request"
MAX_SKEW = timedelta(minutes=5)
DEFAULT_REGION = "us-east-1"
_AMZ_DATE = re.compile(r"\d{8}T\d{6}Z")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9a-z-]+")


@dataclass(frozen=True)
class AccessKey:
    access_key_id: str
    secret_access_key: str
    region: str = DEFAULT_REGION
    account_id: str = ACCOUNT_ID
    username: str | None = None
    user_arn: str | None = None
    session_token: str | None = None

    @property
    def identity_username(self) -> str:
        return self.username or self.access_key_id

    @property
    def identity_arn(self) -> str:
        return self.user_arn or f"arn:aws:iam::{self.account_id}:user/{self.identity_username}"


@dataclass(frozen=True)
class SignatureParts:
    access_key_id: str
    scope_date: str
    region: str
    service: str
    terminator: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> SignatureParts:
    """``AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…``."""
    fields: dict[str, str] = {}
    for part in value.removeprefix("AWS4-HMAC-SHA256").split(","):
        name, sep, text = part.strip().partition("=")
        if sep:
            fields[name] = text
    missing = [n for n in ("Credential", "Signature", "SignedHeaders") if not fields.get(n)]
    if missing:
        raise errors.incomplete_signature(
            " ".join(f"Authorization header requires '{n}' parameter." for n in missing)
        )
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or not all(scope):
        raise errors.incomplete_signature(
            "Credential must have exactly 5 slash-delimited elements, "
            "e.g. keyid/date/region/service/term."
        )
    signed = tuple(fields["SignedHeaders"].split(";"))
    if not all(_HEADER_NAME.fullmatch(name) for name in signed):
        raise errors.incomplete_signature("SignedHeaders must be lower-case header names.")
    key_id, date, region, service, terminator = scope
    return SignatureParts(key_id, date, region, service, terminator, signed, fields["Signature"])


def remove_dot_segments(path: str) -> str:
    """RFC 3986, section 5.2.4, as SigV4 normalizes the path (all services but S3)."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    normalized = "/".join(segments)
    if path.endswith(("/.", "/..")):
        normalized += "/"
    return normalized if normalized.startswith("/") else "/" + normalized


def canonical_query(query: str) -> str:
    pairs = []
    for pair in query.split("&") if query else ():
        name, _, value = pair.partition("=")
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _header_values(headers: Mapping[str, str], name: str) -> list[str] | None:
    getlist = getattr(headers, "getlist", None)
    values = list(getlist(name)) if getlist is not None else []
    if not values and name in headers:
        values = [headers[name]]
    return values or None


def canonical_request(call: HttpCall, signed_headers: tuple[str, ...], payload_hash: str) -> str:
    lines = []
    for name in signed_headers:
        values = _header_values(call.headers, name)
        if values is None:
            raise errors.invalid_signature()
        lines.append(f"{name}:{','.join(' '.join(v.split()) for v in values)}")
    wire_path = call.raw_path if call.raw_path is not None else quote(call.path, safe="/~")
    return "\n".join(
        (
            call.method.upper(),
            quote(remove_dot_segments(wire_path), safe="/~"),
            canonical_query(call.query),
            "\n".join(lines) + "\n",
            ";".join(signed_headers),
            payload_hash,
        )
    )


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signature(secret: str, parts: SignatureParts, amz_date: str, canonical: str) -> str:
    scope = f"{parts.scope_date}/{parts.region}/{parts.service}/{parts.terminator}"
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    string_to_sign = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{digest}"
    key = _hmac(f"AWS4{secret}".encode(), parts.scope_date)
    for step in (parts.region, parts.service, parts.terminator):
        key = _hmac(key, step)
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _check_time(amz_date: str, now: datetime) -> None:
    try:
        moment = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise errors.incomplete_signature("X-Amz-Date is not a valid ISO 8601 date.") from None
    stamp = "%Y%m%dT%H%M%SZ"
    if moment < now - MAX_SKEW:
        earliest = (now - MAX_SKEW).strftime(stamp)
        raise errors.invalid_signature(
            f"Signature expired: {amz_date} is now earlier than {earliest} "
            f"({now.strftime(stamp)} - 5 min.)"
        )
    if moment > now + MAX_SKEW:
        latest = (now + MAX_SKEW).strftime(stamp)
        raise errors.invalid_signature(
            f"Signature not yet current: {amz_date} is still later than {latest} "
            f"({now.strftime(stamp)} + 5 min.)"
        )


class IamAuthorizer:
    mode = AuthMode.AWS_IAM

    def __init__(self, keys: Mapping[str, AccessKey], context: AuthContext) -> None:
        self.keys = dict(keys)
        self.clock = context.clock

    def claims(self, credentials: Credentials) -> bool:
        return credentials.is_sigv4()

    def _key(self, parts: SignatureParts, call: HttpCall) -> AccessKey:
        key = self.keys.get(parts.access_key_id)
        if key is None:
            raise errors.unrecognized_client()
        token = call.headers.get("x-amz-security-token")
        if (key.session_token is None) != (token is None) or (
            key.session_token is not None
            and not hmac.compare_digest(key.session_token.encode(), (token or "").encode())
        ):
            raise errors.unrecognized_client()
        return key

    async def authorize(self, call: HttpCall, credentials: Credentials) -> Authorization:
        parts = parse_authorization(credentials.authorization or "")
        amz_date = call.headers.get("x-amz-date")
        if amz_date is None or not _AMZ_DATE.fullmatch(amz_date):
            raise errors.incomplete_signature(
                "Authorization header requires existence of either a 'X-Amz-Date' or a "
                "'Date' header."
            )
        key = self._key(parts, call)
        if parts.scope_date != amz_date[:8]:
            shown = parts.scope_date if parts.scope_date.isdigit() else "?"
            raise errors.invalid_signature(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                f"date from HTTP: '{shown[:8]}' != '{amz_date[:8]}', from '{amz_date}'."
            )
        _check_time(amz_date, datetime.fromtimestamp(self.clock(), UTC))
        if parts.terminator != TERMINATOR:
            raise errors.invalid_signature(
                f"Credential should be scoped with a valid terminator: '{TERMINATOR}'."
            )
        if parts.service != SERVICE:
            raise errors.invalid_signature(
                f"Credential should be scoped to correct service: '{SERVICE}'."
            )
        if parts.region != key.region:
            raise errors.invalid_signature("Credential should be scoped to a valid region.")
        if "host" not in parts.signed_headers:
            raise errors.invalid_signature(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
            )
        payload_hash = hashlib.sha256(call.body).hexdigest()
        declared = call.headers.get("x-amz-content-sha256")
        if declared is not None and not hmac.compare_digest(
            declared.encode(), payload_hash.encode()
        ):
            raise errors.invalid_signature(
                "The provided 'x-amz-content-sha256' header does not match what was computed."
            )
        canonical = canonical_request(call, parts.signed_headers, payload_hash)
        expected = signature(key.secret_access_key, parts, amz_date, canonical)
        if not hmac.compare_digest(expected.encode(), parts.signature.encode()):
            raise errors.invalid_signature()
        ips = source_ips(call.headers.get("x-forwarded-for"), call.source_ip)
        identity = iam_identity(key.account_id, key.identity_username, key.identity_arn, ips)
        return Authorization(self.mode, identity)


def access_keys(provider: AuthProvider) -> dict[str, AccessKey]:
    keys = {}
    for entry in provider.config.get("accessKeys") or ():
        key = AccessKey(
            access_key_id=str(entry["accessKeyId"]),
            secret_access_key=str(entry["secretAccessKey"]),
            region=str(entry.get("region") or DEFAULT_REGION),
            account_id=str(entry.get("accountId") or ACCOUNT_ID),
            username=entry.get("username"),
            user_arn=entry.get("userArn"),
            session_token=entry.get("sessionToken"),
        )
        keys[key.access_key_id] = key
    return keys


@register(AuthMode.AWS_IAM)
def iam_authorizer(provider: AuthProvider, context: AuthContext) -> Authorizer:
    return IamAuthorizer(access_keys(provider), context)
