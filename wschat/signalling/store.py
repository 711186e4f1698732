"""What calls need from storage: calls, their transitions, and the tenant's raw video settings.

A call changes (join, leave, end) only through a claimed transition, as conversations do: one writer per
``(call, epoch)`` wins, the loser gets :class:`Superseded`. One open call per conversation is a unique
constraint. A call record says that a call happened, never what was said or shown: there is no media to
store. Implemented in ``wschat/storage/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from wschat.signalling.models import Call


class Superseded(Exception):
    """Another writer changed the call first."""


class CallStore(Protocol):
    async def insert(self, call: Call) -> bool:
        """False if the conversation has an open call already."""

    async def get(self, tenant_id: str, call_id: str) -> Call | None: ...

    async def open_of_conversation(self, tenant_id: str, conversation_id: str) -> Call | None: ...

    async def open_with_agent(self, tenant_id: str, agent_id: str) -> list[Call]:
        """The open calls of the agent's chats."""

    async def on_socket(self, sid: str) -> list[Call]:
        """Open calls (any tenant) in which this socket takes part."""

    async def with_dead_sockets(self) -> list[tuple[Call, list[str]]]:
        """Open calls (any tenant) with participants whose socket record no longer exists (a process died)."""

    async def unanswered(self, before: datetime) -> list[Call]:
        """Ringing calls (any tenant) whose invitation expired before ``before``."""

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[Call]:
        """Oldest first."""

    async def transition(self, call: Call, changed: Call, now: datetime) -> Call:
        """Claim epoch+1 and store ``changed``; raises :class:`Superseded` if someone else came first."""
