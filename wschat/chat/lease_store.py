"""Leases: a named lock that one holder has until it lets go or its time runs out.

Exactly one holder wins (the lease's name is a primary key); a lease whose holder died is taken over once
its ``until`` has passed. Implemented in ``wschat/storage/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class LeaseStore(Protocol):
    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """True if ``holder`` has the lease now (newly, or taken over from a holder whose time ran out)."""

    async def release(self, name: str, holder: str) -> None:
        """Lets go, if ``holder`` still has it (a lease taken over meanwhile stays with its new holder)."""
