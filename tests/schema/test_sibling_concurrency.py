"""Sibling resolvers that wait for I/O run concurrently (as graphql-core gathers them).

The upstream below answers only once two requests are in flight at the same time; resolved one
after another, the first request would wait for a partner that never comes and time out.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.apis import client_for, gql, write_api
from tests.serve import serving

PASSTHROUGH = """
def request(ctx):
    return {"method": "GET", "resourcePath": "/meet", "params": {"query": {"who": ctx.args["who"]}}}

def response(ctx):
    return ctx.result["body"] if ctx.result["statusCode"] == 200 else "alone"
"""


def _rendezvous_app() -> Starlette:
    arrived: list[asyncio.Event] = []

    async def meet(request: Request) -> JSONResponse:
        mine = asyncio.Event()
        arrived.append(mine)
        if len(arrived) % 2 == 0:
            for event in arrived[-2:]:
                event.set()
        try:
            await asyncio.wait_for(mine.wait(), timeout=5)
        except TimeoutError:
            return JSONResponse("alone", status_code=504)
        return JSONResponse(f"met {request.query_params['who']}")

    return Starlette(routes=[Route("/meet", meet)])


def test_sibling_http_resolvers_are_in_flight_together(tmp_path: Path) -> None:
    with serving(_rendezvous_app()) as upstream:
        root = write_api(
            tmp_path / "api",
            "type Query { meet(who: String!): String }\n",
            f"""
            dataSources:
              upstream:
                type: HTTP
                config:
                  endpoint: {upstream}
            resolvers:
              Query.meet:
                kind: UNIT
                dataSource: upstream
                code: meet.py
            """,
            {"meet.py": PASSTHROUGH},
        )
        with client_for(root) as client:
            body = gql(client, '{ a: meet(who: "a") b: meet(who: "b") }')
    assert body == {"data": {"a": '"met a"', "b": '"met b"'}}
