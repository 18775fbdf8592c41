"""The cache's Redis client: one pipelined connection on an asyncio ``Protocol``.

Why not redis-py (which the subscription broker uses): a cache hit is one ``GET``, and
redis-py's asyncio client spends more on it than the round trip to a local Redis does
(connection pool checkout, command packing, its reply parser over an asyncio stream reader):
about 40 µs a GET where the round trip is about 16. This client writes a command straight to
the transport and matches replies to commands in order, so a ``GET`` costs a future, a write
and a parse (``docs/caching.md``, "Backends").

- **Pipelining.** Every command goes on one connection. A command sent while no reply is
  awaited is written at once; commands sent while replies are awaited (under load) are
  corked: those of one event-loop iteration leave in one write (the first schedules it with
  ``call_soon``). Redis answers them in order, often in one read.
- **Timeouts.** Connecting gets ``connect_timeout``. While replies are awaited, a connection
  that receives nothing for ``reply_timeout`` is dropped (one watchdog timer per connection, not
  one per command), failing every command on it with ``RedisTimeoutError``.
- **Reconnecting.** A lost connection fails the commands awaiting a reply on it
  (``RedisConnectionError``); the next command connects again. The client never retries a
  command: the caller (``ApiCache``) decides what a failure means.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable
from typing import cast

from cache.backends.redis_address import RedisAddress
from cache.backends.resp import (
    Argument,
    Incomplete,
    ProtocolError,
    RedisConnectionError,
    RedisError,
    RedisTimeoutError,
    Reply,
    ReplyError,
    encode_command,
    parse_reply,
)


class RespConnection(asyncio.Protocol):
    """One connection to Redis: commands written corked, replies matched to them in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop, reply_timeout: float, where: str) -> None:
        self.loop = loop
        self.reply_timeout = reply_timeout
        self.where = where
        self.closed = False
        self.transport: asyncio.Transport | None = None
        self._awaiting: deque[asyncio.Future[Reply]] = deque()
        self._outgoing: list[bytes] = []
        self._partial = bytearray()
        """The start of a reply that has not arrived whole yet."""
        self._needed = 0
        self._last_read = 0.0
        self._watchdog: asyncio.TimerHandle | None = None

    # --- commands -----------------------------------------------------------------------------

    def send(self, command: bytes) -> asyncio.Future[Reply]:
        """Queue one encoded command; the future gets its reply (an error reply raises)."""
        if self.closed:
            raise RedisConnectionError(f"the connection to {self.where} is closed")
        future = self.loop.create_future()
        idle = not self._awaiting
        if idle:
            self._last_read = self.loop.time()  # the silence the watchdog measures starts now
            if self._watchdog is None:
                self._watchdog = self.loop.call_at(
                    self._last_read + self.reply_timeout, self._check_progress
                )
        self._awaiting.append(future)
        if idle and self.transport is not None:
            self.transport.write(command)  # nothing in flight: no batch worth waiting for
        else:
            if not self._outgoing:
                self.loop.call_soon(self._write)
            self._outgoing.append(command)
        return future

    def _write(self) -> None:
        outgoing, self._outgoing = self._outgoing, []
        if self.transport is not None and not self.closed:
            self.transport.write(outgoing[0] if len(outgoing) == 1 else b"".join(outgoing))

    def _check_progress(self) -> None:
        self._watchdog = None
        if self.closed or not self._awaiting:
            return
        deadline = self._last_read + self.reply_timeout
        if self.loop.time() >= deadline:
            self.abort(
                RedisTimeoutError(f"no reply from {self.where} within {self.reply_timeout:g} s")
            )
        else:
            self._watchdog = self.loop.call_at(deadline, self._check_progress)

    # --- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have its methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._last_read = self.loop.time()
        if self._partial:
            self._partial += data
            if len(self._partial) < self._needed:
                return
            data = bytes(self._partial)
            self._partial.clear()
        awaiting = self._awaiting
        position = 0
        try:
            while position < len(data):
                reply, position = parse_reply(data, position)
                if not awaiting:
                    raise ProtocolError(f"{self.where} sent a reply to no command")
                future = awaiting.popleft()
                if future.done():  # its caller was cancelled
                    continue
                if isinstance(reply, ReplyError):
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
        except Incomplete as incomplete:
            self._partial += data[position:]
            self._needed = incomplete.needed
        except ProtocolError as error:
            self.abort(error)

    def eof_received(self) -> bool | None:
        return None  # close: Redis closed its side (shutdown, timeout, CLIENT KILL)

    def connection_lost(self, exc: Exception | None) -> None:
        detail = f": {exc}" if exc is not None else ""
        self._fail(RedisConnectionError(f"the connection to {self.where} was lost{detail}"))

    # --- closing ------------------------------------------------------------------------------

    def abort(self, error: RedisError) -> None:
        """Drop the connection at once, failing every command on it with ``error``."""
        self._fail(error)
        if self.transport is not None and not self.loop.is_closed():
            self.transport.abort()

    def close(self) -> None:
        self._fail(RedisConnectionError(f"the connection to {self.where} was closed"))
        if self.transport is not None and not self.loop.is_closed():
            self.transport.close()

    def _fail(self, error: RedisError) -> None:
        self.closed = True
        self._outgoing.clear()
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._awaiting:
            future = self._awaiting.popleft()
            if not future.done():
                future.set_exception(error)


class RedisClient:
    """Commands to one Redis over one connection, connected on first use and after a loss."""

    def __init__(self, address: RedisAddress, connect_timeout: float, reply_timeout: float):
        self.address = address
        self.connect_timeout = connect_timeout
        self.reply_timeout = reply_timeout
        self._connection: RespConnection | None = None
        self._connecting: asyncio.Task[RespConnection] | None = None

    def execute(self, *arguments: Argument) -> Awaitable[Reply]:
        """Send one command; the awaitable gives its reply, or raises a ``RedisError``.

        Connected, this returns the reply's future itself: no coroutine for the common case.
        """
        command = encode_command(arguments)
        connection = self._connection
        if (
            connection is not None
            and not connection.closed
            and connection.loop is asyncio.get_running_loop()
        ):
            return connection.send(command)
        return self._connect_and_send(command)

    async def _connect_and_send(self, command: bytes) -> Reply:
        connection = await self._connected()
        return await connection.send(command)

    async def _connected(self) -> RespConnection:
        loop = asyncio.get_running_loop()
        connecting = self._connecting
        if connecting is None or connecting.get_loop() is not loop:
            # One connection attempt at a time, in a task of its own, so a caller cancelled
            # while it waits does not cancel the attempt the others wait for.
            connecting = self._connecting = loop.create_task(self._connect(loop))
            connecting.add_done_callback(self._connected_or_failed)
        return await asyncio.shield(connecting)

    def _connected_or_failed(self, task: asyncio.Task[RespConnection]) -> None:
        if self._connecting is task:
            self._connecting = None
        if not task.cancelled() and task.exception() is None:
            self._connection = task.result()

    async def _connect(self, loop: asyncio.AbstractEventLoop) -> RespConnection:
        address = self.address
        where = str(address)

        def factory() -> RespConnection:
            return RespConnection(loop, self.reply_timeout, where)

        connection: RespConnection | None = None
        try:
            async with asyncio.timeout(self.connect_timeout):
                if address.path is not None:
                    _, connection = await loop.create_unix_connection(
                        factory, address.path, ssl=address.tls
                    )
                else:
                    _, connection = await loop.create_connection(
                        factory, address.host or "127.0.0.1", address.port, ssl=address.tls
                    )
                await self._handshake(connection)
        except TimeoutError:
            _close(connection)
            raise RedisTimeoutError(
                f"no connection to {where} within {self.connect_timeout:g} s"
            ) from None
        except OSError as error:
            _close(connection)
            raise RedisConnectionError(f"cannot connect to {where}: {error}") from None
        except BaseException:
            _close(connection)
            raise
        return connection

    async def _handshake(self, connection: RespConnection) -> None:
        address = self.address
        sent: list[asyncio.Future[Reply]] = []
        if address.password is not None:
            credentials = [address.username] if address.username else []
            sent.append(connection.send(encode_command(["AUTH", *credentials, address.password])))
        if address.db:
            sent.append(connection.send(encode_command(["SELECT", address.db])))
        for reply in sent:
            await reply

    async def aclose(self) -> None:
        connecting, self._connecting = self._connecting, None
        if connecting is not None and not connecting.done():
            connecting.cancel()
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            connection.close()


def _close(connection: RespConnection | None) -> None:
    if connection is not None:
        connection.abort(RedisConnectionError(f"connecting to {connection.where} failed"))
