"""The MongoDB adapter for conversations and their state transitions. Every query filters by ``tenant_id``.

A conversation changes state (assigned, transferred, re-queued, closed) only through a *transition*: a
document with ``_id = "<conversation id>:<epoch>"``. Inserting it is the claim: the primary key lets one
writer per epoch win, on MongoDB and on FerretDB alike (whose conditional updates are not atomic). The
winner then applies the transition's state to the conversation; anyone who later finds a transition that
was claimed but not applied (its writer died) applies it too, which is harmless because applying is
idempotent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from wschat.chat.conversation_store import Superseded
from wschat.chat.models import Conversation, ConversationStatus
from wschat.records import Document
from wschat.storage.documents import (
    conversation_doc,
    conversation_from,
    open_key,
    transition_doc,
    transition_id,
)
from wschat.storage.mongo.database import MongoHandle, find_owned


class MongoConversationStore:
    def __init__(self, db: MongoHandle) -> None:
        self._conversations = db["conversations"]
        self._transitions = db["transitions"]
        self._messages = db["messages"]

    async def insert(self, conversation: Conversation) -> bool:
        """False if the visitor has an open conversation already."""
        doc = conversation_doc(conversation)
        doc["open_key"] = open_key(conversation)
        try:
            await self._conversations.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def get(self, tenant_id: str, conversation_id: str) -> Conversation | None:
        for _ in range(5):
            doc = await find_owned(self._conversations, conversation_id, tenant_id)
            if doc is None:
                return None
            pending = await self._transitions.find_one(
                {"_id": transition_id(conversation_id, doc["epoch"] + 1)}
            )
            if pending is None or pending["tenant_id"] != tenant_id:
                return conversation_from(doc)
            await self._apply(tenant_id, conversation_id, doc["epoch"], pending["state"])
        raise RuntimeError(f"conversation {conversation_id} keeps changing")

    async def todo(self, tenant_id: str, after: Conversation | None, limit: int) -> list[Conversation]:
        query: dict[str, Any] = {"tenant_id": tenant_id, "answer_state": "open"}
        if after is not None:
            query["$or"] = [
                {"created_at": {"$gt": after.created_at}},
                {"created_at": after.created_at, "_id": {"$gt": after.id}},
            ]
        cursor = self._conversations.find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
        return [conversation_from(doc) async for doc in cursor.limit(limit)]

    async def todo_count(self, tenant_id: str) -> int:
        return await self._conversations.count_documents({"tenant_id": tenant_id, "answer_state": "open"})

    async def open_of_visitor(self, tenant_id: str, visitor_id: str) -> Conversation | None:
        doc = await self._conversations.find_one({"tenant_id": tenant_id, "open_key": visitor_id})
        return await self.get(tenant_id, doc["_id"]) if doc else None

    async def open_of_visitors(self, tenant_id: str, visitor_ids: list[str]) -> dict[str, Conversation]:
        """The open conversation of each of these visitors that has one, in one query (as stored)."""
        cursor = self._conversations.find({"tenant_id": tenant_id, "open_key": {"$in": visitor_ids}})
        return {doc["open_key"]: conversation_from(doc) async for doc in cursor}

    async def queued(self, tenant_id: str) -> list[Conversation]:
        cursor = self._conversations.find({"tenant_id": tenant_id, "status": ConversationStatus.QUEUED.value})
        return sorted([conversation_from(doc) async for doc in cursor], key=lambda c: c.created_at)

    async def active_of_agent(self, tenant_id: str, agent_id: str) -> list[Conversation]:
        cursor = self._conversations.find(
            {"tenant_id": tenant_id, "agent_id": agent_id, "status": ConversationStatus.ACTIVE.value}
        )
        return sorted([conversation_from(doc) async for doc in cursor], key=lambda c: c.created_at)

    async def open_load(self, tenant_id: str) -> dict[str, int]:
        """Open (active) conversations per agent id."""
        load: dict[str, int] = {}
        cursor = self._conversations.find(
            {"tenant_id": tenant_id, "status": ConversationStatus.ACTIVE.value}, {"agent_id": 1}
        )
        async for doc in cursor:
            load[doc["agent_id"]] = load.get(doc["agent_id"], 0) + 1
        return load

    async def abandoned(self, before: datetime) -> list[Conversation]:
        """Open conversations across tenants whose visitor left before ``before`` (for the janitor)."""
        cursor = self._conversations.find(
            {"status": {"$ne": ConversationStatus.CLOSED.value}, "visitor_left_at": {"$lte": before}}
        )
        return [conversation_from(doc) async for doc in cursor]

    async def agents_with_active(self) -> set[tuple[str, str]]:
        cursor = self._conversations.find(
            {"status": ConversationStatus.ACTIVE.value}, {"tenant_id": 1, "agent_id": 1}
        )
        return {(doc["tenant_id"], doc["agent_id"]) async for doc in cursor if doc.get("agent_id")}

    async def tenants_with_queue(self) -> set[str]:
        cursor = self._conversations.find({"status": ConversationStatus.QUEUED.value}, {"tenant_id": 1})
        return {doc["tenant_id"] async for doc in cursor}

    async def transition(
        self,
        conversation: Conversation,
        kind: str,
        state: dict[str, Any],
        record: dict[str, Any],
        now: datetime,
    ) -> Conversation:
        """Claim epoch+1 and apply ``state``; raises :class:`Superseded` if someone else claimed it first."""
        doc = transition_doc(conversation, kind, state, record, now)
        state = doc["state"]
        try:
            await self._transitions.insert_one(doc)
        except DuplicateKeyError as e:
            raise Superseded() from e
        updated = await self._apply(conversation.tenant_id, conversation.id, conversation.epoch, state)
        if updated is None:
            raise Superseded()
        return updated

    async def unfinished(self, since: datetime, until: datetime) -> list[tuple[Conversation, Document]]:
        # Transitions whose marker message was written say so (``done``, set by the message store): only the
        # others are looked up among the messages, which FerretDB can only read whole.
        query = {"at": {"$gte": since, "$lt": until}, "marker": {"$exists": True}, "done": {"$exists": False}}
        unfinished = []
        async for transition in self._transitions.find(query):
            conversation = await self.get(transition["tenant_id"], transition["conversation_id"])
            if conversation is None or conversation.epoch != transition["epoch"]:
                continue  # a later transition has its own aftermath
            written = {"conversation_id": conversation.id, "client_id": transition["marker"]}
            if await self._messages.find_one(written, projection={"_id": 1}) is None:
                unfinished.append((conversation, transition))
        return unfinished

    async def history(self, tenant_id: str, conversation_id: str) -> list[Document]:
        cursor = self._transitions.find({"tenant_id": tenant_id, "conversation_id": conversation_id})
        return sorted([doc async for doc in cursor], key=lambda d: d["epoch"])

    async def set_fields(self, tenant_id: str, conversation_id: str, values: dict[str, Any]) -> None:
        """Fields outside the state machine (read markers, visitor presence)."""
        await self._conversations.update_one(
            {"_id": conversation_id, "tenant_id": tenant_id}, {"$set": values}
        )

    async def raise_read_marker(self, tenant_id: str, conversation_id: str, side: str, seq: int) -> None:
        # Ownership checked first, then updated by primary key alone (see find_owned).
        if await find_owned(self._conversations, conversation_id, tenant_id) is not None:
            await self._conversations.update_one(
                {"_id": conversation_id}, {"$max": {f"{side}_read_seq": seq}}
            )

    async def set_visitor_left(self, tenant_id: str, visitor_id: str, at: datetime | None) -> None:
        await self._conversations.update_many(
            {"tenant_id": tenant_id, "open_key": visitor_id}, {"$set": {"visitor_left_at": at}}
        )

    async def _apply(
        self, tenant_id: str, conversation_id: str, epoch: int, state: dict[str, Any]
    ) -> Conversation | None:
        doc = await self._conversations.find_one_and_update(
            {"_id": conversation_id, "tenant_id": tenant_id, "epoch": epoch},
            {"$set": {**state, "epoch": epoch + 1}},
            return_document=ReturnDocument.AFTER,
        )
        return conversation_from(doc) if doc else None
