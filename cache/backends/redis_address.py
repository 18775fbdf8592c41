"""Where the cache's Redis is: ``--redis-url`` read the way redis-py reads it.

The subscription broker (redis-py) takes the same ``--redis-url``, so the cache's own client
accepts the same forms: ``redis://[[user]:password@]host[:port][/db]``, ``rediss://…`` (TLS),
``unix://[[user]:password@]/path/to/redis.sock``, with ``?db=N`` (and ``password=``, ``username=``)
for any of them, and for TLS
``ssl_cert_reqs`` (``none``, ``optional``, ``required``; default ``required``), ``ssl_ca_certs``
and ``ssl_check_hostname``. Other query options tune redis-py's own client; the cache ignores
them with a warning.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("syncline.cache")

DEFAULT_PORT = 6379

_CERT_REQS = {
    "none": ssl.CERT_NONE,
    "optional": ssl.CERT_OPTIONAL,
    "required": ssl.CERT_REQUIRED,
}


@dataclass(frozen=True)
class RedisAddress:
    host: str | None = "127.0.0.1"
    port: int = DEFAULT_PORT
    path: str | None = None
    """A Unix socket instead of ``host`` and ``port``."""
    db: int = 0
    username: str | None = None
    password: str | None = None
    tls: ssl.SSLContext | None = None

    def __str__(self) -> str:
        """Where, for messages (never the credentials)."""
        return f"unix:{self.path}" if self.path else f"{self.host}:{self.port}"


def parse_redis_url(url: str) -> RedisAddress:
    """Raises ``ValueError`` for a URL that names no Redis."""
    parts = urlsplit(url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    db_text = query.pop("db", None)
    username, password = query.pop("username", None), query.pop("password", None)
    username = unquote(parts.username) if parts.username else username
    password = unquote(parts.password) if parts.password is not None else password
    if parts.scheme == "unix":
        if not parts.path:
            raise ValueError(f"{_redacted(url)}: a unix:// Redis URL needs a socket path")
        host, port, path = None, DEFAULT_PORT, unquote(parts.path)
    elif parts.scheme in ("redis", "rediss"):
        if parts.path.strip("/"):
            db_text = db_text or parts.path.strip("/")
        host, port, path = unquote(parts.hostname or "127.0.0.1"), parts.port or DEFAULT_PORT, None
    else:
        raise ValueError(
            f"unsupported Redis URL scheme {parts.scheme!r}: use redis:// or rediss://"
        )
    try:
        db = int(db_text) if db_text else 0
    except ValueError:
        raise ValueError(f"{_redacted(url)}: the database must be a number") from None
    tls = _tls_context(query, _redacted(url)) if parts.scheme == "rediss" else None
    for name in query:
        log.warning("the cache ignores the Redis URL option %r (redis-py's own)", name)
    return RedisAddress(
        host=host,
        port=port,
        path=path,
        db=db,
        username=username,
        password=password,
        tls=tls,
    )


def _tls_context(query: dict[str, str], url: str) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=query.pop("ssl_ca_certs", None))
    requirement = query.pop("ssl_cert_reqs", "required").lower()
    check_hostname = query.pop("ssl_check_hostname", None)
    if requirement not in _CERT_REQS:
        raise ValueError(f"{url}: ssl_cert_reqs must be one of {', '.join(_CERT_REQS)}")
    if requirement != "required" or (check_hostname or "").lower() in ("false", "0", "no"):
        context.check_hostname = False
    context.verify_mode = _CERT_REQS[requirement]
    return context


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)
