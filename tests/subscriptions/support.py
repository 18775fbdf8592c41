"""Shared by the subscription tests: a ticket API, a real uvicorn server, wire helpers.

The server runs in a thread on a real 127.0.0.1 socket with the same WebSocket implementation
``syncline serve`` uses (``subscriptions.uvicorn_ws``), so the protocols are tested as clients see them;
``settings`` shrink the timeouts and limits that the tests exercise.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from subscriptions.protocols.base import RealtimeSettings
from subscriptions.uvicorn_ws import WS_PROTOCOL
from tests.apis import API_KEY, write_api
from tests.serve import serving
from web.api import load_api
from web.app import create_app_for

SCHEMA = """
type Query { ticket(id: ID!): Ticket }
type Ticket {
  id: ID!
  group: String
  severity: Int
  title: String
  tags: [String]
  secret: String
  owner: Owner
}
type Owner { name: String }
input TicketInput {
  id: ID!
  group: String
  severity: Int
  title: String
  tags: [String]
  secret: String
  ownerName: String
}
type Mutation {
  createTicket(input: TicketInput!): Ticket
  failTicket(input: TicketInput!): Ticket
  removeGroup(group: String!): String
}
type Subscription {
  onTicket(group: String, severity: Int): Ticket @aws_subscribe(mutations: ["createTicket", "failTicket"])
  onSevere: Ticket @aws_subscribe(mutations: ["createTicket"])
  onGroup(group: String!): Ticket @aws_subscribe(mutations: ["createTicket"])
  onRefused: Ticket @aws_subscribe(mutations: ["createTicket"])
}
"""

CONFIG = """
dataSources:
  none:
    type: NONE
resolvers:
  Mutation.createTicket:
    kind: UNIT
    dataSource: none
    code: resolvers/createTicket.py
  Mutation.failTicket:
    kind: UNIT
    dataSource: none
    code: resolvers/failTicket.py
  Mutation.removeGroup:
    kind: UNIT
    dataSource: none
    code: resolvers/removeGroup.py
  Subscription.onSevere:
    kind: UNIT
    dataSource: none
    code: resolvers/onSevere.py
  Subscription.onGroup:
    kind: UNIT
    dataSource: none
    code: resolvers/onGroup.py
  Subscription.onRefused:
    kind: UNIT
    dataSource: none
    code: resolvers/onRefused.py
"""

FILES = {
    "resolvers/createTicket.py": """
        def request(ctx):
            ticket = dict(ctx.args["input"])
            owner = ticket.pop("ownerName", None)
            ticket["owner"] = {"name": owner} if owner else None
            return {"payload": ticket}

        def response(ctx):
            return ctx.result
    """,
    "resolvers/failTicket.py": """
        from syncline import util

        def request(ctx):
            util.error("no tickets today", "TicketError")

        def response(ctx):
            return ctx.result
    """,
    "resolvers/removeGroup.py": """
        from syncline import extensions

        def request(ctx):
            return {"payload": ctx.args["group"]}

        def response(ctx):
            extensions.invalidate_subscriptions(
                {"subscriptionField": "onGroup", "payload": {"group": ctx.args["group"]}}
            )
            return ctx.result
    """,
    "resolvers/onSevere.py": """
        from syncline import extensions, util

        def request(ctx):
            return {"payload": None}

        def response(ctx):
            extensions.set_subscription_filter(
                util.transform.to_subscription_filter({"severity": {"ge": 3}})
            )
            return None
    """,
    "resolvers/onGroup.py": """
        from syncline import extensions

        def request(ctx):
            return {"payload": None}

        def response(ctx):
            extensions.set_subscription_invalidation_filter(
                {"filterGroup": [{"filters": [
                    {"fieldName": "group", "operator": "eq", "value": ctx.args["group"]}
                ]}]}
            )
            return None
    """,
    "resolvers/onRefused.py": """
        from syncline import util

        def request(ctx):
            util.unauthorized()

        def response(ctx):
            return None
    """,
}

CREATE = """mutation Create($input: TicketInput!) {
  createTicket(input: $input) { id group severity title tags owner { name } }
}"""

ASGI_SEND = "websockets-sansio"
"""uvicorn's stock sans-I/O WebSocket protocol: no frame writer, so the ASGI ``send`` path."""

TEST_SETTINGS = RealtimeSettings(
    init_timeout=1.0,
    keepalive_interval=60.0,
    idle_timeout=60.0,
    max_subscriptions=3,
    max_payload_bytes=4096,
    max_message_bytes=4096,
    tick_interval=0.1,
)


def ticket_api(root: Path) -> Path:
    return write_api(root, SCHEMA, CONFIG, FILES)


@contextlib.contextmanager
def serve(
    api_dir: Path,
    settings: RealtimeSettings = TEST_SETTINGS,
    data_dir: Path | None = None,
    ws: str = WS_PROTOCOL,
) -> Iterator[str]:
    """Serve ``api_dir`` on a real uvicorn in a thread; yields ``http://127.0.0.1:PORT``.

    ``ws`` is uvicorn's WebSocket implementation: ``syncline serve``'s by default (frames written
    straight to the transport), or ``ASGI_SEND`` (uvicorn's own sans-I/O protocol, so messages go
    through the ASGI ``send`` as under any other server)."""
    app = create_app_for(load_api(api_dir, data_dir), realtime_settings=settings)
    with serving(app, ws=ws, ws_per_message_deflate=False) as base:
        yield base


def ws_url(base: str, path: str = "/graphql") -> str:
    return base.replace("http://", "ws://").replace("https://", "wss://") + path


def mutate(
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    api_key: str = API_KEY,
    **client: Any,
) -> Any:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables},
        headers={"x-api-key": api_key},
        timeout=10,
        **client,
    )
    assert response.status_code == 200, response.text
    return response.json()


def create_ticket(base: str, **fields: Any) -> Any:
    return mutate(base, CREATE, {"input": fields})


def subscription_count(base: str, **client: Any) -> int:
    body = httpx.get(f"{base}/health", timeout=5, **client).json()
    return int(body["subscriptions"]["subscriptions"])


def wait_for_subscriptions(base: str, count: int, timeout: float = 10, **client: Any) -> None:
    """Wait until the server holds ``count`` subscriptions (a start is registered)."""
    deadline = time.monotonic() + timeout
    while subscription_count(base, **client) != count:
        assert time.monotonic() < deadline, f"expected {count} subscriptions"
        time.sleep(0.02)


async def wait_for_subscriptions_async(base: str, count: int, timeout: float = 10) -> None:
    """``wait_for_subscriptions`` without a thread (CPython 3.11 can fail compiling modules that
    two threads import at once, so async tests keep to the event loop)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(timeout=5) as client:
        while True:
            body = (await client.get(f"{base}/health")).json()
            if body["subscriptions"]["subscriptions"] == count:
                return
            assert time.monotonic() < deadline, f"expected {count} subscriptions"
            await asyncio.sleep(0.02)


async def recv_json(ws: ClientConnection, timeout: float = 5) -> Any:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def send_json(ws: ClientConnection, message: Any) -> None:
    await ws.send(json.dumps(message))


async def expect_close(ws: ClientConnection, timeout: float = 5) -> tuple[int | None, str | None]:
    """Read until the server closes; returns (code, reason)."""
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    assert ws.close_code is not None
    return ws.close_code, ws.close_reason


async def in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    return await asyncio.to_thread(function, *args, **kwargs)
