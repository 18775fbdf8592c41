"""GraphiQL for `GET /graphql`, served entirely from this package (no CDN).

Syncline must work with no internet (DESIGN.md, "GraphiQL at /graphql, working with no
internet"), so React, ReactDOM, GraphiQL and its explorer plugin are vendored in
`web/static/graphiql/` (see the README there for versions, licenses and the refresh script).

The page holds no inline script: its settings travel in a JSON data block and a static boot
script (`syncline-graphiql.js`) reads them. That keeps the Content-Security-Policy at
`script-src 'self'`, which matters because the page carries an API key.

Asset URLs carry a content hash (`?v=…`); `graphiql_static_app()` marks such requests immutable
for a year and everything else `no-cache`, so upgrading a vendored file never serves a stale one.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
from collections.abc import Mapping
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["ASSETS_DIR", "graphiql_static_app", "render_graphiql"]

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"

# Load order matters: the UMD builds publish globals (React, ReactDOM, GraphiQL) that the next
# script reads.
_SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "plugin-explorer.umd.js",
    "syncline-graphiql.js",
)
_STYLESHEETS = ("graphiql.min.css", "plugin-explorer.css")

_IMMUTABLE = "public, max-age=31536000, immutable"

_DEFAULT_QUERY = """\
# Syncline GraphiQL: write a query here and press the run button (Ctrl-Enter).
# The API key is pre-filled in the Headers tab below; the Docs and Explorer
# buttons on the left browse the schema.

{
  __typename
}
"""

_PAGE = Template("""\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>$title</title>
    <link rel="icon" href="data:,">
$stylesheets
    <style>
      html, body { height: 100%; margin: 0; }
      #graphiql { height: 100vh; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading…</div>
    <script id="syncline-graphiql-config" type="application/json">$config</script>
$scripts
  </body>
</html>
""")


def render_graphiql(
    *,
    endpoint: str,
    assets_path: str,
    default_headers: Mapping[str, str],
    title: str,
    subscription_endpoint: str | None = None,
) -> HTMLResponse:
    """Render the GraphiQL page.

    `endpoint` is where queries are POSTed as JSON (relative URLs resolve against the page);
    `assets_path` is the URL prefix `graphiql_static_app()` is mounted at; `default_headers`
    pre-fill GraphiQL's headers editor (e.g. the example API's `x-api-key`) and are never
    persisted in the browser. Subscriptions go over graphql-transport-ws to
    `subscription_endpoint`, by default `endpoint` with a ws/wss scheme.
    """
    prefix = assets_path.rstrip("/")
    versions = _asset_versions()

    def url(name: str) -> str:
        return html.escape(f"{prefix}/{name}?v={versions[name]}", quote=True)

    config = {
        "endpoint": endpoint,
        "subscriptionEndpoint": subscription_endpoint,
        "headers": dict(default_headers),
        "defaultQuery": _DEFAULT_QUERY,
    }
    page = _PAGE.substitute(
        title=html.escape(title),
        stylesheets="\n".join(f'    <link rel="stylesheet" href="{url(n)}">' for n in _STYLESHEETS),
        scripts="\n".join(f'    <script src="{url(n)}"></script>' for n in _SCRIPTS),
        config=_json_for_script_element(config),
    )
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": _content_security_policy(endpoint, subscription_endpoint),
            # The page embeds an API key: keep it out of every cache.
            "Cache-Control": "no-store",
            # /graphql answers JSON or this page depending on Accept.
            "Vary": "Accept",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


class _GraphiQLStaticFiles(StaticFiles):
    """StaticFiles whose content-hashed URLs (`?v=…`, as the page links them) cache for a year."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = _IMMUTABLE if versioned else "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def graphiql_static_app() -> StaticFiles:
    """The ASGI app serving the vendored GraphiQL assets; mount it at `render_graphiql`'s `assets_path`."""
    return _GraphiQLStaticFiles(directory=ASSETS_DIR)


@functools.cache
def _asset_versions() -> Mapping[str, str]:
    """Short content hashes of the linked assets, computed once per process."""
    return {
        name: hashlib.sha256((ASSETS_DIR / name).read_bytes()).hexdigest()[:16]
        for name in (*_SCRIPTS, *_STYLESHEETS)
    }


def _json_for_script_element(value: object) -> str:
    """JSON that cannot end its `<script>` element early or open a comment inside it.

    Escaping `<`, `>` and `&` as JSON unicode escapes is enough (HTML spec, "Restrictions for
    contents of script elements"); `JSON.parse` restores them.
    """
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _content_security_policy(endpoint: str, subscription_endpoint: str | None) -> str:
    # 'self' covers same-host ws:/wss: too (CSP Level 3, "Does url match source list").
    connect = ["'self'"]
    for target in (endpoint, subscription_endpoint or ""):
        parts = urlsplit(target)
        if parts.scheme and parts.netloc:
            for scheme in _scheme_family(parts.scheme):
                origin = f"{scheme}://{parts.netloc}"
                if origin not in connect:
                    connect.append(origin)
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            # GraphiQL and CodeMirror set inline styles at run time.
            "style-src 'self' 'unsafe-inline'",
            # The vendored CSS embeds its fonts and icons as data: URLs.
            "font-src 'self' data:",
            "img-src 'self' data:",
            f"connect-src {' '.join(connect)}",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def _scheme_family(scheme: str) -> tuple[str, ...]:
    """An HTTP endpoint's WebSocket twin, and the reverse, so one origin allows both."""
    families = {
        "http": ("http", "ws"),
        "https": ("https", "wss"),
        "ws": ("ws", "http"),
        "wss": ("wss", "https"),
    }
    return families.get(scheme.lower(), (scheme.lower(),))
