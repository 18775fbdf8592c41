"""Graceful shutdown of a real ``syncline serve`` process on SIGTERM (what ``docker stop`` sends):
a request in flight finishes with its answer, WebSocket clients of both paths get a close frame
with 1012 "service restart", new connections are refused, and the process exits cleanly."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol

from tests.apis import API_KEY, HEADERS, write_api
from tests.live import ROOT, free_port

SCHEMA = """
type Query { slow(seconds: Float!): String }
type Mutation { touch: String }
type Subscription { touched: String @aws_subscribe(mutations: ["touch"]) }
"""


def _slow_api(root: Path) -> Path:
    return write_api(
        root,
        SCHEMA,
        """\
        dataSources:
          slow:
            type: AWS_LAMBDA
            config:
              functionName: slow
          none:
            type: NONE
        resolvers:
          Query.slow:
            kind: UNIT
            dataSource: slow
            code: resolvers/slow.py
          Mutation.touch:
            kind: UNIT
            dataSource: none
            code: resolvers/touch.py
        """,
        {
            "resolvers/slow.py": """\
                def request(ctx):
                    return {"operation": "Invoke", "payload": {"seconds": ctx.args["seconds"]}}

                def response(ctx):
                    return ctx.result
                """,
            "resolvers/touch.py": """\
                def request(ctx):
                    return {"payload": "touched"}

                def response(ctx):
                    return ctx.result
                """,
            "lambdas/slow.py": """\
                import time

                def handler(event, context):
                    time.sleep(event["seconds"])
                    return f"slept {event['seconds']}"
                """,
        },
        top="""\
        functions:
          slow:
            handler: lambdas/slow.handler
            timeout: 30
        """,
    )


async def _graphql_transport_ws(url: str, ready: asyncio.Event, closed: dict[str, Any]) -> None:
    async with websockets.connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")]
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init", "payload": HEADERS}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": "subscription { touched }"}}
            )
        )
        await asyncio.sleep(0.2)
        ready.set()
        try:
            while True:
                await socket.recv()
        except websockets.ConnectionClosed as closure:
            closed["gtws"] = (closure.rcvd.code if closure.rcvd else None, closure.rcvd_then_sent)


async def _appsync_realtime(url: str, ready: asyncio.Event, closed: dict[str, Any]) -> None:
    import base64

    header = base64.b64encode(json.dumps({"host": "x", "x-api-key": API_KEY}).encode()).decode()
    async with websockets.connect(
        f"{url}?header={header}&payload=e30=", subprotocols=[Subprotocol("graphql-ws")]
    ) as socket:
        await socket.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await socket.recv())["type"] == "connection_ack"
        ready.set()
        try:
            while True:
                await socket.recv()
        except websockets.ConnectionClosed as closure:
            closed["realtime"] = (
                closure.rcvd.code if closure.rcvd else None,
                closure.rcvd_then_sent,
            )


def test_sigterm_lets_requests_finish_and_closes_websockets(tmp_path: Path) -> None:
    api = _slow_api(tmp_path / "api")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCLINE_")}
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "server.py"),
            "serve",
            str(api),
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
            "--graceful-timeout",
            "20",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.stdout.read().decode() if process.stdout else ""
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        answers: dict[str, Any] = {}

        def slow_request() -> None:
            answers["slow"] = httpx.post(
                f"{base}/graphql",
                json={"query": "{ slow(seconds: 2) }"},
                headers=HEADERS,
                timeout=30,
            )

        closed: dict[str, Any] = {}

        async def scenario() -> None:
            ws = base.replace("http", "ws", 1)
            ready = [asyncio.Event(), asyncio.Event()]
            clients = [
                asyncio.create_task(_graphql_transport_ws(f"{ws}/graphql", ready[0], closed)),
                asyncio.create_task(_appsync_realtime(f"{ws}/graphql/realtime", ready[1], closed)),
            ]
            await asyncio.wait_for(asyncio.gather(*(r.wait() for r in ready)), 10)
            request = threading.Thread(target=slow_request)
            request.start()
            await asyncio.sleep(0.5)  # the slow request is now in its resolver
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(asyncio.gather(*clients), 10)
            # The sockets closed at once, not after the slow request.
            assert time.monotonic() - started < 1.5
            await asyncio.sleep(0.3)
            try:
                await websockets.connect(
                    f"{ws}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
                )
                refused = False
            except OSError:
                refused = True
            assert refused, "a new connection was accepted during shutdown"
            await asyncio.to_thread(request.join, 20)

        asyncio.run(scenario())
        assert closed == {"gtws": (1012, True), "realtime": (1012, True)}
        answer = answers["slow"]
        assert answer.status_code == 200
        assert answer.json() == {"data": {"slow": "slept 2.0"}}
        assert process.wait(timeout=15) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
