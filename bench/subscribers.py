"""The subscribers of a mutation case: ``SUBSCRIBERS`` WebSocket clients in a load process.

``python -m bench`` starts this module as a child pinned to the load CPU (beside wrk) while it
drives a case that has a ``subscription``: each client speaks graphql-transport-ws on
``/graphql`` (``bench.subscriptions.Client``: frames are counted, not decoded, so the clients
keep up with the server) and subscribes with the case's subscription and its own id. Before
reporting ``ready`` the child sends the case's mutation until every client has received an
event (a subscription is registered some time after its ``subscribe`` frame), waits for quiet
and zeroes the counts. After wrk's runs the parent writes ``stop``; the child waits until no
event has arrived for a second and prints every client's count as JSON.

Every subscriber must then have received every event: all counts equal, and at least the
number of mutations wrk got answers to, at most that plus the requests still in flight when
wrk stopped (the server may have run those too). Anything else is a lost (or duplicated) event
and fails the bench.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.cases import SUBSCRIBERS, Case
from bench.servers import REPO, BenchError, RunningServer, pinned
from bench.subscriptions import Client, Stats, _run

QUIET_S = 1.0
"""No event for this long after wrk stopped: every event has been delivered."""


@dataclass(frozen=True)
class Deliveries:
    """What the subscribers of one server received during a case's wrk runs (warm-up included)."""

    subscribers: int
    fewest: int
    most: int
    answered: int
    """Mutations wrk got an answer to."""
    in_flight: int
    """Mutations wrk may have sent without waiting for the answer when it stopped."""

    @property
    def complete(self) -> bool:
        return self.fewest == self.most and self.answered <= self.fewest <= (
            self.answered + self.in_flight
        )

    def describe(self) -> str:
        received = (
            f"{self.fewest:,}" if self.fewest == self.most else f"{self.fewest:,} to {self.most:,}"
        )
        return (
            f"each of {self.subscribers} subscribers received {received} events for "
            f"{self.answered:,} answered mutations (+ at most {self.in_flight} in flight)"
        )


class SubscriberProcess:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def counts(self) -> list[int]:
        """Stop counting once the events stop; every subscriber's count."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        try:
            counts: list[int] = json.loads(line)["counts"]
        except (ValueError, KeyError) as error:
            raise BenchError(f"the subscriber process answered {line!r}") from error
        return counts


@contextmanager
def subscribed(server: RunningServer, case: Case, cpu: int) -> Iterator[SubscriberProcess]:
    """``SUBSCRIBERS`` clients of ``case.subscription`` on ``server``, pinned to ``cpu``."""
    if case.subscription is None:
        raise BenchError(f"{case.name} has no subscription")
    argv = [
        sys.executable, "-m", "bench.subscribers", server.url, "--ws", server.ws_url,
        "--count", str(SUBSCRIBERS),
        "--subscription", case.subscription, "--api-key", case.api.api_key,
        "--mutation", case.body.decode(),
    ]  # fmt: skip
    process = subprocess.Popen(
        pinned(cpu, argv),
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if line.strip() != "ready":
            raise BenchError(f"{case.name}: the subscribers did not get ready ({line!r})")
        yield SubscriberProcess(process)
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


# -- the child process -----------------------------------------------------------------------


async def _until(condition: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def _settle(stats: list[Stats], quiet: float, limit: float) -> None:
    """Wait until no subscriber has received anything for ``quiet`` seconds (at most ``limit``)."""
    deadline = time.monotonic() + limit
    total = -1
    while time.monotonic() < deadline:
        now = sum(s.received for s in stats)
        if now == total:
            return
        total = now
        await asyncio.sleep(quiet)


async def _subscribe(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    target = urlsplit(args.ws)
    host, port = target.hostname or "127.0.0.1", target.port or 80
    stats = [Stats() for _ in range(args.count)]
    readies: list[asyncio.Future[None]] = []
    clients: list[Client] = []
    for number in range(args.count):
        ready: asyncio.Future[None] = loop.create_future()
        readies.append(ready)
        _, client = await loop.create_connection(
            lambda n=number, r=ready: Client(port, n, stats[n], r, args.subscription, args.api_key),
            host,
            port,
        )
        clients.append(client)
    await asyncio.wait_for(asyncio.gather(*readies), 60)
    headers = {"content-type": "application/json", "x-api-key": args.api_key}
    async with httpx.AsyncClient(timeout=30) as http:
        for _ in range(50):  # until every subscription is registered and has had an event
            response = await http.post(args.url, content=args.mutation, headers=headers)
            response.raise_for_status()
            if await _until(lambda: all(s.received for s in stats), 0.5):
                break
        else:
            raise SystemExit("not every subscriber received the probe mutation's event")
    await _settle(stats, 0.3, 10)
    for s in stats:
        s.received = 0
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    await _settle(stats, QUIET_S, 60)
    print(json.dumps({"counts": [s.received for s in stats]}), flush=True)
    for client in clients:
        if client.transport is not None:
            client.transport.close()
    await asyncio.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscribers")
    parser.add_argument("url", help="the server's http://HOST:PORT/graphql (for the probe)")
    parser.add_argument("--ws", required=True, help="its ws://HOST:PORT/graphql")
    parser.add_argument("--count", type=int, default=SUBSCRIBERS)
    parser.add_argument("--subscription", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--mutation", required=True, help="the JSON body of the mutation case")
    _run(_subscribe(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
