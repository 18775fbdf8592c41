"""The ceiling: the ASGI application the bench runs beside Syncline, a uvicorn ``--factory`` target.

It reads its configuration from the environment because uvicorn builds it in a fresh process
(``BENCH_CEILING_RESPONSES``). Syncline itself runs as ``syncline serve`` (``bench.servers``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

CEILING_RESPONSES_ENV = "BENCH_CEILING_RESPONSES"


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
