"""The MongoDB adapter for visitors. Every query filters by ``tenant_id``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pymongo import ReturnDocument

from wschat.records import Document
from wschat.storage.documents import visitor_doc, visitor_from
from wschat.storage.mongo.database import MongoHandle, find_owned
from wschat.visitors.models import Visitor


class MongoVisitorStore:
    def __init__(self, db: MongoHandle) -> None:
        self._visitors = db["visitors"]

    async def insert(self, visitor: Visitor, token_hash: str) -> None:
        doc = visitor_doc(visitor)
        doc["token_hash"] = token_hash
        await self._visitors.insert_one(doc)

    async def by_token_hash(self, tenant_id: str, token_hash: str) -> Visitor | None:
        doc = await self._visitors.find_one({"tenant_id": tenant_id, "token_hash": token_hash})
        return visitor_from(doc) if doc else None

    async def by_id(self, tenant_id: str, visitor_id: str) -> Visitor | None:
        doc = await find_owned(self._visitors, visitor_id, tenant_id)
        return visitor_from(doc) if doc else None

    async def set_profile(self, tenant_id: str, visitor_id: str, **values: str | None) -> Visitor | None:
        changes = {key: value for key, value in values.items() if value is not None}
        return await self._update(tenant_id, visitor_id, changes)

    async def set_contact(self, tenant_id: str, visitor_id: str, contact: dict[str, str]) -> Visitor | None:
        return await self._update(tenant_id, visitor_id, {"contact": contact, "engaged": True})

    async def mark_engaged(self, tenant_id: str, visitor_id: str) -> None:
        """The visitor started a chat: kept like any chat data, not removed as an idle page visitor."""
        await self._visitors.update_one(
            {"_id": visitor_id, "tenant_id": tenant_id}, {"$set": {"engaged": True}}
        )

    async def delete_idle(self, last_seen_before: datetime, limit: int) -> list[str]:
        """Removes visitors who never chatted nor left contact data and have not been seen since the given
        time; returns their ids. Across tenants: this is housekeeping, and it names no tenant's data."""
        query = {"engaged": {"$ne": True}, "current_page": None, "last_seen": {"$lt": last_seen_before}}
        ids = [doc["_id"] async for doc in self._visitors.find(query, {"_id": 1}).limit(limit)]
        if ids:
            await self._visitors.delete_many({"_id": {"$in": ids}, **query})
        return ids

    async def _update(self, tenant_id: str, visitor_id: str, changes: Mapping[str, object]) -> Visitor | None:
        if not changes:
            return await self.by_id(tenant_id, visitor_id)
        doc = await self._visitors.find_one_and_update(
            {"_id": visitor_id, "tenant_id": tenant_id},
            {"$set": changes},
            return_document=ReturnDocument.AFTER,
        )
        return visitor_from(doc) if doc else None

    async def set_current_page(self, tenant_id: str, visitor_id: str, page: Document) -> Visitor | None:
        return await self._update(tenant_id, visitor_id, {"current_page": page})

    async def clear_current_page(self, tenant_id: str, visitor_id: str, view_id: str) -> Visitor | None:
        """Clears the current page if it still is ``view_id`` (a newer page view of a new tab wins)."""
        doc = await self._visitors.find_one_and_update(
            {"_id": visitor_id, "tenant_id": tenant_id, "current_page.id": view_id},
            {"$set": {"current_page": None}},
            return_document=ReturnDocument.AFTER,
        )
        return visitor_from(doc) if doc else None

    async def on_site(self, tenant_id: str, limit: int) -> list[Visitor]:
        """Visitors with a page open now, the most recently active first."""
        cursor = (
            self._visitors.find({"tenant_id": tenant_id, "current_page": {"$ne": None}})
            .sort("last_seen", -1)
            .limit(limit)
        )
        return [visitor_from(doc) async for doc in cursor]

    async def touch(self, tenant_id: str, visitor_id: str, now: datetime) -> Visitor | None:
        doc = await self._visitors.find_one_and_update(
            {"_id": visitor_id, "tenant_id": tenant_id},
            {"$set": {"last_seen": now}},
            return_document=ReturnDocument.AFTER,
        )
        return visitor_from(doc) if doc else None
