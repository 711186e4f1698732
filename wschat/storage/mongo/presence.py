"""The MongoDB adapter for agent presence, open sockets and the server processes (nodes) that hold them.

Keeping sockets in the database (not only in a process's memory) is what lets several processes agree on
whether an agent or a visitor is still connected; a process that dies stops its heartbeat, and the
janitor of any other process forgets its sockets.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument

from wschat.chat.models import AgentStatus
from wschat.chat.presence_store import Presence
from wschat.records import Document
from wschat.storage.documents import presence_from, socket_doc
from wschat.storage.mongo.database import MongoHandle, find_owned


class MongoPresenceStore:
    def __init__(self, db: MongoHandle) -> None:
        self._presence = db["presence"]
        self._sockets = db["sockets"]
        self._nodes = db["nodes"]
        self._announced = db["tenant_presence"]

    # -- agent status --------------------------------------------------------------------------------------

    async def get(self, tenant_id: str, user_id: str) -> Presence | None:
        doc = await find_owned(self._presence, user_id, tenant_id)
        return presence_from(doc) if doc else None

    async def of_tenant(self, tenant_id: str) -> list[Presence]:
        return [presence_from(doc) async for doc in self._presence.find({"tenant_id": tenant_id})]

    async def update(self, tenant_id: str, user_id: str, values: dict[str, object]) -> Presence:
        doc = await self._presence.find_one_and_update(
            {"_id": user_id, "tenant_id": tenant_id},
            {"$set": values, "$setOnInsert": {"tenant_id": tenant_id}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        assert doc is not None
        return presence_from(doc)

    async def online_disconnected_before(self, before: datetime) -> list[Presence]:
        cursor = self._presence.find(
            {"status": {"$ne": AgentStatus.OFFLINE.value}, "disconnected_at": {"$lte": before}}
        )
        return [presence_from(doc) async for doc in cursor]

    # -- sockets -------------------------------------------------------------------------------------------

    async def add_socket(
        self,
        sid: str,
        tenant_id: str,
        owner_id: str,
        kind: str,
        node_id: str,
        now: datetime,
        *,
        password_version: str | None = None,
        session_id: str | None = None,
    ) -> None:
        """An open socket; an agent's carries the password version and session of the token it showed."""
        doc = socket_doc(
            sid,
            tenant_id,
            owner_id,
            kind,
            node_id,
            now,
            password_version=password_version,
            session_id=session_id,
        )
        await self._sockets.insert_one(doc)

    async def remove_socket(self, sid: str) -> Document | None:
        return await self._sockets.find_one_and_delete({"_id": sid})

    async def sockets_of_node(self, node_id: str, kind: str | None = None) -> list[Document]:
        query: dict[str, str] = {"node_id": node_id} if kind is None else {"node_id": node_id, "kind": kind}
        return [doc async for doc in self._sockets.find(query)]

    async def socket_count(self, tenant_id: str, owner_id: str) -> int:
        return await self._sockets.count_documents({"tenant_id": tenant_id, "owner_id": owner_id})

    async def sockets_of(self, owner_id: str, kind: str, *, session_id: str | None = None) -> list[str]:
        """The ids of the owner's sockets; only those of one console session when ``session_id`` is given."""
        query = {"owner_id": owner_id, "kind": kind}
        if session_id is not None:
            query["session_id"] = session_id
        return [doc["_id"] async for doc in self._sockets.find(query, {"_id": 1})]

    async def live_sockets(self, sids: list[str]) -> set[str]:
        return {doc["_id"] async for doc in self._sockets.find({"_id": {"$in": sids}}, {"_id": 1})}

    async def announced(self, tenant_id: str) -> bool | None:
        """The online state last announced to the tenant's visitors, by any process."""
        doc = await self._announced.find_one({"_id": tenant_id})
        return bool(doc["online"]) if doc else None

    async def set_announced(self, tenant_id: str, online: bool) -> None:
        await self._announced.update_one({"_id": tenant_id}, {"$set": {"online": online}}, upsert=True)

    async def connected_owners(self, tenant_id: str, kind: str) -> set[str]:
        cursor = self._sockets.find({"tenant_id": tenant_id, "kind": kind}, {"owner_id": 1})
        return {doc["owner_id"] async for doc in cursor}

    # -- nodes ---------------------------------------------------------------------------------------------

    async def heartbeat(self, node_id: str, now: datetime) -> bool:
        result = await self._nodes.update_one({"_id": node_id}, {"$set": {"seen_at": now}}, upsert=True)
        return result.upserted_id is None

    async def forget_node(self, node_id: str) -> list[Document]:
        """Remove a node and its sockets; returns the sockets it held."""
        sockets = [doc async for doc in self._sockets.find({"node_id": node_id})]
        await self._sockets.delete_many({"node_id": node_id})
        await self._nodes.delete_one({"_id": node_id})
        return sockets

    async def dead_nodes(self, before: datetime) -> list[str]:
        return [doc["_id"] async for doc in self._nodes.find({"seen_at": {"$lt": before}})]
