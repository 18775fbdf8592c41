"""The servers under test, and running one as a subprocess pinned to one CPU.

A server is an entry in ``SERVERS``: how to start it on a port for an API and whether its
responses must equal Syncline's byte for byte. Syncline runs as ``syncline serve API_DIR`` on
a fresh ``--data-dir``; the ceiling is a uvicorn app; Apollo Server (``bench/apollo``) is the
entry whose ``argv`` starts ``node``, and its ``exact`` is false, so its answers are compared
as JSON. Each server process serves one API (``bench.cases.Api``); Syncline's store of a
``seeded`` API is filled (``bench.orders.seed``) before the server is handed out.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import orders
from bench.apps import CEILING_RESPONSES_ENV
from bench.cases import POSTS, Api

REPO = Path(__file__).resolve().parents[1]
STARTUP_TIMEOUT = 60.0


class BenchError(Exception):
    """Anything that makes a measurement meaningless: a server that fails or answers wrongly."""


def ceiling_responses(workdir: Path) -> Path:
    """Where the bench writes, and the ceiling reads, Syncline's captured responses."""
    return workdir / "ceiling-responses.json"


def api_data(workdir: Path, api: Api) -> Path:
    """Where the bench writes a seeded API's data for peers that serve it from memory."""
    return workdir / f"{api.name}-data.json"


@dataclass(frozen=True)
class Launch:
    """Where one server runs: its port, the API it serves, the scratch folder servers share."""

    port: int
    workdir: Path
    api: Api = POSTS
    ws_port: int = 0
    """For a server whose WebSocket endpoint has a port of its own (Apollo's)."""

    @property
    def ceiling_responses(self) -> Path:
        return ceiling_responses(self.workdir)

    @property
    def data_dir(self) -> Path:
        """A data dir of this server's own: its embedded store starts empty."""
        return self.workdir / f"data-{self.api.name}-{self.port}"

    @property
    def api_data(self) -> Path:
        return api_data(self.workdir, self.api)


@dataclass(frozen=True)
class ServerSpec:
    name: str
    argv: Callable[[Launch], list[str]]
    env: Callable[[Launch], Mapping[str, str]] = field(default=lambda _: {})
    exact: bool = True
    """True: responses must equal Syncline's bytes (the ceiling replays them)."""
    stores_data: bool = False
    """True: the bench seeds the server's embedded store with a ``seeded`` API's data."""
    subscriptions: bool = False
    """True: a case's subscribers connect to it over graphql-transport-ws on ``/graphql``."""
    own_ws_port: bool = False
    """True: that WebSocket endpoint listens on ``Launch.ws_port``, not on the HTTP port."""


def uvicorn_options() -> list[str]:
    """uvloop and httptools when installed (``uvicorn[standard]`` brings both), else defaults."""
    options = ["--log-level", "warning", "--no-access-log"]
    if importlib.util.find_spec("uvloop") is not None:
        options += ["--loop", "uvloop"]
    if importlib.util.find_spec("httptools") is not None:
        options += ["--http", "httptools"]
    return options


def _uvicorn(factory: str) -> Callable[[Launch], list[str]]:
    def argv(launch: Launch) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "--factory", factory,
            "--host", "127.0.0.1", "--port", str(launch.port), *uvicorn_options(),
        ]  # fmt: skip

    return argv


def _syncline(launch: Launch) -> list[str]:
    """``syncline serve``: the app, uvicorn options and WebSocket protocol users get (uvicorn
    picks uvloop and httptools when installed, as ``uvicorn_options`` does for the others)."""
    return [
        sys.executable, str(REPO / "server.py"), "serve", str(launch.api.directory),
        "--host", "127.0.0.1", "--port", str(launch.port), "--data-dir", str(launch.data_dir),
        "--log-level", "warning",
    ]  # fmt: skip


SYNCLINE = ServerSpec("syncline", _syncline, stores_data=True, subscriptions=True)
CEILING = ServerSpec(
    "ceiling",
    _uvicorn("bench.apps:ceiling"),
    env=lambda launch: {CEILING_RESPONSES_ENV: str(launch.ceiling_responses)},
)

APOLLO_DIR = REPO / "bench" / "apollo"


def _apollo(launch: Launch) -> list[str]:
    """``node bench/apollo/server.mjs PORT API DATA``, after ``npm ci`` there if it never ran.

    Apollo Server is pinned in ``bench/apollo/package.json`` + lock and installed by the bench
    only, so ``make test`` never fetches it."""
    dependencies = json.loads((APOLLO_DIR / "package.json").read_text())["dependencies"]
    if not all((APOLLO_DIR / "node_modules" / name).is_dir() for name in dependencies):
        if shutil.which("npm") is None:
            raise BenchError("npm (Node >= 20) is required to run Apollo Server")
        completed = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=APOLLO_DIR,
            check=False,
        )
        if completed.returncode != 0:
            raise BenchError("npm ci in bench/apollo failed")
    argv = ["node", str(APOLLO_DIR / "server.mjs"), str(launch.port), launch.api.name]
    return argv + ([str(launch.api_data)] if launch.api.seeded else [])


APOLLO = ServerSpec(
    "apollo",
    _apollo,
    env=lambda launch: {"NODE_ENV": "production", "BENCH_WS_PORT": str(launch.ws_port)},
    exact=False,
    subscriptions=True,
    own_ws_port=True,
)

SERVERS: tuple[ServerSpec, ...] = (SYNCLINE, CEILING, APOLLO)
"""Measured in this order for each case; SYNCLINE also supplies the expected responses."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pinned(cpu: int, argv: list[str]) -> list[str]:
    """``argv`` under ``taskset -c cpu``; taskset execs it, so the child's pid is the server's."""
    if shutil.which("taskset") is None:
        raise BenchError("taskset (util-linux) is required to pin processes to CPUs")
    if cpu not in os.sched_getaffinity(0):
        raise BenchError(
            f"CPU {cpu} is not available here (have {sorted(os.sched_getaffinity(0))})"
        )
    return ["taskset", "-c", str(cpu), *argv]


def _wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"server exited with {process.returncode}:\n{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"server not listening on {port} after {STARTUP_TIMEOUT:.0f}s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


@dataclass(frozen=True)
class RunningServer:
    url: str
    pid: int
    ws_url: str = ""
    """Where its graphql-transport-ws endpoint is (``ws://HOST:PORT/graphql``)."""

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used (``/proc/PID/stat``).

        Sampled around a run, it shows whether the server had its CPU to itself: a saturated
        server that got less than ~0.95 of a CPU-second per second was sharing it.
        """
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def settle(self, quiet: float = 0.3, limit: float = 5.0) -> None:
        """Return once the server has used no CPU for ``quiet`` seconds (at most ``limit``).

        When wrk ends a run it drops its connections with requests in flight; the server goes
        on working through them. A measured run started at once competes with that backlog for
        its first requests, which shows as a p99 tail of hundreds of milliseconds on slow
        cases, for any server (bench/README.md, "Settling between runs")."""
        deadline = time.monotonic() + limit
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = self.cpu_seconds()
            if now == used:
                return
            used = now


@contextmanager
def running(spec: ServerSpec, cpu: int, workdir: Path, api: Api = POSTS) -> Iterator[RunningServer]:
    """Start ``spec`` for ``api`` pinned to ``cpu``; yield where it listens; stop it on exit."""
    launch = Launch(free_port(), workdir, api, free_port() if spec.own_ws_port else 0)
    log = workdir / f"{spec.name}-{api.name}.log"
    env = {**os.environ, **spec.env(launch)}
    with log.open("wb") as output:
        process = subprocess.Popen(
            pinned(cpu, spec.argv(launch)),
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(process, launch.port, log)
        if spec.stores_data and api.seeded:
            orders.seed(f"http://127.0.0.1:{launch.port}")
        ws_port = launch.ws_port or launch.port
        yield RunningServer(
            f"http://127.0.0.1:{launch.port}/graphql",
            process.pid,
            f"ws://127.0.0.1:{ws_port}/graphql",
        )
        if process.poll() is not None:
            raise BenchError(f"{spec.name} exited during the run:\n{_tail(log)}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
