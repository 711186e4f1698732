"""The MongoDB adapter for reports (wschat/reports/store.py).

A chat is counted by inserting its mark into ``report_counted`` (``_id`` tenant and conversation: a
second insert fails on the unique ``_id``, so a chat closing twice, or a rebuild racing the live count,
adds once), then ``$inc`` on its day's rows (upserted, ``_id`` tenant, day and agent). On MongoDB ``$inc``
is atomic; FerretDB, the test server, may lose one of two increments of the same row at the same moment
(docs/reports.md says so; ``wschat reports rebuild`` recounts). A crash between the mark and the
increments leaves that chat out until a rebuild.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from wschat.chat.models import Conversation
from wschat.records import Document
from wschat.reports.chats import ChatFacts
from wschat.reports.figures import Counts
from wschat.reports.store import TENANT, DayRow
from wschat.storage.documents import conversation_from
from wschat.storage.mongo.database import MongoHandle

#: The collections of this store, deleted with their tenant (``lifecycle.py``).
COLLECTIONS = ("report_days", "report_pages", "report_visitors", "report_counted")


def _days(tenant_id: str, since: date, until: date) -> Document:
    return {"tenant_id": tenant_id, "day": {"$gte": since.isoformat(), "$lte": until.isoformat()}}


class MongoReportStore:
    def __init__(self, db: MongoHandle) -> None:
        self._db = db
        self._days = db["report_days"]
        self._pages = db["report_pages"]
        self._visitors = db["report_visitors"]
        self._counted = db["report_counted"]
        self._conversations = db["conversations"]

    async def count(self, tenant_id: str, conversation_id: str, facts: ChatFacts) -> bool:
        day = facts.day.isoformat()
        mark = {
            "_id": f"{tenant_id}|{conversation_id}",
            "tenant_id": tenant_id,
            "day": day,
            "path": facts.page,
        }
        try:
            await self._counted.insert_one(mark)
        except DuplicateKeyError:
            return False
        await self._add(tenant_id, day, TENANT, facts.counts)
        if facts.agent_id:
            await self._add(tenant_id, day, facts.agent_id, facts.agent_counts)
        if facts.page is not None:
            key = {"_id": f"{tenant_id}|{day}|{facts.page}", "tenant_id": tenant_id}
            update = {"$inc": {"chats": 1}, "$setOnInsert": {"day": day, "path": facts.page}}
            await self._pages.update_one(key, update, upsert=True)
        return True

    async def _add(self, tenant_id: str, day: str, agent_id: str, counts: Counts) -> None:
        key = {"_id": f"{tenant_id}|{day}|{agent_id}", "tenant_id": tenant_id}
        update: dict[str, Any] = {
            "$inc": {f"counts.{name}": value for name, value in counts.items()},
            "$setOnInsert": {"day": day, "agent_id": agent_id},
        }
        await self._days.update_one(key, update, upsert=True)

    async def forget_pages(self, tenant_id: str, conversation_ids: list[str]) -> int:
        marks = {"_id": {"$in": [f"{tenant_id}|{c}" for c in conversation_ids]}, "tenant_id": tenant_id}
        found = [doc async for doc in self._counted.find(marks | {"path": {"$ne": None}})]
        for doc in found:
            key = {"_id": f"{tenant_id}|{doc['day']}|{doc['path']}", "tenant_id": tenant_id}
            await self._pages.update_one(key, {"$inc": {"chats": -1}})
            await self._pages.delete_one(key | {"chats": {"$lte": 0}})
        if found:
            await self._counted.update_many(marks, {"$set": {"path": None}})
        return len(found)

    async def add_visitor(self, tenant_id: str, day: date) -> None:
        key = {"_id": f"{tenant_id}|{day.isoformat()}", "tenant_id": tenant_id}
        update = {"$inc": {"visitors": 1}, "$setOnInsert": {"day": day.isoformat()}}
        await self._visitors.update_one(key, update, upsert=True)

    async def rows(self, tenant_id: str, since: date, until: date, agent_id: str | None) -> list[DayRow]:
        found = _days(tenant_id, since, until)
        if agent_id is not None:
            found["agent_id"] = agent_id
        cursor = self._days.find(found, {"day": 1, "agent_id": 1, "counts": 1})
        return [
            DayRow(date.fromisoformat(doc["day"]), doc["agent_id"], dict(doc.get("counts") or {}))
            async for doc in cursor
        ]

    async def agent_totals(self, tenant_id: str, since: date, until: date) -> dict[str, Counts]:
        found = _days(tenant_id, since, until) | {"agent_id": {"$ne": TENANT}}
        totals: dict[str, Counts] = {}
        async for doc in self._days.find(found, {"agent_id": 1, "counts": 1}):
            total = totals.setdefault(doc["agent_id"], {})
            for name, value in (doc.get("counts") or {}).items():
                total[name] = total.get(name, 0) + int(value)
        return totals

    async def visitors(self, tenant_id: str, since: date, until: date) -> dict[date, int]:
        cursor = self._visitors.find(_days(tenant_id, since, until))
        return {date.fromisoformat(doc["day"]): int(doc["visitors"]) async for doc in cursor}

    async def pages(self, tenant_id: str, since: date, until: date, limit: int) -> list[tuple[str, int]]:
        totals: dict[str, int] = {}
        async for doc in self._pages.find(_days(tenant_id, since, until), {"path": 1, "chats": 1}):
            totals[doc["path"]] = totals.get(doc["path"], 0) + int(doc["chats"])
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]

    async def forget(self, tenant_id: str, since: date, until: date) -> None:
        for collection in (self._days, self._pages, self._counted):
            await collection.delete_many(_days(tenant_id, since, until))

    async def closed_chats(
        self, tenant_id: str, since: datetime, until: datetime, after: Conversation | None, limit: int
    ) -> list[Conversation]:
        found: Document = {
            "tenant_id": tenant_id,
            "status": "closed",
            "created_at": {"$gte": since, "$lt": until},
        }
        if after is not None:
            found["$or"] = [
                {"created_at": {"$gt": after.created_at}},
                {"created_at": after.created_at, "_id": {"$gt": after.id}},
            ]
        cursor = self._conversations.find(found).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
        return [conversation_from(doc) async for doc in cursor.limit(limit)]

    async def earlier_chat(
        self, tenant_id: str, visitor_id: str, since: datetime, before: Conversation
    ) -> bool:
        found: Document = {
            "tenant_id": tenant_id,
            "visitor_id": visitor_id,
            "created_at": {"$gte": since, "$lte": before.created_at},
            "origin": {"$ne": "offline_form"},
            "$or": [
                {"created_at": {"$lt": before.created_at}},
                {"created_at": before.created_at, "_id": {"$lt": before.id}},
            ],
        }
        cursor = self._conversations.find(found, {"_id": 1}).sort("created_at", DESCENDING).limit(1)
        return bool([doc async for doc in cursor])
