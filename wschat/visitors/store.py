"""What the chat services need from storage for visitors. Implemented in ``wschat/storage/``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from wschat.records import Document
from wschat.visitors.models import Visitor


class VisitorStore(Protocol):
    async def insert(self, visitor: Visitor, token_hash: str) -> None: ...

    async def by_token_hash(self, tenant_id: str, token_hash: str) -> Visitor | None: ...

    async def by_id(self, tenant_id: str, visitor_id: str) -> Visitor | None: ...

    async def set_profile(self, tenant_id: str, visitor_id: str, **values: str | None) -> Visitor | None:
        """Sets ``name``/``alias`` where given (None leaves a field as it is)."""

    async def set_contact(self, tenant_id: str, visitor_id: str, contact: dict[str, str]) -> Visitor | None:
        """Replaces the contact data; the visitor counts as engaged from now on."""

    async def mark_engaged(self, tenant_id: str, visitor_id: str) -> None:
        """The visitor started a chat: kept like any chat data, not removed as an idle page visitor."""

    async def delete_idle(self, last_seen_before: datetime, limit: int) -> list[str]:
        """Removes up to ``limit`` visitors who never chatted nor left contact data, have no page open and
        have not been seen since the given time; returns their ids. Across tenants: this is housekeeping,
        and it names no tenant's data."""

    async def set_current_page(self, tenant_id: str, visitor_id: str, page: Document) -> Visitor | None:
        """``page`` is ``{"id", "url", "title", "entered_at"}``."""

    async def clear_current_page(self, tenant_id: str, visitor_id: str, view_id: str) -> Visitor | None:
        """Clears the current page if it still is ``view_id`` (a newer page view of a new tab wins)."""

    async def on_site(self, tenant_id: str, limit: int) -> list[Visitor]:
        """Visitors with a page open now, the most recently active first."""

    async def touch(self, tenant_id: str, visitor_id: str, now: datetime) -> Visitor | None: ...
