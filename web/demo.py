"""``GET /demo``: a live web client for the orders example.

A page that lists a customer's orders and keeps them live through ``onOrderUpdated`` (over
graphql-transport-ws on ``WS /graphql``, spoken by a small script with the browser's own
WebSocket — nothing is fetched from elsewhere), with a form to place an order and buttons to
change an order's status (``updateOrderStatus`` is for Cognito ``admins``: paste a token from
``syncline token examples/orders --sub admin --groups admins``).

Served only for an API that has the fields the page uses; its settings (endpoint, API key) travel
in a JSON block, so the page keeps ``script-src 'self'``.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from string import Template

from graphql import GraphQLObjectType, GraphQLSchema
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "demo"
NEEDS = {"Mutation": ("placeOrder", "updateOrderStatus"), "Subscription": ("onOrderUpdated",)}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _has_fields(schema: GraphQLSchema) -> bool:
    for type_name, fields in NEEDS.items():
        type_ = schema.type_map.get(type_name)
        if not isinstance(type_, GraphQLObjectType) or any(f not in type_.fields for f in fields):
            return False
    return True


def demo_routes(schema: GraphQLSchema, api_key: str | None, title: str) -> list[BaseRoute]:
    if not _has_fields(schema):
        return []
    page = Template((ASSETS / "index.html").read_text())
    config = json.dumps({"graphqlPath": "/graphql", "apiKey": api_key}).replace("</", "<\\/")

    def demo(_request: Request) -> Response:
        body = page.substitute(title=html.escape(title), config=config)
        return HTMLResponse(body, headers={"content-security-policy": CSP})

    return [
        Route("/demo", demo, methods=["GET"]),
        Mount("/demo/assets", app=StaticFiles(directory=ASSETS)),
    ]
