"""The MongoDB adapter for deleting a tenant's data in batches (wschat/lifecycle/store.py).

Every collection holds the tenant's id in each document, under an index that leads with it: a batch reads
up to ``limit × 10`` ids of the first collection that has any and deletes them by ``_id``. Children go
before their parents (messages before conversations), so that an interrupted deletion leaves nothing that
the next batch cannot reach.
"""

from __future__ import annotations

from wschat.storage.mongo.database import MongoHandle

#: Children before parents; users last. The tenant's own record is never deleted here.
_BY_TENANT = (
    "webhook_deliveries",
    "webhook_endpoints",
    "messages",
    "transitions",
    "transcripts",
    "call_transitions",
    "calls",
    "conversations",
    "page_views",
    "visitors",
    "outbox_transitions",
    "outbox",
    "audit_log",
    "subject_requests",
    "former_agents",
    "sockets",
    "presence",
    "canned_replies",
    "appointment_claims",
    "appointments",
    "appointment_types",
    "appointment_hours",
    "appointment_settings",
    "photos",
    "users",
    # Reports (wschat/reports): counts of the tenant's chats, no personal data.
    "report_days",
    "report_pages",
    "report_visitors",
    "report_counted",
)
#: Documents per batch for each parent row the interface's ``limit`` counts (a conversation has messages).
_ROWS_PER_PARENT = 10


class MongoTenantDataStore:
    def __init__(self, db: MongoHandle) -> None:
        self._db = db

    async def delete_batch(self, tenant_id: str, limit: int = 100) -> dict[str, int]:
        for name in _BY_TENANT:
            collection = self._db[name]
            cursor = collection.find({"tenant_id": tenant_id}, {"_id": 1}).limit(limit * _ROWS_PER_PARENT)
            ids = [doc["_id"] async for doc in cursor]
            if ids:
                result = await collection.delete_many({"tenant_id": tenant_id, "_id": {"$in": ids}})
                return {name: result.deleted_count}
        presence = await self._db["tenant_presence"].delete_one({"_id": tenant_id})
        return {"tenant_presence": presence.deleted_count} if presence.deleted_count else {}

    async def delete_tenant(self, tenant_id: str) -> bool:
        result = await self._db["tenants"].delete_one({"_id": tenant_id})
        return result.deleted_count == 1

    async def compact(self) -> int:
        """Nothing to do: a deleted document leaves no copy in an index that a query could read."""
        return 0
