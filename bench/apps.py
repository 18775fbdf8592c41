"""The ASGI applications the bench's server processes run, as uvicorn ``--factory`` targets.

They read their configuration from the environment because uvicorn builds them in a fresh
process: ``BENCH_API_DIR`` for Syncline, ``BENCH_CEILING_RESPONSES`` for the ceiling.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

API_DIR_ENV = "BENCH_API_DIR"
CEILING_RESPONSES_ENV = "BENCH_CEILING_RESPONSES"


def syncline() -> Starlette:
    """Syncline serving the bench API, exactly as ``syncline serve`` builds it."""
    from web.app import create_app  # imported here: the ceiling process never loads Syncline

    return create_app(Path(os.environ[API_DIR_ENV]))


def ceiling() -> Starlette:
    """The most any GraphQL server on this ASGI stack could do: read the body, return bytes.

    ``BENCH_CEILING_RESPONSES`` names a JSON list of ``{request, content_type, body}`` captured
    from Syncline, so the ceiling sends the same bytes with the same headers. It keys on the
    request body, so one process answers every case; the lookup costs a hash of ~60 bytes.
    """
    entries = json.loads(Path(os.environ[CEILING_RESPONSES_ENV]).read_text(encoding="utf-8"))
    responses = {
        entry["request"].encode(): (entry["body"].encode(), entry["content_type"])
        for entry in entries
    }

    async def graphql(request: Request) -> Response:
        found = responses.get(await request.body())
        if found is None:
            return Response(b'{"errors":[{"message":"not a bench request"}]}', 400)
        body, content_type = found
        return Response(body, media_type=content_type)

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
