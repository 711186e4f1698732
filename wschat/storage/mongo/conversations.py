"""MongoDB access for conversations and their state transitions. Every query filters by ``tenant_id``.

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

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from wschat.chat.models import Conversation, ConversationStatus, Party
from wschat.db import Database, Document, find_owned


class Superseded(Exception):
    """Another writer changed the conversation first."""


class ConversationStore:
    def __init__(self, db: Database) -> None:
        self._conversations = db["conversations"]
        self._transitions = db["transitions"]

    async def insert(self, conversation: Conversation) -> bool:
        """False if the visitor has an open conversation already."""
        doc = _conversation_doc(conversation)
        doc["open_key"] = conversation.visitor_id
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
                {"_id": _transition_id(conversation_id, doc["epoch"] + 1)}
            )
            if pending is None or pending["tenant_id"] != tenant_id:
                return _conversation(doc)
            await self._apply(tenant_id, conversation_id, doc["epoch"], pending["state"])
        raise RuntimeError(f"conversation {conversation_id} keeps changing")

    async def open_of_visitor(self, tenant_id: str, visitor_id: str) -> Conversation | None:
        doc = await self._conversations.find_one({"tenant_id": tenant_id, "open_key": visitor_id})
        return await self.get(tenant_id, doc["_id"]) if doc else None

    async def open_of_visitors(self, tenant_id: str, visitor_ids: list[str]) -> dict[str, Conversation]:
        """The open conversation of each of these visitors that has one, in one query (as stored)."""
        cursor = self._conversations.find({"tenant_id": tenant_id, "open_key": {"$in": visitor_ids}})
        return {doc["open_key"]: _conversation(doc) async for doc in cursor}

    async def queued(self, tenant_id: str) -> list[Conversation]:
        cursor = self._conversations.find({"tenant_id": tenant_id, "status": ConversationStatus.QUEUED.value})
        return sorted([_conversation(doc) async for doc in cursor], key=lambda c: c.created_at)

    async def active_of_agent(self, tenant_id: str, agent_id: str) -> list[Conversation]:
        cursor = self._conversations.find(
            {"tenant_id": tenant_id, "agent_id": agent_id, "status": ConversationStatus.ACTIVE.value}
        )
        return sorted([_conversation(doc) async for doc in cursor], key=lambda c: c.created_at)

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
        return [_conversation(doc) async for doc in cursor]

    async def transition(
        self,
        conversation: Conversation,
        kind: str,
        state: dict[str, Any],
        record: dict[str, Any],
        now: datetime,
    ) -> Conversation:
        """Claim epoch+1 and apply ``state``; raises :class:`Superseded` if someone else claimed it first."""
        epoch = conversation.epoch + 1
        if state.get("status") == ConversationStatus.CLOSED.value:
            state = {**state, "open_key": f"closed:{conversation.id}"}
        doc = {
            "_id": _transition_id(conversation.id, epoch),
            "tenant_id": conversation.tenant_id,
            "conversation_id": conversation.id,
            "epoch": epoch,
            "kind": kind,
            "state": state,
            "at": now,
            **record,
        }
        try:
            await self._transitions.insert_one(doc)
        except DuplicateKeyError as e:
            raise Superseded() from e
        updated = await self._apply(conversation.tenant_id, conversation.id, conversation.epoch, state)
        if updated is None:
            raise Superseded()
        return updated

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
        return _conversation(doc) if doc else None


def _transition_id(conversation_id: str, epoch: int) -> str:
    return f"{conversation_id}:{epoch}"


def _conversation_doc(c: Conversation) -> Document:
    return {
        "_id": c.id,
        "tenant_id": c.tenant_id,
        "visitor_id": c.visitor_id,
        "status": c.status.value,
        "epoch": c.epoch,
        "agent_id": c.agent_id,
        "created_at": c.created_at,
        "assigned_at": c.assigned_at,
        "closed_at": c.closed_at,
        "closed_by": c.closed_by.to_doc() if c.closed_by else None,
        "visitor_read_seq": c.visitor_read_seq,
        "agent_read_seq": c.agent_read_seq,
        "visitor_left_at": c.visitor_left_at,
    }


def _conversation(doc: Document) -> Conversation:
    return Conversation(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        visitor_id=doc["visitor_id"],
        status=ConversationStatus(doc["status"]),
        epoch=doc["epoch"],
        created_at=doc["created_at"],
        agent_id=doc.get("agent_id"),
        assigned_at=doc.get("assigned_at"),
        closed_at=doc.get("closed_at"),
        closed_by=Party.from_doc(doc["closed_by"]) if doc.get("closed_by") else None,
        visitor_read_seq=doc.get("visitor_read_seq", 0),
        agent_read_seq=doc.get("agent_read_seq", 0),
        visitor_left_at=doc.get("visitor_left_at"),
    )
