"""Each Engine.IO connection's queue of packets to send, at a tenth of ``asyncio.Queue``'s memory.

python-engineio gives every connection a queue from its server's ``create_queue()`` (an ``asyncio.Queue``),
which its writer task drains. ``asyncio.Queue`` allocates four deques up front (its items, the waiting
getters and putters, and the waiters of its ``join``), 64 slots each: 2.9 KB per connection, held by
every idle visitor socket (docs/benchmarks.md, *Memory per socket*). :class:`SendQueue` keeps the same
interface for an unbounded queue (items first in, first out; ``task_done``/``join``) in a few lists that
exist only while something is in them or waiting.

:class:`LeanEngineServer` is python-engineio's server with this queue; ``create_queue`` is its documented
utility for "a queue of the selected async mode", and every connection's queue comes from it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import engineio


class SendQueue:
    """An unbounded FIFO queue with ``asyncio.Queue``'s interface, for one connection's packets."""

    __slots__ = ("_getters", "_head", "_items", "_joiners", "_unfinished")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._head = 0  # items before it are taken; the list is compacted as it drains
        self._getters: list[asyncio.Future[None]] | None = None
        self._joiners: list[asyncio.Future[None]] | None = None
        self._unfinished = 0

    def qsize(self) -> int:
        return len(self._items) - self._head

    def empty(self) -> bool:
        return self.qsize() == 0

    def full(self) -> bool:
        return False

    @property
    def maxsize(self) -> int:
        return 0

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._unfinished += 1
        self._wake_one_getter()

    async def put(self, item: Any) -> None:
        self.put_nowait(item)

    def get_nowait(self) -> Any:
        if self.empty():
            raise asyncio.QueueEmpty
        item = self._items[self._head]
        self._items[self._head] = None
        self._head += 1
        if self._head == len(self._items):
            self._items, self._head = [], 0
        elif self._head > 32 and self._head * 2 > len(self._items):
            del self._items[: self._head]
            self._head = 0
        return item

    async def get(self) -> Any:
        while self.empty():
            getter = asyncio.get_running_loop().create_future()
            if self._getters is None:
                self._getters = []
            self._getters.append(getter)
            try:
                await getter
            except BaseException:
                self._forget_getter(getter)
                # Woken and then cancelled: the item it was woken for goes to the next getter.
                if not self.empty() and getter.done() and not getter.cancelled():
                    self._wake_one_getter()
                raise
            self._forget_getter(getter)
        return self.get_nowait()

    def task_done(self) -> None:
        if self._unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self._unfinished -= 1
        if self._unfinished == 0 and self._joiners:
            joiners, self._joiners = self._joiners, None
            for joiner in joiners:
                if not joiner.done():
                    joiner.set_result(None)

    async def join(self) -> None:
        if self._unfinished == 0:
            return
        joiner = asyncio.get_running_loop().create_future()
        if self._joiners is None:
            self._joiners = []
        self._joiners.append(joiner)
        await joiner

    def _wake_one_getter(self) -> None:
        for getter in self._getters or ():
            if not getter.done():
                getter.set_result(None)
                return

    def _forget_getter(self, getter: asyncio.Future[None]) -> None:
        if self._getters is not None and getter in self._getters:
            self._getters.remove(getter)
            if not self._getters:
                self._getters = None


class LeanEngineServer(engineio.AsyncServer):  # type: ignore[misc]
    """python-engineio's server, its connections' send queues :class:`SendQueue`."""

    def create_queue(self, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs:  # a bounded queue, or anything else asked of it: python-engineio's own
            return super().create_queue(*args, **kwargs)
        return SendQueue()
