"""The cache's Redis client against real Redis: pipelining, large values, error replies, a
cancelled caller, credentials and databases, Unix sockets, and what happens when Redis is
refused, hangs, or restarts (private ``redis-server`` processes; the machine's shared Redis only
under this test's own key prefix)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis

from cache.backends.redis_address import parse_redis_url
from cache.backends.redis_client import RedisClient
from cache.backends.resp import RedisConnectionError, RedisTimeoutError, ReplyError
from tests.live import free_port
from tests.redis_support import PrivateRedis

T = TypeVar("T")


def client_for(url: str, reply_timeout: float = 2.0, connect_timeout: float = 2.0) -> RedisClient:
    return RedisClient(parse_redis_url(url), connect_timeout, reply_timeout)


def run(client: RedisClient, scenario: Callable[[], Awaitable[T]]) -> T:
    async def closing() -> T:
        try:
            return await scenario()
        finally:
            await client.aclose()

    return asyncio.run(closing())


@pytest.fixture
def prefix(machine_redis: str) -> Iterator[str]:
    prefix = f"synclinetest:{uuid.uuid4().hex[:12]}:"
    yield prefix
    connection = redis.Redis.from_url(machine_redis)
    leftovers = list(connection.scan_iter(match=prefix + "*"))
    if leftovers:
        connection.delete(*leftovers)


def test_commands_sent_while_replies_are_awaited_leave_in_one_write(
    machine_redis: str, prefix: str
) -> None:
    client = client_for(machine_redis)
    writes: list[bytes] = []

    async def scenario() -> list[Any]:
        await client.execute(b"PING")  # connected
        connection = client._connection
        assert connection is not None
        assert connection.transport is not None
        write = connection.transport.write

        def counting(data: Any) -> None:
            writes.append(bytes(data))
            write(data)

        connection.transport.write = counting  # type: ignore[method-assign]
        commands = [
            client.execute(b"SET", f"{prefix}{i}", f"v{i}", b"PX", 60_000) for i in range(50)
        ]
        commands += [client.execute(b"GET", f"{prefix}{i}") for i in range(50)]
        commands.append(client.execute(b"GET", f"{prefix}missing"))
        return list(await asyncio.gather(*commands))

    replies = run(client, scenario)
    assert replies == [b"OK"] * 50 + [f"v{i}".encode() for i in range(50)] + [None]
    # The first finds the connection idle and goes at once; the others wait for one write.
    assert [len(write.split(b"*")) - 1 for write in writes] == [1, 100]


def test_a_value_larger_than_one_read(machine_redis: str, prefix: str) -> None:
    client = client_for(machine_redis)
    value = bytes(range(256)) * 16_384  # 4 MiB, CRLFs inside

    async def scenario() -> list[Any]:
        await client.execute(b"SET", prefix + "big", value)
        return list(
            await asyncio.gather(
                client.execute(b"GET", prefix + "big"), client.execute(b"STRLEN", prefix + "big")
            )
        )

    assert run(client, scenario) == [value, len(value)]


def test_an_error_reply_fails_its_command_only(machine_redis: str, prefix: str) -> None:
    client = client_for(machine_redis)

    async def scenario() -> list[Any]:
        await client.execute(b"SET", prefix + "text", b"not a number")
        return list(
            await asyncio.gather(
                client.execute(b"INCR", prefix + "text"),
                client.execute(b"GET", prefix + "text"),
                return_exceptions=True,
            )
        )

    failed, value = run(client, scenario)
    assert isinstance(failed, ReplyError)
    assert "not an integer" in str(failed)
    assert value == b"not a number"


def test_a_cancelled_caller_leaves_the_replies_in_order(machine_redis: str, prefix: str) -> None:
    client = client_for(machine_redis)

    async def scenario() -> Any:
        await client.execute(b"SET", prefix + "a", b"A")
        await client.execute(b"SET", prefix + "b", b"B")
        first = asyncio.ensure_future(client.execute(b"GET", prefix + "a"))
        second = asyncio.ensure_future(client.execute(b"GET", prefix + "b"))
        first.cancel()
        return await second, await client.execute(b"GET", prefix + "a")

    assert run(client, scenario) == (b"B", b"A")


def test_credentials_and_database_from_the_url(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path, password="pass word")
    server.start()
    try:
        client = client_for(f"redis://:pass%20word@127.0.0.1:{server.port}/2")
        assert run(client, lambda: client.execute(b"SET", "k", "in db 2")) == b"OK"
        direct = redis.Redis(port=server.port, password="pass word", db=2)
        assert direct.get("k") == b"in db 2"

        wrong = client_for(f"redis://:wrong@127.0.0.1:{server.port}/2")
        with pytest.raises(ReplyError, match="WRONGPASS"):
            run(wrong, lambda: wrong.execute(b"GET", "k"))
        anonymous = client_for(f"redis://127.0.0.1:{server.port}/0")
        with pytest.raises(ReplyError, match="NOAUTH"):
            run(anonymous, lambda: anonymous.execute(b"GET", "k"))
    finally:
        server.close()


def test_a_unix_socket(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path, unix_socket=True)
    server.start()
    try:
        client = client_for(f"unix://{server.socket_path}?db=1")
        assert run(client, lambda: client.execute(b"SET", "k", "v")) == b"OK"
        assert redis.Redis(port=server.port, db=1).get("k") == b"v"
    finally:
        server.close()


def test_tls(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path, tls=True)
    server.start()
    try:
        trusting = client_for(server.url)
        assert run(trusting, lambda: trusting.execute(b"SET", "k", "over TLS")) == b"OK"
        unverified = client_for(f"rediss://127.0.0.1:{server.port}?ssl_cert_reqs=none")
        assert run(unverified, lambda: unverified.execute(b"GET", "k")) == b"over TLS"
        untrusting = client_for(f"rediss://127.0.0.1:{server.port}")
        with pytest.raises(RedisConnectionError, match="certificate verify failed"):
            run(untrusting, lambda: untrusting.execute(b"GET", "k"))
    finally:
        server.close()


def test_nothing_listening_is_a_connection_error() -> None:
    port = free_port()
    client = client_for(f"redis://127.0.0.1:{port}/0")
    with pytest.raises(RedisConnectionError, match=f"cannot connect to 127.0.0.1:{port}"):
        run(client, lambda: client.execute(b"PING"))


def test_reconnects_after_redis_restarts(private_redis: PrivateRedis) -> None:
    client = client_for(private_redis.url)

    async def scenario() -> list[Any]:
        outcomes: list[Any] = [await client.execute(b"SET", "k", "before")]
        private_redis.stop()
        await asyncio.sleep(0.05)  # the loop sees the connection close
        for _ in range(2):
            try:
                outcomes.append(await client.execute(b"GET", "k"))
            except RedisConnectionError as error:
                outcomes.append(type(error))
        private_redis.start()
        outcomes.append(await client.execute(b"SET", "k", "after"))
        outcomes.append(await client.execute(b"GET", "k"))
        return outcomes

    assert run(client, scenario) == [
        b"OK",
        RedisConnectionError,  # the lost connection
        RedisConnectionError,  # connecting again is refused
        b"OK",
        b"after",
    ]


def test_a_redis_that_stops_answering_times_out_and_is_reconnected(
    private_redis: PrivateRedis,
) -> None:
    client = client_for(private_redis.url, reply_timeout=0.2)

    async def scenario() -> tuple[list[Any], float, Any]:
        await client.execute(b"SET", "k", "v")
        private_redis.pause()
        try:
            started = time.monotonic()
            outcomes = await asyncio.gather(
                client.execute(b"GET", "k"), client.execute(b"GET", "k"), return_exceptions=True
            )
            waited = time.monotonic() - started
        finally:
            private_redis.resume()
        return list(outcomes), waited, await client.execute(b"GET", "k")

    outcomes, waited, after = run(client, scenario)
    assert [type(outcome) for outcome in outcomes] == [RedisTimeoutError, RedisTimeoutError]
    assert "no reply from 127.0.0.1" in str(outcomes[0])
    assert 0.2 <= waited < 1.0
    assert after == b"v"


def test_connecting_to_a_redis_that_does_not_answer_times_out(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path, password="pw")
    server.start()
    server.pause()  # the kernel still accepts the connection; AUTH is never answered
    try:
        client = client_for(server.url, connect_timeout=0.2)
        started = time.monotonic()
        with pytest.raises(
            RedisTimeoutError, match=r"no connection to 127\.0\.0\.1:\d+ within 0\.2 s"
        ):
            run(client, lambda: client.execute(b"PING"))
        assert time.monotonic() - started < 1.0
    finally:
        server.resume()
        server.close()


def test_a_closed_client_connects_again_when_used(machine_redis: str, prefix: str) -> None:
    client = client_for(machine_redis)
    assert run(client, lambda: client.execute(b"SET", prefix + "k", b"v")) == b"OK"
    assert run(client, lambda: client.execute(b"GET", prefix + "k")) == b"v"  # another loop
