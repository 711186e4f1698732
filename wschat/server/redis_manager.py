"""The Socket.IO manager across processes, and what happens when it loses Redis.

python-socketio's Redis manager delivers every event through Redis, even to a socket of the same process.
While Redis is away, an event is dropped with a log line, and events other processes publish never
arrive, while acks still say ok (the messages are stored). A client catches up what it missed with
``messages.sync`` after a reconnect (docs/protocol.md §7.2); so whenever events for a process's sockets may
have been lost, those sockets are closed the way a network failure would close them, and their clients
reconnect and catch up:

- **Its listener was not subscribed** (Redis away, or the process just started): every event published
  meanwhile is lost to it. When the subscription is confirmed, before it hands on any event, the process
  closes every connection it holds. A client that reconnects is then subscribed for, and its catch-up reads
  the database after that moment: nothing falls between.
- **A publish failed**: the event is lost to every process. Once Redis answers again the process publishes a
  catch-up order with the time of its last failed publish; every process (itself too) closes the
  connections opened before then (plus a margin for clocks). A connection opened later caught up after the
  loss, so one Redis restart closes each connection once, not once per process that failed to publish.

Between such moments a client can still miss an event while later ones reach it (python-socketio hands an
event to the emitting process's own sockets before it publishes it): clients also catch up at a gap in a
conversation's seqs (docs/protocol.md §7.2).

From the first failure until both are done the process reports not ready (``/readyz``).

The same channel carries the orders to forget cached records (wschat.storage.record_cache): a process that
changed a visitor or a conversation tells the others, which drop their copy. Whenever this process may have
missed an order (each of the two moments above), it forgets every cached record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import socketio

from wschat.server.packets import OPENED_AT
from wschat.storage.record_cache import Caches, Order

log = logging.getLogger(__name__)

#: Longest wait between the listener's attempts to subscribe again (python-socketio waits up to 60 s).
MAX_LISTEN_RETRY = 5.0
#: The ``method`` of the order to every process to close its connections (python-socketio's own methods are
#: ``emit``, ``callback``, ``disconnect`` and the room ones; it ignores others).
CATCH_UP = "wschat.catch_up"
#: The ``method`` of an order to forget cached records (wschat.storage.record_cache.Caches).
FORGET = "wschat.forget"
#: Seconds added to a catch-up order's time for clocks of several hosts that differ a little.
CLOCK_MARGIN = 2.0


class WatchedRedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    connected: bool
    server: socketio.AsyncServer

    def __init__(self, url: str) -> None:
        super().__init__(url)
        #: When the first failure since Redis was last known good happened; None while it is good.
        self.lost_since: datetime | None = None
        self._listen_lost = False
        #: Wall-clock time of the last failed publish not yet ordered caught up; None if there is none.
        self._publish_failed_at: float | None = None
        #: An order to forget cached records could not be published.
        self._forget_failed = False
        #: The listener's own subscription. python-socketio keeps one in ``self.pubsub``, but replaces it
        #: whenever the publisher reconnects, and creates it deaf to subscription confirmations.
        self._listener: Any = None
        self._listening = asyncio.Event()
        #: The process's record caches, once it serves: orders from other processes are applied to them.
        self.caches: Caches | None = None

    def share(self, caches: Caches) -> None:
        """Carry ``caches``' forget orders to the other processes, and theirs to ``caches``."""
        self.caches = caches
        caches.publish = self.publish_forget

    async def publish_forget(self, order: Order) -> None:
        # Not through _publish: a lost order costs the other processes' cached copies, not their clients'
        # events, so it calls for an order to forget everything once Redis is back (order_catch_up), not
        # for every connection to be closed.
        try:
            if not self.connected:
                self._redis_connect()
            await self.redis.publish(self.channel, self.json.dumps(self._forget(order)))
        except Exception:  # as in _publish: redis-py raises several unrelated types for a lost connection
            self.connected = False
            self._forget_failed = True

    def _forget(self, order: Order) -> dict[str, Any]:
        return {"method": FORGET, "host_id": self.host_id, "order": order}

    def _lost(self, what: str, error: Exception) -> None:
        if what == "publish":
            self._publish_failed_at = time.time()
        else:
            self._listen_lost = True
        if self.lost_since is None:
            self.lost_since = datetime.now(UTC)
            log.error("lost Redis (%s: %s): events between processes are dropped", what, type(error).__name__)

    def _recovered(self) -> None:
        if not self._listen_lost and self._publish_failed_at is None:
            self.lost_since = None

    async def usable(self) -> bool:
        """Redis answers, and the listener is subscribed again."""
        try:
            await self.redis.ping()
        except Exception:  # any failure of the connection means "not yet"
            return False
        return self._listener is not None and bool(self._listener.subscribed)

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

    async def order_catch_up(self) -> None:
        """After a failed publish, once Redis is back: every process closes its connections opened before;
        after a lost order to forget cached records, every process forgets them all."""
        if self._forget_failed and await self.usable():
            self._forget_failed = False
            await self.publish_forget({"cache": "*", "keys": [], "groups": []})
        failed_at = self._publish_failed_at
        if failed_at is None or not await self.usable():
            return
        self._publish_failed_at = None
        await self._publish({"method": CATCH_UP, "host_id": self.host_id, "before": failed_at + CLOCK_MARGIN})
        self._recovered()  # or, if that publish failed too, still lost: the next round tries again

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        # python-socketio's loop, with the loss noted, the retry capped at MAX_LISTEN_RETRY seconds (its 60 s
        # would keep a process not ready for a minute after Redis came back), and the two moments that
        # call for a catch-up handled before any event is handed on.
        retry = 1.0
        subscribed = False
        while True:
            try:
                if not subscribed:
                    self._redis_connect()
                    self._listener = self.redis.pubsub(ignore_subscribe_messages=False)
                    await self._listener.subscribe(self.channel)
                    subscribed = True
                    retry = 1.0
                async for message in self._listener.listen():
                    if message["type"] == "subscribe":
                        await self._catch_up("this process was not listening", before=time.time())
                        self._listen_lost = False
                        self._recovered()
                        self._listening.set()
                    elif (before := self._catch_up_order(message)) is not None:
                        await self._catch_up("a process could not publish", before)
                    elif (order := self._forget_order(message)) is not None:
                        if self.caches is not None and order:
                            self.caches.apply(order)
                    else:
                        yield message
            except Exception as error:  # as above
                self._listening.clear()
                self._lost("listen", error)
                subscribed = False
                await asyncio.sleep(retry)
                retry = min(retry * 2, MAX_LISTEN_RETRY)

    async def subscribed(self, within: float) -> None:
        """Waits until the listener is subscribed; after ``within`` seconds it counts as lost."""
        try:
            await asyncio.wait_for(self._listening.wait(), within)
        except TimeoutError as error:
            self._lost("listen", error)

    def _catch_up_order(self, message: dict[str, Any]) -> float | None:
        """The time of a catch-up order (close connections opened before it); None for anything else."""
        data = message.get("data")
        if message["type"] != "message" or not isinstance(data, bytes) or CATCH_UP.encode() not in data:
            return None  # the cheap test first: every event passes here
        try:
            decoded = self.json.loads(data)
        except ValueError:
            return None
        # Parsed, not searched: a chat message that contains the word is an emit, not an order.
        if not isinstance(decoded, dict) or decoded.get("method") != CATCH_UP:
            return None
        before = decoded.get("before")
        return float(before) if isinstance(before, int | float) else time.time()

    def _forget_order(self, message: dict[str, Any]) -> Order | None:
        """An order to forget cached records: another process's (a malformed one makes this process forget
        everything), ``{}`` for this process's own (applied when it was given); None for anything else."""
        data = message.get("data")
        if message["type"] != "message" or not isinstance(data, bytes) or FORGET.encode() not in data:
            return None
        try:
            decoded = self.json.loads(data)
        except ValueError:
            return None
        if not isinstance(decoded, dict) or decoded.get("method") != FORGET:
            return None
        if decoded.get("host_id") == self.host_id:
            return {}
        order = decoded.get("order")
        return order if isinstance(order, dict) else {"cache": None}

    async def _catch_up(self, why: str, before: float) -> None:
        if self.caches is not None:
            self.caches.clear()
        await close_connections(self.server, why, before)


async def start_listening(sio: socketio.AsyncServer, within: float = 10.0) -> None:
    """Subscribes before the first socket arrives (python-socketio would start listening only when one
    does, and events for the first sockets would be lost until then). Waits at most ``within`` seconds: a
    process that starts while Redis is away serves, not ready, and catches its clients up once it can."""
    manager = sio.manager
    if not isinstance(manager, WatchedRedisManager) or sio.manager_initialized:
        return
    sio.manager_initialized = True
    manager.initialize()
    await manager.subscribed(within)


async def order_catch_up_after_loss(sio: socketio.AsyncServer) -> None:
    """The housekeeping step: see :meth:`WatchedRedisManager.order_catch_up`."""
    manager = sio.manager
    if isinstance(manager, WatchedRedisManager):
        await manager.order_catch_up()


async def close_connections(sio: socketio.AsyncServer, why: str, before: float) -> None:
    """Closes this process's connections opened before ``before`` (wall-clock seconds), each with
    :func:`drop`: their clients reconnect and catch up."""
    environ = sio.environ
    connections = [
        connection
        for eio_sid, connection in list(sio.eio.sockets.items())
        if environ.get(eio_sid, {}).get(OPENED_AT, 0.0) < before
    ]
    if connections:
        log.warning("%s: closing %d connections so that their clients catch up", why, len(connections))
    for connection in connections:
        await drop(connection)


async def drop(connection: Any) -> None:
    """Close one Engine.IO connection the way a network failure would: its Socket.IO disconnect runs
    here, and the client sees its transport close without a close packet, so it reconnects by itself
    (after a close packet, or a Socket.IO disconnect, browsers and python-socketio stay away)."""
    await connection.close(wait=False, abort=True, reason="transport close")
    queue = getattr(connection, "queue", None)  # python-engineio's; wsChat's own layer closes at once
    if queue is not None:
        await queue.put(None)  # wakes the WebSocket writer, which closes the WebSocket
