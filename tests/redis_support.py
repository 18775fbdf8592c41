"""Redis for the tests (cache and subscriptions): the machine's shared Redis at 127.0.0.1:6379 (started here if it is
not answering), and private ``redis-server`` processes on free ports for tests that stop one.

Never skipped: without ``redis-server`` these tests fail, in CI and everywhere else.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.live import free_port

MACHINE_REDIS = "redis://127.0.0.1:6379/0"


def answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def redis_server() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed (Debian package redis-server)")
    return binary


@pytest.fixture(scope="session")
def machine_redis() -> str:
    if not answers(MACHINE_REDIS):
        subprocess.run(
            [redis_server(), "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
             "--save", "", "--appendonly", "no"],
            check=True, timeout=10,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not answers(MACHINE_REDIS):
            if time.monotonic() > deadline:
                pytest.fail("Redis at 127.0.0.1:6379 is not answering and could not be started")
            time.sleep(0.1)
    return MACHINE_REDIS


class PrivateRedis:
    """A ``redis-server`` of this test's own, so stopping it disturbs nobody else.

    ``password`` makes it require one (in ``url``); ``unix_socket`` makes it listen on a Unix
    socket too (``socket_path``, in a short temporary directory: socket paths are limited to
    about 100 bytes); ``tls`` makes it speak TLS only (``rediss://``).
    """

    def __init__(
        self,
        workdir: Path,
        password: str | None = None,
        unix_socket: bool = False,
        tls: bool = False,
    ) -> None:
        self.port = free_port()
        self.password = password
        credentials = f":{password}@" if password else ""
        self.url = f"redis://{credentials}127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.certificate: tuple[Path, Path] | None = None
        """With ``tls``: a self-signed certificate for 127.0.0.1 and its key; ``url`` trusts it."""
        if tls:
            from tests.subscriptions.test_tls import self_signed

            self.certificate = self_signed(workdir)
            self.url = f"rediss://{credentials}127.0.0.1:{self.port}/0"
            self.url += f"?ssl_ca_certs={self.certificate[0]}"
        self.socket_path = (
            str(Path(tempfile.mkdtemp(prefix="redis-")) / "redis.sock") if unix_socket else None
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [redis_server(), "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                "--appendonly", "no", "--dir", str(self.workdir)]  # fmt: skip
        if self.certificate:
            cert, key = (str(path) for path in self.certificate)
            argv += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", cert,
                     "--tls-key-file", key, "--tls-ca-cert-file", cert,
                     "--tls-auth-clients", "no"]  # fmt: skip
        if self.password:
            argv += ["--requirepass", self.password]
        if self.socket_path:
            argv += ["--unixsocket", self.socket_path, "--unixsocketperm", "700"]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not answers(self.url):
            assert self.process.poll() is None, "private redis-server exited"
            assert time.monotonic() < deadline, "private redis-server did not start"
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def close(self) -> None:
        self.stop()
        if self.socket_path:
            shutil.rmtree(Path(self.socket_path).parent, ignore_errors=True)

    def pause(self) -> None:
        """Stop the process without closing its sockets: connections are accepted (by the
        kernel) and commands are never answered, as with a Redis that hangs."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.close()
