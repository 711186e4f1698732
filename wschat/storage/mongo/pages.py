"""The MongoDB adapter for the page trail (`page_views`). Every query filters by ``tenant_id``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import DESCENDING

from wschat.records import Document
from wschat.storage.mongo.database import MongoHandle


class MongoPageViewStore:
    def __init__(self, db: MongoHandle) -> None:
        self._views = db["page_views"]

    async def insert(self, view: Document) -> None:
        await self._views.insert_one(view)

    async def close(self, tenant_id: str, view_id: str, left_at: datetime) -> None:
        """Sets ``left_at`` once; a view that was closed already keeps its time."""
        await self._views.update_one(
            {"_id": view_id, "tenant_id": tenant_id, "left_at": None}, {"$set": {"left_at": left_at}}
        )

    async def delete_of_visitors(self, visitor_ids: list[str]) -> None:
        await self._views.delete_many({"visitor_id": {"$in": visitor_ids}})

    async def trail(self, tenant_id: str, visitor_id: str, limit: int) -> list[Document]:
        """The visitor's last ``limit`` page views, oldest first."""
        cursor = (
            self._views.find({"tenant_id": tenant_id, "visitor_id": visitor_id})
            .sort("entered_at", DESCENDING)
            .limit(limit)
        )
        views: list[dict[str, Any]] = [view async for view in cursor]
        return views[::-1]
