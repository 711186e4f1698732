"""What the chat services need from storage for conversations and their state transitions.

A conversation changes state (assigned, transferred, re-queued, closed) only through a *transition* that
claims the next epoch: exactly one writer per epoch wins, whatever the adapter (a primary key on
``(conversation, epoch)``), and the loser gets :class:`Superseded`. Implemented in ``wschat/storage/``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from wschat.chat.models import Conversation
from wschat.records import Document


class Superseded(Exception):
    """Another writer changed the conversation first."""


#: Fields of a conversation that a transition's state may set.
STATE_FIELDS = frozenset(
    {
        "status",
        "agent_id",
        "assigned_at",
        "closed_at",
        "closed_by",
        "visitor_left_at",
        "open_key",
        "answer_state",
        "done_at",
        "done_by",
    }
)


class ConversationStore(Protocol):
    async def insert(self, conversation: Conversation) -> bool:
        """False if the visitor has an open conversation already (a conversation closed from the start, an
        offline message, never conflicts)."""

    async def get(self, tenant_id: str, conversation_id: str) -> Conversation | None: ...

    async def open_of_visitor(self, tenant_id: str, visitor_id: str) -> Conversation | None: ...

    async def open_of_visitors(self, tenant_id: str, visitor_ids: list[str]) -> dict[str, Conversation]:
        """The open conversation of each of these visitors that has one, in one query."""

    async def todo(self, tenant_id: str, after: Conversation | None, limit: int) -> list[Conversation]:
        """Offline messages still to answer, oldest first, after ``after`` in that order."""

    async def todo_count(self, tenant_id: str) -> int:
        """How many offline messages are still to answer."""

    async def queued(self, tenant_id: str) -> list[Conversation]:
        """Queued conversations, oldest first."""

    async def active_of_agent(self, tenant_id: str, agent_id: str) -> list[Conversation]:
        """The agent's active conversations, oldest first."""

    async def open_load(self, tenant_id: str) -> dict[str, int]:
        """Active conversations per agent id."""

    async def abandoned(self, before: datetime) -> list[Conversation]:
        """Open conversations across tenants whose visitor left before ``before`` (for the janitor)."""

    async def agents_with_active(self) -> set[tuple[str, str]]:
        """Across tenants: (tenant id, agent id) of every agent holding an active conversation (janitor)."""

    async def tenants_with_queue(self) -> set[str]:
        """Across tenants: the tenants with a queued conversation (janitor)."""

    async def transition(
        self,
        conversation: Conversation,
        kind: str,
        state: dict[str, Any],
        record: dict[str, Any],
        now: datetime,
    ) -> Conversation:
        """Claim epoch+1 and apply ``state`` (fields of :data:`STATE_FIELDS`); ``record`` is kept with the
        transition (who, from whom, a note). Raises :class:`Superseded` if someone else claimed it first."""

    async def unfinished(self, since: datetime, until: datetime) -> list[tuple[Conversation, Document]]:
        """Across tenants: transitions made in ``[since, until)`` that are still their conversation's latest
        and whose ``marker`` message was never written (wschat.chat.markers), with the conversation."""

    async def history(self, tenant_id: str, conversation_id: str) -> list[Document]:
        """The transitions, oldest first: ``epoch``, ``kind``, ``at``, ``state`` and the record's fields."""

    async def raise_read_marker(self, tenant_id: str, conversation_id: str, side: str, seq: int) -> None:
        """``<side>_read_seq`` becomes ``seq`` unless it is higher already."""

    async def set_visitor_left(self, tenant_id: str, visitor_id: str, at: datetime | None) -> None:
        """On the visitor's open conversation, if any."""
