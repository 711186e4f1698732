"""What the sign-up asks of storage: pending sign-ups, one per address. Implemented in ``wschat/storage/``
(``sqlite/signups.py``, ``mongo/signups.py``).

A sign-up leaves storage with its confirmation mail (the outbox row and its transitions): a sign-up that is
confirmed moves into its tenant, one that is not is deleted when its link expires.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from wschat.signup.models import Signup


class SignupStore(Protocol):
    async def insert(self, signup: Signup) -> bool:
        """Store a new sign-up; False (nothing stored) if one with its address is stored already."""

    async def get(self, signup_id: str) -> Signup | None: ...

    async def by_email(self, email: str) -> Signup | None: ...

    async def set_mail(self, signup_id: str, mail_id: str) -> None:
        """Remember the sign-up's confirmation mail."""

    async def take(self, signup_id: str) -> Signup | None:
        """Delete the sign-up and its mail; returns it, or None if it was gone (of two callers, one gets
        it)."""

    async def expired(self, now: datetime, limit: int) -> list[str]:
        """Ids of sign-ups whose link expired by ``now``, oldest first."""
