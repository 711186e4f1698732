"""The MongoDB adapter for data-subject requests (wschat/subjects/store.py).

Finding a person by name or contact data is the documented regex fallback of the archive
(docs/archive.md): each word a case-insensitive, escaped ``$regex`` over the tenant's visitors, whose index
leads with the tenant. Conversations and mails are read through indexes that lead with the tenant and the
visitor (or the recipient); transitions are deleted by their primary keys ``"<parent id>:<epoch>"``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument

from wschat.chat.models import Conversation
from wschat.mail.models import OutgoingMail
from wschat.records import Document
from wschat.storage.documents import conversation_from, visitor_from
from wschat.storage.mail_documents import mail_from
from wschat.storage.mongo.database import MongoHandle
from wschat.visitors.models import Visitor

_VISITOR_FIELDS = ("name", "alias", "contact.name", "contact.email", "contact.phone")
_STRIPPED: Document = {
    "name": None,
    "alias": None,
    "contact": {},
    "ip": None,
    "country": None,
    "user_agent": None,
    "current_page": None,
}


def _epochs(parent_id: str, epoch: int) -> list[str]:
    """The primary keys of a parent's transitions (one per epoch it went through)."""
    return [f"{parent_id}:{n}" for n in range(1, epoch + 1)]


def _after(after: tuple[datetime, str] | None) -> Document:
    if after is None:
        return {}
    at, row_id = after
    return {"$or": [{"created_at": {"$gt": at}}, {"created_at": at, "_id": {"$gt": row_id}}]}


def _without_visitor_name(participants: list[Document]) -> list[Document]:
    return [p | {"display_name": ""} if p.get("side") == "visitor" else p for p in participants]


class MongoSubjectStore:
    def __init__(self, db: MongoHandle) -> None:
        self._db = db

    async def find(
        self, tenant_id: str, words: tuple[str, ...], limit: int, *, email: str | None = None
    ) -> list[Visitor]:
        if not words:
            return []
        every: list[Document] = [
            {"$or": [{name: {"$regex": re.escape(word), "$options": "i"}} for name in _VISITOR_FIELDS]}
            for word in words
        ]
        if email:
            every.append({"contact.email": {"$regex": f"^{re.escape(email)}$", "$options": "i"}})
        cursor = (
            self._db["visitors"]
            .find({"tenant_id": tenant_id, "$and": every})
            .sort([("last_seen", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [visitor_from(doc) async for doc in cursor]

    async def conversations_of(
        self, tenant_id: str, visitor_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[Conversation]:
        query = {"tenant_id": tenant_id, "visitor_id": visitor_id, **_after(after)}
        cursor = (
            self._db["conversations"]
            .find(query)
            .sort([("created_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [conversation_from(doc) async for doc in cursor]

    async def mails_to(
        self, tenant_id: str, recipients: list[str], after: tuple[datetime, str] | None, limit: int
    ) -> list[OutgoingMail]:
        if not recipients:
            return []
        query = {"tenant_id": tenant_id, "recipient": {"$in": recipients}, **_after(after)}
        cursor = (
            self._db["outbox"].find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)]).limit(limit)
        )
        return [mail_from(doc) async for doc in cursor]

    async def _owned(self, collection: str, tenant_id: str, ids: list[str]) -> list[Document]:
        return [doc async for doc in self._db[collection].find({"_id": {"$in": ids}, "tenant_id": tenant_id})]

    async def _calls(self, tenant_id: str, ids: list[str]) -> list[Document]:
        query = {"tenant_id": tenant_id, "conversation_id": {"$in": ids}}
        return [doc async for doc in self._db["calls"].find(query)]

    async def delete_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        owned = await self._owned("conversations", tenant_id, ids) if ids else []
        if not owned:
            return {}
        ids = [doc["_id"] for doc in owned]
        calls = await self._calls(tenant_id, ids)
        children = {"tenant_id": tenant_id, "conversation_id": {"$in": ids}}
        counts: dict[str, int] = {}
        for name in ("messages", "transcripts"):
            counts[name] = (await self._db[name].delete_many(children)).deleted_count
        transitions = [key for doc in owned for key in _epochs(doc["_id"], doc["epoch"])]
        counts["transitions"] = await self._delete_keys("transitions", tenant_id, transitions)
        if calls:
            call_transitions = [key for call in calls for key in _epochs(call["_id"], call["epoch"])]
            counts["call_transitions"] = await self._delete_keys(
                "call_transitions", tenant_id, call_transitions
            )
            counts["calls"] = await self._delete_keys("calls", tenant_id, [call["_id"] for call in calls])
        counts["conversations"] = await self._delete_keys("conversations", tenant_id, ids)
        return counts

    async def anonymise_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        owned = await self._owned("conversations", tenant_id, ids) if ids else []
        if not owned:
            return {}
        ids = [doc["_id"] for doc in owned]
        children = {"tenant_id": tenant_id, "conversation_id": {"$in": ids}}
        messages = self._db["messages"]
        changed = await messages.update_many(children, {"$set": {"text": "", "data": {}}})
        await messages.update_many(
            {**children, "sender.kind": "visitor"}, {"$set": {"sender.display_name": ""}}
        )
        transitions = [key for doc in owned for key in _epochs(doc["_id"], doc["epoch"])]
        for path in ("state.closed_by", "by"):
            await self._db["transitions"].update_many(
                {"_id": {"$in": transitions}, "tenant_id": tenant_id, f"{path}.kind": "visitor"},
                {"$set": {f"{path}.display_name": ""}},
            )
        transcripts = await self._db["transcripts"].delete_many(children)
        conversations = self._db["conversations"]
        mine = {"_id": {"$in": ids}, "tenant_id": tenant_id}
        await conversations.update_many(mine, {"$set": {"answer_email": None}})
        await conversations.update_many(
            {**mine, "closed_by.kind": "visitor"}, {"$set": {"closed_by.display_name": ""}}
        )
        counts = {
            "messages": changed.modified_count,
            "transcripts": transcripts.deleted_count,
            "conversations": len(ids),
        }
        calls = await self._calls(tenant_id, ids)
        for call in calls:
            await self._anonymise_call(tenant_id, call)
        if calls:
            counts["calls"] = len(calls)
        return counts

    async def _anonymise_call(self, tenant_id: str, call: Document) -> None:
        participants = _without_visitor_name(call.get("participants") or [])
        await self._db["calls"].update_one(
            {"_id": call["_id"], "tenant_id": tenant_id}, {"$set": {"participants": participants}}
        )
        transitions = self._db["call_transitions"]
        keys = _epochs(call["_id"], call["epoch"])
        async for doc in transitions.find({"_id": {"$in": keys}, "tenant_id": tenant_id}):
            state: dict[str, Any] = doc.get("state") or {}
            if isinstance(state.get("participants"), list):
                await transitions.update_one(
                    {"_id": doc["_id"]},
                    {"$set": {"state.participants": _without_visitor_name(state["participants"])}},
                )

    async def delete_mails(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        owned = await self._owned("outbox", tenant_id, ids) if ids else []
        if not owned:
            return {}
        transitions = [key for doc in owned for key in _epochs(doc["_id"], doc["epoch"])]
        return {
            "outbox_transitions": await self._delete_keys("outbox_transitions", tenant_id, transitions),
            "outbox": await self._delete_keys("outbox", tenant_id, [doc["_id"] for doc in owned]),
        }

    async def _delete_keys(self, collection: str, tenant_id: str, keys: list[str]) -> int:
        if not keys:
            return 0
        result = await self._db[collection].delete_many({"_id": {"$in": keys}, "tenant_id": tenant_id})
        return result.deleted_count

    async def delete_page_views(self, tenant_id: str, visitor_id: str, limit: int) -> int:
        views = self._db["page_views"]
        query = {"tenant_id": tenant_id, "visitor_id": visitor_id}
        ids = [doc["_id"] async for doc in views.find(query, {"_id": 1}).limit(limit)]
        return await self._delete_keys("page_views", tenant_id, ids)

    async def strip_visitor(self, tenant_id: str, visitor_id: str, token_hash: str) -> bool:
        result = await self._db["visitors"].update_one(
            {"_id": visitor_id, "tenant_id": tenant_id}, {"$set": _STRIPPED | {"token_hash": token_hash}}
        )
        return result.matched_count == 1

    async def change_visitor(
        self, tenant_id: str, visitor_id: str, changes: dict[str, Any]
    ) -> Visitor | None:
        doc = await self._db["visitors"].find_one_and_update(
            {"_id": visitor_id, "tenant_id": tenant_id},
            {"$set": changes},
            return_document=ReturnDocument.AFTER,
        )
        return visitor_from(doc) if doc else None

    async def delete_visitor(self, tenant_id: str, visitor_id: str) -> bool:
        return await self._delete_keys("visitors", tenant_id, [visitor_id]) == 1

    async def record_request(self, record: Document) -> None:
        await self._db["subject_requests"].insert_one(dict(record))

    async def requests(
        self, tenant_id: str, before: tuple[datetime, str] | None, limit: int
    ) -> list[Document]:
        query: Document = {"tenant_id": tenant_id}
        if before is not None:
            at, row_id = before
            query["$or"] = [{"received_at": {"$lt": at}}, {"received_at": at, "_id": {"$lt": row_id}}]
        cursor = (
            self._db["subject_requests"]
            .find(query)
            .sort([("received_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [doc async for doc in cursor]

    async def finish_request(self, tenant_id: str, request_id: str, at: datetime) -> Document | None:
        requests = self._db["subject_requests"]
        found = await requests.find_one_and_update(
            {"_id": request_id, "tenant_id": tenant_id, "state": "open"},
            {"$set": {"state": "done", "done_at": at}},
            return_document=ReturnDocument.AFTER,
        )
        return found or await requests.find_one({"_id": request_id, "tenant_id": tenant_id})
