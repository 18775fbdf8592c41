"""Fan-out cost: filters and serialization run once per subscription shape, not per subscriber."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import websockets

from subscriptions.engine import Group, Message
from subscriptions.protocols.graphql_transport_ws.types import SUBPROTOCOL
from tests.apis import API_KEY
from tests.subscriptions.support import (
    create_ticket,
    in_thread,
    recv_json,
    send_json,
    serve,
    ticket_api,
    wait_for_subscriptions,
    ws_url,
)

OPS = 'subscription { onTicket(group: "ops") { id title } }'
DEV = 'subscription { onTicket(group: "dev") { id title } }'


def shape(group: Group) -> str:
    """The group's subscription document (its key is (field, document, ...))."""
    key = group.key
    assert isinstance(key, tuple)
    return str(key[1])


def test_one_filter_and_one_rendering_per_shape_per_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accepted: list[str] = []
    rendered: list[str] = []
    accepts, render = Group.accepts, Group.render

    def counting_accepts(self: Group, payload: Any) -> bool:
        accepted.append(shape(self))
        return accepts(self, payload)

    def counting_render(self: Group, payload: Any) -> Message:
        rendered.append(shape(self))
        return render(self, payload)

    monkeypatch.setattr(Group, "accepts", counting_accepts)
    monkeypatch.setattr(Group, "render", counting_render)

    async def run(base: str) -> None:
        clients = [
            await websockets.connect(ws_url(base), subprotocols=[SUBPROTOCOL])  # type: ignore[list-item]
            for _ in range(4)
        ]
        try:
            for number, (ws, query) in enumerate(zip(clients, [OPS, OPS, OPS, DEV], strict=True)):
                await send_json(ws, {"type": "connection_init", "payload": {"x-api-key": API_KEY}})
                await recv_json(ws)
                await send_json(
                    ws, {"id": f"sub-{number}", "type": "subscribe", "payload": {"query": query}}
                )
            await in_thread(wait_for_subscriptions, base, 4)
            await in_thread(create_ticket, base, id="t1", group="ops", title="disk")
            for number, ws in enumerate(clients[:3]):
                assert await recv_json(ws) == {
                    "id": f"sub-{number}",
                    "type": "next",
                    "payload": {"data": {"onTicket": {"id": "t1", "title": "disk"}}},
                }
        finally:
            for ws in clients:
                await ws.close()

    with serve(ticket_api(tmp_path / "api")) as base:
        asyncio.run(run(base))
    # Two shapes: each filtered once; only the matching one rendered, once for three members.
    assert sorted(accepted) == sorted([OPS, DEV])
    assert rendered == [OPS]
