"""The MongoDB adapter of the usage report: counts through indexes that lead with the tenant.

Users by role (``tenant_role``), the tenant's conversations (``tenant_status``, their ids and start
times), the messages of the recent ones (``tenant_conv``, in batches of ids), and the tenant's stored
messages, photos and mails counted through their tenant indexes. MongoDB (and FerretDB) cannot sum text
lengths per tenant without reading every document (FerretDB has no ``$strLenBytes``), so the bytes are
estimated: each collection's count for the tenant times the collection's average document size, which the
server keeps (``collStats``'s ``avgObjSize``: whole documents, so a little more than the SQLite figure).
"""

from __future__ import annotations

from datetime import datetime

from wschat.accounts.models import Role
from wschat.records import Document
from wschat.storage.mongo.database import MongoHandle
from wschat.usage.store import Usage

#: Conversation ids per ``$in`` of the recent messages' count.
BATCH = 500
#: The collections whose documents make up a tenant's storage figure.
SIZED = ("messages", "photos", "outbox")


class MongoUsageStore:
    def __init__(self, db: MongoHandle) -> None:
        self._db = db

    async def usage(self, tenant_id: str, since: datetime) -> Usage:
        users = self._db["users"]
        enabled: Document = {"tenant_id": tenant_id, "disabled": False}
        recent = [
            doc["_id"]
            async for doc in self._db["conversations"].find(
                {"tenant_id": tenant_id, "created_at": {"$gte": since}}, {"_id": 1}
            )
        ]
        counts = {name: await self._db[name].count_documents({"tenant_id": tenant_id}) for name in SIZED}
        return Usage(
            admins=await users.count_documents(enabled | {"role": Role.ADMIN.value}),
            agents=await users.count_documents(enabled | {"role": Role.AGENT.value}),
            recent_chats=len(recent),
            recent_messages=await self._recent_messages(tenant_id, recent),
            chats=await self._db["conversations"].count_documents({"tenant_id": tenant_id}),
            messages=counts["messages"],
            storage_bytes=sum([n * await self._average_size(name) for name, n in counts.items() if n]),
        )

    async def _recent_messages(self, tenant_id: str, conversations: list[str]) -> int:
        total = 0
        for start in range(0, len(conversations), BATCH):
            batch = conversations[start : start + BATCH]
            query = {"tenant_id": tenant_id, "conversation_id": {"$in": batch}, "kind": "text"}
            total += await self._db["messages"].count_documents(query)
        return total

    async def _average_size(self, collection: str) -> int:
        stats = await self._db.command("collStats", collection)
        return int(stats.get("avgObjSize") or 0)
