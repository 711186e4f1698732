"""One assignment decision at a time per tenant, so that no agent gets more chats than their ``max_chats``.

Choosing an agent reads every agent's load, and the assignment changes it: two decisions made at once (two
visitors starting a chat, an agent accepting two chats with one seat left) could both see the same free seat.
Within a process an asyncio lock orders them; across processes a lease in the database does (held for a few
database round trips; a process that dies holding it loses it after ``ttl``).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from wschat.chat.lease_store import LeaseStore
from wschat.clock import Clock

log = logging.getLogger(__name__)

TTL = timedelta(seconds=10)
#: How long to wait for another process's decision before deciding anyway (better one chat too many than
#: a visitor left waiting because a process hangs): a warning in the log says so.
PATIENCE_SECONDS = 5.0
_RETRY_SECONDS = 0.02


class AssignmentLock:
    def __init__(self, leases: LeaseStore, clock: Clock) -> None:
        self._leases = leases
        self._clock = clock
        self._holder = secrets.token_hex(8)
        self._local: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def tenant(self, tenant_id: str) -> AsyncIterator[None]:
        # One asyncio lock per tenant that ever assigned in this process: a few hundred bytes each.
        async with self._local.setdefault(tenant_id, asyncio.Lock()):
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
