"""The MongoDB adapter for retention inside a running tenant (wschat/retention/store.py).

Due documents are read through indexes that lead with the tenant (``mongo/database.py``: closed chats by
``closed_at``, visitors who chatted by ``last_seen``, addresses not aged yet by ``first_seen``, mails by
state and ``created_at``), a page at a time in key order, past those that are old but kept (a restricted
visitor's, an offline message still to answer, a visitor with a chat not yet due). Conversations and mails
go with everything on them as a data-subject erasure deletes them (``subjects.py``); children go before
their parents, so an interrupted batch leaves nothing the next one cannot reach.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING

from wschat.mail.models import MailStatus
from wschat.records import Document
from wschat.retention.store import BATCH, Swept
from wschat.storage.mongo.database import MongoHandle
from wschat.storage.mongo.subjects import MongoSubjectStore

#: Chooses, of one page of due documents, those that may go.
_Keep = Callable[[list[Document]], Awaitable[list[Document]]]


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {table: count for table, count in counts.items() if count}


class MongoRetentionStore:
    def __init__(self, db: MongoHandle) -> None:
        self._db = db
        self._erasure = MongoSubjectStore(db)

    async def delete_chats(self, tenant_id: str, closed_before: datetime, limit: int = BATCH) -> Swept:
        query = {"tenant_id": tenant_id, "status": "closed", "closed_at": {"$lt": closed_before}}

        async def keep(page: list[Document]) -> list[Document]:
            answered = [doc for doc in page if doc.get("answer_state") != "open"]
            restricted = await self._restricted(tenant_id, [doc["visitor_id"] for doc in answered])
            return [doc for doc in answered if doc["visitor_id"] not in restricted]

        fields = {"_id": 1, "closed_at": 1, "visitor_id": 1, "answer_state": 1}
        due = await self._due("conversations", query, "closed_at", fields, limit, keep)
        ids = [doc["_id"] for doc in due]
        counts = await self._erasure.delete_conversations(tenant_id, ids) if ids else {}
        return Swept(len(ids), _nonzero(counts), conversations=tuple(ids))

    async def delete_visitors(self, tenant_id: str, seen_before: datetime, limit: int = BATCH) -> Swept:
        query = {"tenant_id": tenant_id, "engaged": True, "last_seen": {"$lt": seen_before}}
        conversations = self._db["conversations"]

        async def keep(page: list[Document]) -> list[Document]:
            gone = [doc for doc in page if not doc.get("restricted") and doc.get("current_page") is None]
            return [doc for doc in gone if not await has_chats(doc["_id"])]

        async def has_chats(visitor_id: str) -> bool:
            chats = {"tenant_id": tenant_id, "visitor_id": visitor_id}
            return await conversations.find_one(chats, {"_id": 1}) is not None

        fields = {"_id": 1, "last_seen": 1, "restricted": 1, "current_page": 1}
        due = await self._due("visitors", query, "last_seen", fields, limit, keep)
        counts = {"page_views": 0, "visitors": 0}
        deleted = []
        for doc in due:
            trail = {"tenant_id": tenant_id, "visitor_id": doc["_id"]}
            views = await self._db["page_views"].delete_many(trail)
            counts["page_views"] += views.deleted_count
            # Not if they came back meanwhile (a returning visitor is seen first).
            still = {"_id": doc["_id"], "tenant_id": tenant_id, "last_seen": {"$lt": seen_before}}
            if (await self._db["visitors"].delete_one(still)).deleted_count:
                counts["visitors"] += 1
                deleted.append(doc["_id"])
        return Swept(len(due), _nonzero(counts), visitors=tuple(deleted))

    async def age_addresses(
        self,
        tenant_id: str,
        stored_before: datetime,
        aged: Callable[[str], str | None],
        limit: int = BATCH,
    ) -> Swept:
        # A visitor stored before the field existed has none: None matches it as it matches null.
        not_aged = {"$in": [None, False]}
        query = {"tenant_id": tenant_id, "ip_aged": not_aged, "first_seen": {"$lt": stored_before}}

        async def keep(page: list[Document]) -> list[Document]:
            return [doc for doc in page if not doc.get("restricted")]

        fields = {"_id": 1, "first_seen": 1, "ip": 1, "restricted": 1}
        due = await self._due("visitors", query, "first_seen", fields, limit, keep)
        counts = {"addresses deleted": 0, "addresses shortened": 0}
        changed = []
        for doc in due:
            ip = doc.get("ip")
            new = aged(ip) if ip else None
            # Only the address as read: one erased meanwhile stays erased (and is taken by the next run).
            where = {"_id": doc["_id"], "tenant_id": tenant_id, "ip": ip}
            result = await self._db["visitors"].update_one(where, {"$set": {"ip": new, "ip_aged": True}})
            if result.modified_count and ip:
                counts["addresses deleted" if new is None else "addresses shortened"] += 1
                changed.append(doc["_id"])
        return Swept(len(due), _nonzero(counts), visitors=tuple(changed))

    async def delete_mails(self, tenant_id: str, created_before: datetime, limit: int = BATCH) -> Swept:
        done = [MailStatus.SENT.value, MailStatus.FAILED.value]
        query = {"tenant_id": tenant_id, "status": {"$in": done}, "created_at": {"$lt": created_before}}
        cursor = self._db["outbox"].find(query, {"_id": 1}).limit(limit)
        ids = [doc["_id"] async for doc in cursor]
        counts = await self._erasure.delete_mails(tenant_id, ids) if ids else {}
        return Swept(len(ids), _nonzero(counts))

    async def _restricted(self, tenant_id: str, visitor_ids: list[str]) -> set[str]:
        if not visitor_ids:
            return set()
        query = {"_id": {"$in": visitor_ids}, "tenant_id": tenant_id, "restricted": True}
        return {doc["_id"] async for doc in self._db["visitors"].find(query, {"_id": 1})}

    async def _due(
        self, collection: str, query: Document, key: str, fields: Document, limit: int, keep: _Keep
    ) -> list[Document]:
        """Up to ``limit`` documents of ``query`` that ``keep`` lets go, in ``(key, _id)`` order, paging past
        the others."""
        chosen: list[Document] = []
        after: dict[str, Any] = {}
        while len(chosen) < limit:
            cursor = (
                self._db[collection]
                .find(query | after, fields)
                .sort([(key, ASCENDING), ("_id", ASCENDING)])
                .limit(limit)
            )
            page = [doc async for doc in cursor]
            chosen += (await keep(page))[: limit - len(chosen)]
            if len(page) < limit:
                break
            last = page[-1]
            after = {"$or": [{key: {"$gt": last[key]}}, {key: last[key], "_id": {"$gt": last["_id"]}}]}
        return chosen
