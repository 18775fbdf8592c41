"""Real clients against a real ``syncline serve`` of the orders example, over real sockets.

- npm ``graphql-ws`` (graphql-transport-ws) on ``WS /graphql``;
- PyPI ``gql``'s AppSync websockets transport on ``WS /graphql/realtime`` with an API key, a
  Cognito JWT from the local issuer (``syncline token``) and IAM (SigV4 by botocore, the
  example's access key pair).

Each test waits on ``/health`` until the server holds the subscription, then places an order
over HTTP and expects it to arrive.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.credentials import Credentials
from gql import Client, gql
from gql.transport.appsync_auth import (
    AppSyncApiKeyAuthentication,
    AppSyncAuthentication,
    AppSyncIAMAuthentication,
    AppSyncJWTAuthentication,
)
from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

from tests.live import ROOT, running_server
from tests.subscriptions.support import mutate, wait_for_subscriptions, wait_for_subscriptions_async

EXAMPLE = ROOT / "examples" / "orders"
API_KEY = "da2-syncline-local-example-key"
NODE_CLIENT = Path(__file__).parent / "clients" / "graphql_ws_subscribe.mjs"
SUBSCRIPTION = """subscription Orders($customerId: ID) {
  onOrderUpdated(customerId: $customerId) { id customerId status total }
}"""
PLACE = """mutation Place($customerId: ID!) {
  placeOrder(input: {customerId: $customerId, items: [{sku: "A", quantity: 2, price: 5.5}],
                     cardToken: "tok_visa"}) { id customerId status total }
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("data")
    with running_server(EXAMPLE, data_dir) as base:
        yield base, data_dir


def place(base: str, customer: str) -> dict[str, Any]:
    body = mutate(base, PLACE, {"customerId": customer}, api_key=API_KEY)
    order: dict[str, Any] = body["data"]["placeOrder"]
    return order


async def place_async(base: str, customer: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            f"{base}/graphql",
            json={"query": PLACE, "variables": {"customerId": customer}},
            headers={"x-api-key": API_KEY},
        )
    order: dict[str, Any] = response.json()["data"]["placeOrder"]
    return order


def test_npm_graphql_ws_client(server: tuple[str, Path]) -> None:
    base, _ = server
    node = shutil.which("node")
    assert node is not None, "node is required (scripts/ensure-test-deps.sh)"
    assert (ROOT / "node_modules" / "graphql-ws").is_dir(), "run scripts/ensure-test-deps.sh"
    query = 'subscription { onOrderUpdated(customerId: "npm-1") { id customerId status total } }'
    client = subprocess.Popen(
        [
            node,
            str(NODE_CLIENT),
            base.replace("http", "ws") + "/graphql",
            API_KEY,
            query,
            "2",
            "20000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_subscriptions(base, 1)
        first = place(base, "npm-1")
        place(base, "someone-else")
        second = place(base, "npm-1")
        out, err = client.communicate(timeout=30)
    finally:
        client.kill()
    assert client.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == [
        {"connected": True},
        {"data": {"onOrderUpdated": first}},
        {"data": {"onOrderUpdated": second}},
    ]
    wait_for_subscriptions(base, 0)


def _token(base: str, data_dir: Path) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "server.py"), "token", str(EXAMPLE), "--sub", "alice",
         "--data-dir", str(data_dir)],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    return result.stdout.strip()


def _auth(kind: str, host: str, base: str, data_dir: Path) -> AppSyncAuthentication:
    if kind == "api-key":
        return AppSyncApiKeyAuthentication(host=host, api_key=API_KEY)
    if kind == "jwt":
        return AppSyncJWTAuthentication(host=host, jwt=_token(base, data_dir))
    credentials = Credentials("AKIASYNCLINEEXAMPLE", "syncline-example-secret-access-key")
    return AppSyncIAMAuthentication(host=host, region_name="us-east-1", credentials=credentials)


@pytest.mark.parametrize("kind", [pytest.param(k, id=k) for k in ("api-key", "jwt", "iam")])
def test_gql_appsync_transport(server: tuple[str, Path], kind: str) -> None:
    base, data_dir = server
    host = base.removeprefix("http://")
    customer = f"gql-{kind}"
    auth = _auth(kind, host, base, data_dir)

    async def run() -> list[dict[str, Any]]:
        transport = AppSyncWebsocketsTransport(
            url=f"ws://{host}/graphql/realtime", auth=auth, connect_timeout=10
        )
        received: list[dict[str, Any]] = []
        async with Client(transport=transport) as session:
            request = gql(SUBSCRIPTION)
            request.variable_values = {"customerId": customer}

            async def listen() -> None:
                async for result in session.subscribe(request):
                    received.append(result)
                    if len(received) == 2:
                        return

            listener = asyncio.create_task(listen())
            waiting = asyncio.create_task(wait_for_subscriptions_async(base, 1))
            await asyncio.wait({listener, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if listener.done():
                listener.result()  # the subscription failed: raise why
            await waiting
            orders = [await place_async(base, customer) for _ in range(2)]
            await asyncio.wait_for(listener, 10)
        assert received == [{"onOrderUpdated": order} for order in orders]
        return received

    asyncio.run(run())
    wait_for_subscriptions(base, 0)
