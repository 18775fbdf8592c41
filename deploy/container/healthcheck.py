"""The image's ``HEALTHCHECK``: ``GET /health`` on the server's own port; exit 0 when it is 200.

Python rather than curl, so the slim image needs no extra package. The port and scheme follow
the same ``SYNCLINE_*`` variables as ``syncline serve``; a degraded subscription broker still
answers 200 (docs/subscriptions.md, "Brokers"), so only a server that cannot answer is unhealthy.
"""

from __future__ import annotations

import os
import ssl
import sys
import urllib.error
import urllib.request


def health_url(environ: os._Environ[str] | dict[str, str]) -> str:
    port = environ.get("SYNCLINE_PORT") or "8000"
    scheme = "https" if environ.get("SYNCLINE_SSL_CERTFILE") else "http"
    return f"{scheme}://127.0.0.1:{port}/health"


def check(url: str, timeout: float = 3.0) -> bool:
    # The certificate names the public host, not 127.0.0.1: the check is liveness, not identity.
    context = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def main() -> int:
    return 0 if check(health_url(os.environ)) else 1


if __name__ == "__main__":
    sys.exit(main())
