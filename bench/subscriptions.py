"""Subscription fan-out benchmark: ``python -m bench.subscriptions [--quick] [--only ...]``.

The server (``syncline serve bench/apis/realtime``, one process) is pinned to CPU 0; this process,
the load generator, pins itself to CPU 1. Clients are raw asyncio protocols on uvloop speaking
graphql-transport-ws; once subscribed they only split frames and count them (no JSON decoding,
no object per message), so the generator keeps up with the server. Each client subscribes with
its own id, as real clients do, so the server builds every subscriber's message itself.

Measured, for 1,000 and 10,000 subscribers of one subscription:

- **mutation-to-last-delivery p50/p99**: mutations sent one at a time; per mutation, from just
  before the HTTP request is sent to the moment the last subscriber got its message. Its
  single-mutation rate is subscribers ÷ p50.
- **delivered messages/s**: a burst of mutations sent at once; messages received ÷ time from
  the first mutation sent to the last message received.
- **server CPU per message**: the server's user + system CPU time (``/proc/PID/stat``) over a
  phase ÷ messages delivered in it. It does not depend on what else runs on the machine.
- **other load**: the share of each CPU that other processes used meanwhile (``/proc/stat``
  minus the server's or generator's own time). Wall-clock figures are only comparable between
  runs where it was low. ``--nice N`` runs the server and the generator at priority -N (root
  only), so that other work on a shared machine takes less of their CPUs.
- **RSS per idle subscribed connection** at 10,000: server RSS growth ÷ connections;
- **RSS drift**: server RSS after 100,000 and after 200,000 delivered events.

Results are printed and written to ``bench/results/subscriptions.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
API_DIR = REPO / "bench" / "apis" / "realtime"
API_KEY = "da2-syncline-bench-key"
RESULTS = REPO / "bench" / "results" / "subscriptions.json"
SUBSCRIPTION = 'subscription { onMessage(room: "bench") { id room body sentAt } }'
MUTATION = 'mutation S($b: String!, $t: Float!) { send(room: "bench", body: $b, sentAt: $t) { id room body sentAt } }'
SERVER_CPU = 0
CLIENT_CPU = 1
TICKS = os.sysconf("SC_CLK_TCK")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` (``/proc/PID/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _busy_seconds() -> dict[int, float]:
    """Busy (non-idle, non-iowait) seconds of each CPU since boot."""
    busy = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *values = line.split()
        if name.startswith("cpu") and name != "cpu":
            ticks = [int(v) for v in values]
            busy[int(name[3:])] = (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICKS
    return busy


class Meter:
    """CPU time of the server, of this generator and of each CPU over one phase."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.wall = time.perf_counter()
        self.server = _cpu_seconds(pid)
        self.client = time.process_time()
        self.busy = _busy_seconds()

    def stop(self, messages: int) -> dict[str, float]:
        wall = time.perf_counter() - self.wall
        server = _cpu_seconds(self.pid) - self.server
        client = time.process_time() - self.client
        busy = _busy_seconds()
        cpu0 = busy.get(SERVER_CPU, 0.0) - self.busy.get(SERVER_CPU, 0.0)
        cpu1 = busy.get(CLIENT_CPU, 0.0) - self.busy.get(CLIENT_CPU, 0.0)
        return {
            "server_cpu_us_per_message": round(server / messages * 1e6, 2),
            "loadgen_cpu_us_per_message": round(client / messages * 1e6, 2),
            "server_cpu_share": round(server / wall, 2),
            "other_load_cpu0": round(max(0.0, cpu0 - server) / wall, 2),
            "other_load_cpu1": round(max(0.0, cpu1 - client) / wall, 2),
        }


def _pin(cpu: int, nice: int = 0) -> None:
    if hasattr(os, "sched_setaffinity") and cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {cpu})
    if nice:
        os.setpriority(os.PRIO_PROCESS, 0, -nice)


def _raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextlib.contextmanager
def server(port: int, data_dir: Path, nice: int = 0) -> Iterator[subprocess.Popen[bytes]]:
    def setup() -> None:
        _pin(SERVER_CPU, nice)
        _raise_fd_limit()

    process = subprocess.Popen(
        [sys.executable, str(REPO / "server.py"), "serve", str(API_DIR), "--port", str(port),
         "--data-dir", str(data_dir), "--log-level", "warning"],
        cwd=REPO, preexec_fn=setup, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"server did not start: {process.stderr.read().decode() if process.stderr else ''}"
                )
            time.sleep(0.1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- a minimal graphql-transport-ws client: one asyncio Protocol per connection -----------------


def _frame(text: str) -> bytes:
    """A masked text frame (clients must mask; the mask can be fixed for a benchmark)."""
    payload = text.encode()
    mask = b"\x01\x02\x03\x04"
    n = len(payload)
    if n < 126:
        header = bytes([0x81, 0x80 | n])
    elif n < 65536:
        header = bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big")
    else:
        header = bytes([0x81, 0x80 | 127]) + n.to_bytes(8, "big")
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


@dataclass
class Stats:
    received: int = 0
    last: float = 0.0
    """When the latest message arrived (``time.perf_counter``)."""


class Client(asyncio.Protocol):
    def __init__(
        self,
        port: int,
        number: int,
        stats: Stats,
        ready: asyncio.Future[None],
        subscription: str = SUBSCRIPTION,
        api_key: str = API_KEY,
    ) -> None:
        self.port = port
        self.number = number
        self.stats = stats
        self.ready = ready
        self.subscription = subscription
        self.api_key = api_key
        self.buffer = b""
        self.upgraded = False
        self.subscribed = False
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # uvloop's transports are not asyncio.Transport subclasses
        key = base64.b64encode(os.urandom(16)).decode()
        self.transport.write(
            (
                f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )

    def data_received(self, data: bytes) -> None:
        if self.subscribed and not self.buffer:
            # The steady state: count whole frames without copying; keep a partial one.
            end = len(data)
            offset = count = 0
            while offset + 2 <= end:
                length = data[offset + 1] & 0x7F
                header = 2
                if length == 126:
                    if offset + 4 > end:
                        break
                    length = int.from_bytes(data[offset + 2 : offset + 4], "big")
                    header = 4
                elif length == 127:
                    if offset + 10 > end:
                        break
                    length = int.from_bytes(data[offset + 2 : offset + 10], "big")
                    header = 10
                if offset + header + length > end:
                    break
                offset += header + length
                count += 1
            if count:
                stats = self.stats
                stats.received += count
                stats.last = time.perf_counter()
            if offset < end:
                self.buffer = data[offset:]
            return
        self.buffer += data
        if not self.upgraded and not self._upgrade():
            return
        while len(self.buffer) >= 2:
            length = self.buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(self.buffer) < 4:
                    return
                length = int.from_bytes(self.buffer[2:4], "big")
                offset = 4
            elif length == 127:
                if len(self.buffer) < 10:
                    return
                length = int.from_bytes(self.buffer[2:10], "big")
                offset = 10
            if len(self.buffer) < offset + length:
                return
            self.buffer = self.buffer[offset + length :]
            self.message()

    def _upgrade(self) -> bool:
        """Read the 101 response once it is complete, then send connection_init."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        assert self.buffer.startswith(b"HTTP/1.1 101"), self.buffer[:80]
        self.buffer = self.buffer[end + 4 :]
        self.upgraded = True
        self.transport.write(
            _frame(json.dumps({"type": "connection_init", "payload": {"x-api-key": self.api_key}}))
        )
        return True

    def message(self) -> None:
        if not self.subscribed:
            # connection_ack: subscribe with this client's own id
            self.subscribed = True
            payload = {"query": self.subscription}
            message = {"id": str(self.number), "type": "subscribe", "payload": payload}
            self.transport.write(_frame(json.dumps(message)))
            if not self.ready.done():
                self.ready.set_result(None)
            return
        self.stats.received += 1
        self.stats.last = time.perf_counter()


def _factory(
    port: int, number: int, stats: Stats, ready: asyncio.Future[None]
) -> Callable[[], Client]:
    return lambda: Client(port, number, stats, ready)


async def connect(port: int, count: int, stats: Stats) -> list[Client]:
    loop = asyncio.get_running_loop()
    clients: list[Client] = []
    for start in range(0, count, 500):
        batch = []
        for number in range(start, min(start + 500, count)):
            ready: asyncio.Future[None] = loop.create_future()
            _, client = await loop.create_connection(
                _factory(port, number, stats, ready), "127.0.0.1", port
            )
            clients.append(client)
            batch.append(ready)
        await asyncio.gather(*batch)
    return clients


async def wait_subscribed(http: httpx.AsyncClient, count: int) -> None:
    deadline = time.monotonic() + 120
    while (await http.get("/health")).json()["subscriptions"]["subscriptions"] < count:
        if time.monotonic() > deadline:
            raise RuntimeError("subscribers did not all register")
        await asyncio.sleep(0.1)


async def send(http: httpx.AsyncClient, n: int) -> float:
    sent = time.perf_counter()
    response = await http.post(
        "/graphql",
        json={"query": MUTATION, "variables": {"b": f"m{n}", "t": sent}},
        headers={"x-api-key": API_KEY},
    )
    response.raise_for_status()
    return sent


async def wait_received(stats: Stats, total: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while stats.received < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"received {stats.received} of {total} messages")
        await asyncio.sleep(0.002)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def fan_out(port: int, pid: int, subscribers: int, rounds: int, burst: int) -> dict[str, Any]:
    stats = Stats()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        clients = await connect(port, subscribers, stats)
        await wait_subscribed(http, subscribers)
        for n in range(3):  # warm-up
            target = stats.received + subscribers
            await send(http, -1 - n)
            await wait_received(stats, target)
        # Latency: one mutation at a time, the last arrival of each.
        latencies = []
        meter = Meter(pid)
        for n in range(rounds):
            target = stats.received + subscribers
            sent = await send(http, n)
            await wait_received(stats, target)
            latencies.append(stats.last - sent)
        sequential = meter.stop(subscribers * rounds)
        # Throughput: a burst of mutations back to back.
        target = stats.received + subscribers * burst
        meter = Meter(pid)
        first = time.perf_counter()
        await asyncio.gather(*(send(http, rounds + n) for n in range(burst)))
        await wait_received(stats, target)
        elapsed = stats.last - first
        bursting = meter.stop(subscribers * burst)
        for client in clients:
            if client.transport is not None:
                client.transport.close()
        await asyncio.sleep(0.5)
    p50 = statistics.median(latencies)
    return {
        "subscribers": subscribers,
        "delivered_per_second": round(subscribers * burst / elapsed),
        "last_delivery_p50_ms": round(p50 * 1000, 1),
        "last_delivery_p99_ms": round(_percentile(latencies, 0.99) * 1000, 1),
        "last_delivery_max_ms": round(max(latencies) * 1000, 1),
        "single_mutation_delivered_per_second": round(subscribers / p50),
        "rounds": rounds,
        "burst": burst,
        "one_at_a_time": sequential,
        "in_burst": bursting,
    }


async def memory(port: int, pid: int, connections: int, events: int) -> dict[str, Any]:
    stats = Stats()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        for n in range(20):  # warm up code paths and caches before the baseline
            await send(http, n)
        await asyncio.sleep(1)
        before = _rss_kib(pid)
        clients = await connect(port, connections, stats)
        await wait_subscribed(http, connections)
        await asyncio.sleep(1)
        idle = _rss_kib(pid)
        per_connection = (idle - before) / connections
        # RSS while delivering: events x connections messages, sampled at half and at the end.
        per_mutation = connections
        mutations = events // per_mutation
        samples = []
        for n in range(mutations):
            await send(http, n)
            if (n + 1) % 10 == 0:
                await wait_received(stats, (n + 1) * per_mutation)
            if n + 1 == mutations // 2 or n + 1 == mutations:
                await wait_received(stats, (n + 1) * per_mutation)
                samples.append(_rss_kib(pid))
        for client in clients:
            if client.transport is not None:
                client.transport.close()
    return {
        "connections": connections,
        "rss_before_kib": before,
        "rss_idle_kib": idle,
        "rss_per_idle_connection_kib": round(per_connection, 2),
        "delivered_events": mutations * per_mutation,
        "rss_at_half_kib": samples[0],
        "rss_at_end_kib": samples[1],
        "rss_drift_percent": round((samples[1] - samples[0]) / samples[0] * 100, 1),
    }


def _run(coroutine: Any) -> Any:
    """The generator uses uvloop when it is installed (uvicorn[standard] brings it): the client
    side must parse messages faster than the server sends them."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions")
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    parser.add_argument(
        "--only", choices=("fan-out", "memory"), help="run one of the two measurements"
    )
    parser.add_argument("--rounds", type=int, help="mutations sent one at a time (default 100)")
    parser.add_argument("--burst", type=int, default=20, help="mutations sent at once")
    parser.add_argument(
        "--nice", type=int, default=0, help="run server and generator at priority -N (root)"
    )
    args = parser.parse_args(argv)
    _pin(CLIENT_CPU, args.nice)
    _raise_fd_limit()
    from tests.live import free_port

    results: dict[str, Any] = {"fan_out": []}
    sizes = (100, 1000) if args.quick else (1000, 10_000)
    rounds = args.rounds or (20 if args.quick else 100)
    with tempfile.TemporaryDirectory() as tmp:
        for subscribers in sizes if args.only != "memory" else ():
            port = free_port()
            with server(port, Path(tmp) / f"fan-{subscribers}", args.nice) as process:
                result = _run(fan_out(port, process.pid, subscribers, rounds, args.burst))
            print(json.dumps(result), flush=True)
            results["fan_out"].append(result)
        if args.only != "fan-out":
            port = free_port()
            connections = 1000 if args.quick else 10_000
            events = 20_000 if args.quick else 200_000
            with server(port, Path(tmp) / "memory", args.nice) as process:
                results["memory"] = _run(memory(port, process.pid, connections, events))
            print(json.dumps(results["memory"]), flush=True)
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average": os.getloadavg(),
        "nice": -args.nice,
    }
    if not args.quick and not args.only:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
