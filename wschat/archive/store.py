"""What the archive needs from storage. Implemented in ``wschat/storage/`` (both adapters).

Every method takes the tenant and filters by it; a conversation of another tenant is never found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wschat.chat.models import Conversation
from wschat.records import Document


@dataclass(frozen=True)
class ArchiveFilter:
    """One page's question, already checked (wschat.archive.models.ArchiveQuery is the wire's)."""

    #: Closed in ``[since, until)``.
    since: datetime | None = None
    until: datetime | None = None
    #: Chats this agent took part in (assigned at any point, also if transferred away).
    agent_id: str | None = None
    #: ``answered`` | ``missed`` | ``offline``.
    outcome: str | None = None
    country: str | None = None
    #: Words that one message, or the visitor's name/contact data, must all contain (already plain words).
    words: tuple[str, ...] = ()
    #: Words the visitor's name, alias or contact data must all contain.
    visitor_words: tuple[str, ...] = ()
    #: Keyset: only conversations that sort after (older than) this ``(closed_at, id)``.
    after: tuple[datetime, str] | None = None


@dataclass(frozen=True)
class ArchiveEntry:
    conversation: Conversation
    visitor: Document | None
    message_count: int
    #: The first matching message's text around the hit, the hits between \x02 and \x03; None without words.
    snippet: str | None = None


class ArchiveStore(Protocol):
    async def page(self, tenant_id: str, query: ArchiveFilter, limit: int) -> list[ArchiveEntry]:
        """Closed conversations matching ``query``, newest closed first (by ``closed_at``, then id)."""

    async def took_part(self, tenant_id: str, conversation_id: str, agent_id: str) -> bool:
        """Whether the agent was assigned this conversation at any point."""

    async def agents_of(self, tenant_id: str, conversation_id: str) -> list[str]:
        """The ids of the agents it was assigned to, in the order they got it."""
