"""One assignment decision at a time per tenant, so that no agent gets more chats than their ``max_chats``.

Choosing an agent reads every agent's load, and the assignment changes it: two decisions made at once (two
visitors starting a chat, an agent accepting two chats with one seat left) could both see the same free seat.
Within a process an asyncio lock orders them; across processes a lease in the database does (held for a few
database round trips; a process that dies holding it loses it after ``ttl``).

Decisions that queue up behind the lock are made together (:meth:`AssignmentLock.together`): a thousand
visitors starting a chat within a second must not wait for a thousand rounds of database round trips one
after the other. Whoever takes the lock next decides for everyone waiting, in memory, and stores the
outcomes at once (they share the writer's commits).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, Generic, TypeVar

from wschat.chat.lease_store import LeaseStore
from wschat.clock import Clock

log = logging.getLogger(__name__)

TTL = timedelta(seconds=10)
#: How long to wait for another process's decision before deciding anyway (better one chat too many than
#: a visitor left waiting because a process hangs): a warning in the log says so.
PATIENCE_SECONDS = 5.0
_RETRY_SECONDS = 0.02

T = TypeVar("T")
R = TypeVar("R")


class _Waiting(Generic[T, R]):
    def __init__(self, item: T) -> None:
        self.item = item
        self.outcome: asyncio.Future[R] = asyncio.get_running_loop().create_future()


class AssignmentLock:
    def __init__(self, leases: LeaseStore, clock: Clock) -> None:
        self._leases = leases
        self._clock = clock
        self._holder = secrets.token_hex(8)
        self._local: dict[str, asyncio.Lock] = {}
        #: Per tenant and kind of decision: the callers waiting for the lock, in order of arrival.
        self._waiting: dict[tuple[str, object], list[Any]] = {}

    @asynccontextmanager
    async def tenant(self, tenant_id: str) -> AsyncIterator[None]:
        # One asyncio lock per tenant that ever assigned in this process: a few hundred bytes each.
        async with self._local.setdefault(tenant_id, asyncio.Lock()), self._lease(tenant_id):
            yield

    async def together(self, tenant_id: str, item: T, decide: Callable[[list[T]], Awaitable[list[R]]]) -> R:
        """``decide([item, …])`` under the tenant's lock, with every other item that is waiting for it by
        then: one call decides for all of them and returns one outcome per item, in order. Its failure is
        each waiting caller's."""
        key = (tenant_id, decide)
        waiting: _Waiting[T, R] = _Waiting(item)
        self._waiting.setdefault(key, []).append(waiting)
        async with self._local.setdefault(tenant_id, asyncio.Lock()):
            if not waiting.outcome.done():
                batch: list[_Waiting[T, R]] = self._waiting.pop(key)
                try:
                    async with self._lease(tenant_id):
                        outcomes = await decide([w.item for w in batch])
                except BaseException as error:  # each caller gets it (cancellation too: none is left hanging)
                    for other in batch:
                        if not other.outcome.done():  # a caller that was cancelled meanwhile
                            other.outcome.set_exception(error)
                else:
                    for other, outcome in zip(batch, outcomes, strict=True):
                        if not other.outcome.done():
                            other.outcome.set_result(outcome)
        return await waiting.outcome

    @asynccontextmanager
    async def _lease(self, tenant_id: str) -> AsyncIterator[None]:
        name = f"assign:{tenant_id}"
        held = await self._acquire(name)
        try:
            yield
        finally:
            if held:
                await self._leases.release(name, self._holder)

    async def _acquire(self, name: str) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PATIENCE_SECONDS
        while True:
            now = self._clock()
            if await self._leases.acquire(name, self._holder, now, now + TTL):
                return True
            if loop.time() >= deadline:
                log.warning("%s: another process held the assignment lease too long; deciding anyway", name)
                return False
            await asyncio.sleep(_RETRY_SECONDS)
