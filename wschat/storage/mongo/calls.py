"""The MongoDB adapter for calls. Every query filters by ``tenant_id``.

A call changes (join, leave, end) only through a claimed transition, as conversations do: inserting
``_id = "<call id>:<epoch>"`` into ``call_transitions`` is the claim, and the primary key lets one writer
per epoch win on MongoDB and on FerretDB alike. One open call per conversation is the unique index on
(``tenant_id``, ``open_key``): the conversation id while the call is open, ``ended:<call id>`` after.

A call record says that a call happened, never what was said or shown: there is no media to store.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from wschat.records import Document
from wschat.signalling.models import Call, CallStatus
from wschat.signalling.store import Superseded
from wschat.storage.documents import call_doc, call_from, call_transition_doc
from wschat.storage.mongo.database import MongoHandle, find_owned


class MongoCallStore:
    def __init__(self, db: MongoHandle) -> None:
        self._calls = db["calls"]
        self._transitions = db["call_transitions"]
        #: The presence layer's record of open sockets (``_id`` is the sid), read to find dead participants.
        self._sockets = db["sockets"]

    async def insert(self, call: Call) -> bool:
        """False if the conversation has an open call already."""
        try:
            await self._calls.insert_one(call_doc(call))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, tenant_id: str, call_id: str) -> Call | None:
        for _ in range(5):
            doc = await find_owned(self._calls, call_id, tenant_id)
            if doc is None:
                return None
            pending = await self._transitions.find_one({"_id": f"{call_id}:{doc['epoch'] + 1}"})
            if pending is None or pending["tenant_id"] != tenant_id:
                return call_from(doc)
            await self._apply(tenant_id, call_id, doc["epoch"], pending["state"])
        raise RuntimeError(f"call {call_id} keeps changing")

    async def open_of_conversation(self, tenant_id: str, conversation_id: str) -> Call | None:
        doc = await self._calls.find_one({"tenant_id": tenant_id, "open_key": conversation_id}, {"_id": 1})
        return await self.get(tenant_id, doc["_id"]) if doc else None

    async def open_with_agent(self, tenant_id: str, agent_id: str) -> list[Call]:
        """The open calls of the agent's chats (an agent holds a few chats at most)."""
        cursor = self._calls.find(
            {"tenant_id": tenant_id, "agent_id": agent_id, "status": {"$ne": CallStatus.ENDED.value}},
            {"_id": 1},
        )
        found = [await self.get(tenant_id, doc["_id"]) async for doc in cursor]
        return [call for call in found if call is not None and call.is_open]

    async def on_socket(self, sid: str) -> list[Call]:
        """Open calls (any tenant) in which this socket takes part."""
        cursor = self._calls.find({"sids": sid}, {"_id": 1, "tenant_id": 1})
        found = [await self.get(doc["tenant_id"], doc["_id"]) async for doc in cursor]
        return [call for call in found if call is not None and call.is_open]

    async def with_dead_sockets(self) -> list[tuple[Call, list[str]]]:
        """Open calls (any tenant) with participants whose socket no longer exists (a process died)."""
        found = []
        open_calls = {"status": {"$in": [CallStatus.RINGING.value, CallStatus.ACTIVE.value]}}
        async for doc in self._calls.find(open_calls, {"_id": 1, "tenant_id": 1, "sids": 1}):
            if not doc.get("sids"):
                continue
            live = {s["_id"] async for s in self._sockets.find({"_id": {"$in": doc["sids"]}}, {"_id": 1})}
            dead = [sid for sid in doc["sids"] if sid not in live]
            if dead and (call := await self.get(doc["tenant_id"], doc["_id"])) is not None and call.is_open:
                found.append((call, dead))
        return found

    async def unanswered(self, before: datetime) -> list[Call]:
        """Ringing calls (any tenant) whose invitation expired before ``before``."""
        cursor = self._calls.find(
            {"status": CallStatus.RINGING.value, "expires_at": {"$lte": before}}, {"_id": 1, "tenant_id": 1}
        )
        found = [await self.get(doc["tenant_id"], doc["_id"]) async for doc in cursor]
        return [call for call in found if call is not None and call.status is CallStatus.RINGING]

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[Call]:
        cursor = self._calls.find({"tenant_id": tenant_id, "conversation_id": conversation_id})
        return sorted([call_from(doc) async for doc in cursor], key=lambda c: c.created_at)

    async def transition(self, call: Call, changed: Call, now: datetime) -> Call:
        """Claim epoch+1 and store ``changed``; raises :class:`Superseded` if someone else came first."""
        claim = call_transition_doc(call, changed, now)
        state = claim["state"]
        try:
            await self._transitions.insert_one(claim)
        except DuplicateKeyError as e:
            raise Superseded() from e
        updated = await self._apply(call.tenant_id, call.id, call.epoch, state)
        if updated is None:
            raise Superseded()
        return updated

    async def _apply(self, tenant_id: str, call_id: str, epoch: int, state: Document) -> Call | None:
        doc = await self._calls.find_one_and_update(
            {"_id": call_id, "tenant_id": tenant_id, "epoch": epoch},
            {"$set": {**state, "epoch": epoch + 1}},
            return_document=ReturnDocument.AFTER,
        )
        return call_from(doc) if doc else None
