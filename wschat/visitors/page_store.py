"""What the page trail needs from storage. Implemented in ``wschat/storage/``.

A page view is a :class:`~wschat.records.Document`: ``_id``, ``tenant_id``, ``visitor_id``, ``url``,
``title``, ``referrer``, ``entered_at``, ``left_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from wschat.records import Document


class PageViewStore(Protocol):
    async def insert(self, view: Document) -> None: ...

    async def close(self, tenant_id: str, view_id: str, left_at: datetime) -> None:
        """Sets ``left_at`` once; a view that was closed already keeps its time."""

    async def delete_of_visitors(self, visitor_ids: list[str]) -> None: ...

    async def trail(self, tenant_id: str, visitor_id: str, limit: int) -> list[Document]:
        """The visitor's last ``limit`` page views, oldest first."""
