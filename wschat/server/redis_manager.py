"""The Socket.IO manager across processes, and what happens when it loses Redis.

python-socketio's Redis manager delivers every event through Redis, even to a socket of the same process.
While Redis is away, an event is dropped with a log line, and events other processes publish never
arrive, while acks still say ok (the messages are stored). So this manager notes when it lost Redis (a
publish failed, or its listener lost the subscription); the process then reports not ready (``/readyz``),
and once Redis answers again and the listener is subscribed, the housekeeping step
:func:`reconnect_after_loss` closes every connection of this process. Clients reconnect by themselves
(a transport close, not a Socket.IO disconnect) and catch up with ``messages.sync`` (docs/protocol.md
§7.2), so nothing acked while Redis was away is missing on any screen afterwards.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import socketio

log = logging.getLogger(__name__)

#: Longest wait between the listener's attempts to subscribe again (python-socketio waits up to 60 s).
MAX_LISTEN_RETRY = 5.0


class WatchedRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    connected: bool

    def __init__(self, url: str) -> None:
        super().__init__(url)
        #: When the first failure since Redis was last known good happened; None while it is good.
        self.lost_since: datetime | None = None

    def _lost(self, what: str, error: Exception) -> None:
        if self.lost_since is None:
            self.lost_since = datetime.now(UTC)
            log.error("lost Redis (%s: %s): events between processes are dropped", what, type(error).__name__)

    async def usable(self) -> bool:
        """Redis answers, and the listener is subscribed again."""
        try:
            await self.redis.ping()
        except Exception:  # any failure of the connection means "not yet"
            return False
        return bool(self.pubsub.subscribed)

    async def _publish(self, data: Any) -> Any:
        # As python-socketio's, two attempts; the second failure is noted instead of only logged.
        for attempt in (1, 2):
            try:
                if not self.connected:
                    self._redis_connect()
                return await self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as error:  # redis-py raises several unrelated types for a lost connection
                self.connected = False
                if attempt == 2:
                    self._lost("publish", error)
        return None

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        # python-socketio's loop, with the loss noted and the retry capped at MAX_LISTEN_RETRY seconds
        # (its 60 s would keep a process not ready for a minute after Redis came back).
        retry = 1.0
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    await self.pubsub.subscribe(self.channel)
                    subscribed = True
                    retry = 1.0
                async for message in self.pubsub.listen():
                    yield message
            except Exception as error:  # as above
                self._lost("listen", error)
                subscribed = False
                await asyncio.sleep(retry)
                retry = min(retry * 2, MAX_LISTEN_RETRY)


async def reconnect_after_loss(sio: socketio.AsyncServer) -> None:
    """Once Redis is back after a loss, close every connection of this process so that its clients
    reconnect and catch up; nothing while Redis is still away (the step runs again)."""
    manager = sio.manager
    if not isinstance(manager, WatchedRedisManager) or manager.lost_since is None:
        return
    if not await manager.usable():
        return
    manager.lost_since = None
    connections = list(sio.eio.sockets.values())
    log.warning("Redis is back: closing %d connections so that their clients catch up", len(connections))
    for connection in connections:
        await drop(connection)


async def drop(connection: Any) -> None:
    """Close one Engine.IO connection the way a network failure would: its Socket.IO disconnect runs
    here, and the client sees its transport close without a close packet, so it reconnects by itself
    (after a close packet, or a Socket.IO disconnect, browsers and python-socketio stay away)."""
    await connection.close(wait=False, abort=True, reason="transport close")
    await connection.queue.put(None)  # wakes the WebSocket writer, which closes the WebSocket
