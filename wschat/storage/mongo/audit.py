"""The MongoDB adapter for the audit log (wschat/audit/store.py).

Pages walk one of the ``audit_log`` indexes of ``database.py`` (the tenant's whole log, one action, one
family, one actor, one target; each ending with ``(at, _id)``), newest first, keyset by ``(at, _id)``.
Append-only by its interface: nothing here updates an entry; entries leave only older than a date, in
bounded batches, or with their tenant's data (``lifecycle.py``).

Installations from before the log kept their exports in ``export_audit``: :func:`adopt_export_audit`
copies them over as ``archive.exported`` entries (by their own ids, so a copy cut short is finished by the
next start without doubles), then drops that collection.
"""

from __future__ import annotations

import logging
from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import BulkWriteError

from wschat.audit.store import AuditFilter
from wschat.records import Document
from wschat.storage.mongo.database import MongoHandle

log = logging.getLogger(__name__)

_OLD_EXPORTS = "export_audit"
_MOVED_PER_INSERT = 500


class MongoAuditStore:
    def __init__(self, db: MongoHandle) -> None:
        self._log = db["audit_log"]

    async def append(self, entry: Document) -> None:
        await self._log.insert_one(dict(entry))

    async def page(self, tenant_id: str, query: AuditFilter, limit: int) -> list[Document]:
        found: Document = {"tenant_id": tenant_id}
        for field in ("action", "family", "actor_id", "target_id"):
            if (value := getattr(query, field)) is not None:
                found[field] = value
        conditions: list[Document] = []
        if query.since is not None:
            conditions.append({"at": {"$gte": query.since}})
        if query.until is not None:
            conditions.append({"at": {"$lt": query.until}})
        if query.before is not None:
            at, last = query.before
            conditions.append({"$or": [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": last}}]})
        if conditions:
            found["$and"] = conditions
        cursor = self._log.find(found).sort([("at", DESCENDING), ("_id", DESCENDING)]).limit(limit)
        return [doc async for doc in cursor]

    async def delete_before(self, tenant_id: str, before: datetime, limit: int) -> int:
        oldest = self._log.find({"tenant_id": tenant_id, "at": {"$lt": before}}, {"_id": 1})
        ids = [doc["_id"] async for doc in oldest.sort([("at", ASCENDING), ("_id", ASCENDING)]).limit(limit)]
        if not ids:
            return 0
        result = await self._log.delete_many({"tenant_id": tenant_id, "_id": {"$in": ids}})
        return result.deleted_count


def entry_of_export(record: Document) -> Document:
    """An export record of before the log as the log's ``archive.exported`` entry (as schema step 12 of
    the SQLite adapter makes it): the CLI's are the operator's, the others an admin's."""
    operator = record.get("user_id") == "operator"
    return {
        "_id": record["_id"],
        "tenant_id": record["tenant_id"],
        "at": record["at"],
        "action": "archive.exported",
        "family": "archive",
        "actor_kind": "operator" if operator else "admin",
        "actor_id": record.get("user_id") or "",
        "actor_name": "" if operator else record.get("user_name") or "",
        "target_kind": "tenant",
        "target_id": record["tenant_id"],
        "details": {
            "format": record.get("format"),
            "filter": record.get("filter") or {},
            "rows": record.get("rows", 0),
        },
    }


async def adopt_export_audit(db: MongoHandle) -> int:
    """Move ``export_audit`` into ``audit_log`` and drop it; returns how many entries were new."""
    if not await db.list_collection_names(filter={"name": _OLD_EXPORTS}):
        return 0
    moved = 0
    batch: list[Document] = []
    async for record in db[_OLD_EXPORTS].find({}).sort("_id", ASCENDING):
        batch.append(entry_of_export(record))
        if len(batch) == _MOVED_PER_INSERT:
            moved += await _insert_new(db, batch)
            batch = []
    moved += await _insert_new(db, batch)
    await db[_OLD_EXPORTS].drop()
    log.info("export records moved into the audit log: %d", moved)
    return moved


async def _insert_new(db: MongoHandle, entries: list[Document]) -> int:
    """Insert ``entries``, skipping those whose ``_id`` is stored already (a move cut short before)."""
    if not entries:
        return 0
    try:
        result = await db["audit_log"].insert_many(entries, ordered=False)
    except BulkWriteError as e:
        if any(error.get("code") != 11000 for error in e.details.get("writeErrors", [])):
            raise
        return int(e.details.get("nInserted", 0))
    return len(result.inserted_ids)
