"""What reports need from storage. Implemented in ``wschat/storage/`` (``sqlite/reports.py``,
``mongo/reports.py``).

Daily rows, per tenant and UTC day: the tenant's counts (``agent_id`` ``""``) and each agent's, the chats
started per page path, and the visitors seen on the site. A chat is counted once: :meth:`ReportStore.count`
records a per-conversation mark with the figures and adds nothing for a conversation marked already, so a
chat closing twice, or a rebuild racing the live update, never counts twice. The rows hold no personal
data (docs/privacy.md); every method takes the tenant and filters by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from wschat.chat.models import Conversation
from wschat.reports.chats import ChatFacts
from wschat.reports.figures import Counts

#: The agent id of the tenant's own rows.
TENANT = ""


@dataclass(frozen=True)
class DayRow:
    day: date
    #: ``""`` for the tenant's counts.
    agent_id: str
    counts: Counts


class ReportStore(Protocol):
    async def count(self, tenant_id: str, conversation_id: str, facts: ChatFacts) -> bool:
        """Add one chat's figures to its day unless it was counted already; True if it was added now."""

    async def add_visitor(self, tenant_id: str, day: date) -> None:
        """One more visitor seen on the site that day."""

    async def rows(self, tenant_id: str, since: date, until: date, agent_id: str | None) -> list[DayRow]:
        """The rows of the days in ``[since, until]``: every agent's and the tenant's (``agent_id`` None),
        or one agent's (``TENANT`` for the tenant's own)."""

    async def agent_totals(self, tenant_id: str, since: date, until: date) -> dict[str, Counts]:
        """Each agent's counts summed over the days in ``[since, until]`` (summed by the database where it
        can: a year of 50 agents is 18,000 rows)."""

    async def visitors(self, tenant_id: str, since: date, until: date) -> dict[date, int]:
        """Visitors seen on the site per day in ``[since, until]`` (days without any left out)."""

    async def pages(self, tenant_id: str, since: date, until: date, limit: int) -> list[tuple[str, int]]:
        """The page paths where most chats started in ``[since, until]``, most first, at most ``limit``."""

    async def forget_pages(self, tenant_id: str, conversation_ids: list[str]) -> int:
        """A person's erasure: the start pages counted for these conversations are taken out of the page
        figures (a page's count goes down by one; at zero its row goes) and forgotten on their marks, so that
        no path the person visited stays behind. How many were taken out."""

    async def forget(self, tenant_id: str, since: date, until: date) -> None:
        """Delete the chat figures (and marks) of the days in ``[since, until]``: a rebuild's first step.
        The visitor counts stay (the page views they came from are gone by then)."""

    async def closed_chats(
        self, tenant_id: str, since: datetime, until: datetime, after: Conversation | None, limit: int
    ) -> list[Conversation]:
        """Closed conversations started in ``[since, until)``, by start time then id, after ``after`` in
        that order (a rebuild's walk)."""

    async def earlier_chat(
        self, tenant_id: str, visitor_id: str, since: datetime, before: Conversation
    ) -> bool:
        """Whether the visitor started another chat (not an offline message) at or after ``since`` and
        before ``before`` did."""
