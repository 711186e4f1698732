"""The MongoDB adapter for canned replies. The unique index (tenant_id, owner_key, shortcut) settles two
replies with one shortcut on MongoDB and FerretDB alike; every query leads with tenant_id.

The limit per owner scope is a count before the insert: two inserts at the same moment may both pass it, so
a scope can end up one or two over its limit (never by more than the number of simultaneous requests).
"""

from __future__ import annotations

from pymongo.errors import DuplicateKeyError, OperationFailure

from wschat.canned.models import CannedReply
from wschat.canned.store import LimitReached, ShortcutTaken, StaleVersion
from wschat.storage.canned_documents import SHARED, by_shortcut, reply_doc, reply_from
from wschat.storage.mongo.database import MongoHandle, find_owned


class MongoCannedReplyStore:
    def __init__(self, db: MongoHandle) -> None:
        self._replies = db["canned_replies"]

    async def insert(self, reply: CannedReply, limit: int) -> None:
        doc = reply_doc(reply)
        scope = {"tenant_id": doc["tenant_id"], "owner_key": doc["owner_key"]}
        if await self._replies.count_documents(scope) >= limit:
            raise LimitReached()
        try:
            await self._replies.insert_one(doc)
        except DuplicateKeyError as e:
            raise ShortcutTaken() from e

    async def get(self, tenant_id: str, reply_id: str) -> CannedReply | None:
        doc = await find_owned(self._replies, reply_id, tenant_id)
        return reply_from(doc) if doc else None

    async def visible(self, tenant_id: str, owner_id: str) -> list[CannedReply]:
        cursor = self._replies.find({"tenant_id": tenant_id, "owner_key": {"$in": [SHARED, owner_id]}})
        return by_shortcut([reply_from(doc) async for doc in cursor])

    async def update(self, reply: CannedReply, version: int) -> CannedReply | None:
        doc = reply_doc(reply)
        changes = {k: doc[k] for k in ("title", "shortcut", "text", "version", "updated_at")}
        try:
            result = await self._replies.update_one(
                {"_id": reply.id, "tenant_id": reply.tenant_id, "version": version}, {"$set": changes}
            )
        except DuplicateKeyError as e:
            raise ShortcutTaken() from e
        except OperationFailure as e:
            if not _unique_violated(e):
                raise
            raise ShortcutTaken() from e
        if result.matched_count == 1:
            return await self.get(reply.tenant_id, reply.id)
        if await self.get(reply.tenant_id, reply.id) is None:
            return None
        raise StaleVersion()

    async def delete(self, tenant_id: str, reply_id: str) -> bool:
        result = await self._replies.delete_one({"_id": reply_id, "tenant_id": tenant_id})
        return result.deleted_count == 1

    async def delete_of_owner(self, tenant_id: str, owner_id: str) -> int:
        if owner_id == SHARED:
            return 0
        result = await self._replies.delete_many({"tenant_id": tenant_id, "owner_key": owner_id})
        return result.deleted_count

    async def delete_of_tenant(self, tenant_id: str) -> int:
        result = await self._replies.delete_many({"tenant_id": tenant_id})
        return result.deleted_count


def _unique_violated(error: OperationFailure) -> bool:
    """FerretDB v1 answers an *update* that breaks a unique index with an internal error (code 1) naming
    SQLite's constraint, not with MongoDB's duplicate key (11000); the update changed nothing either way."""
    return error.code == 1 and "UNIQUE constraint failed" in str(error)
