"""The MongoDB adapter for an agent's own data (wschat/agent_data/store.py).

The records that name an agent are walked by ``_id`` through indexes that lead with the tenant and the
agent's id (``tenant_agent_id`` and ``tenant_by_id`` of transitions, ``tenant_by_id`` of transcripts).
Without transactions a rewrite is one update per record; each sets only the fields it changes, so a
rewrite that is cut short is completed by doing it again.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING

from wschat.agent_data.store import REWRITABLE, Change, ConversationRecords, FormerAgent, Trace, Way
from wschat.records import Document
from wschat.storage.mongo.database import MongoHandle

_TRACES = {
    Way.HELD: ("transitions", "state.agent_id"),
    Way.ACTED: ("transitions", "by.id"),
    Way.FORWARDED: ("transcripts", "by_id"),
}
#: The logs that name who did something: (collection, who's id, who's name).
_LOGS = (("audit_log", "actor_id", "actor_name"), ("subject_requests", "by_id", "by_name"))


class MongoAgentDataStore:
    def __init__(self, db: MongoHandle) -> None:
        self._db = db

    async def traces(
        self, tenant_id: str, user_id: str, way: Way, after: str | None, limit: int
    ) -> list[Trace]:
        collection, named = _TRACES[way]
        query: Document = {"tenant_id": tenant_id, named: user_id}
        if after is not None:
            query["_id"] = {"$gt": after}
        found = self._db[collection].find(query, {"_id": 1, "conversation_id": 1})
        return [
            Trace(doc["_id"], doc["_id"], doc["conversation_id"])
            async for doc in found.sort("_id", ASCENDING).limit(limit)
        ]

    async def records_of(self, tenant_id: str, conversation_id: str) -> ConversationRecords:
        conversation = await self._db["conversations"].find_one(
            {"_id": conversation_id, "tenant_id": tenant_id}
        )
        if conversation is None:
            return ConversationRecords(None)
        of_it = {"tenant_id": tenant_id, "conversation_id": conversation_id}
        transitions = [doc async for doc in self._db["transitions"].find(of_it)]
        calls = [doc async for doc in self._db["calls"].find(of_it)]
        steps: list[Document] = []
        for call in calls:
            keys = [f"{call['_id']}:{n}" for n in range(1, call["epoch"] + 1)]
            found = self._db["call_transitions"].find({"_id": {"$in": keys}, "tenant_id": tenant_id})
            steps += [doc async for doc in found]
        sent = [doc async for doc in self._db["transcripts"].find(of_it)]
        transitions.sort(key=lambda t: t["epoch"])
        return ConversationRecords(conversation, transitions, calls, steps, sent)

    async def rewrite(self, tenant_id: str, changes: list[Change]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for change in changes:
            if change.table not in REWRITABLE:
                raise ValueError(f"{change.table} is not rewritten here")
            result = await self._db[change.table].update_one(
                {"_id": change.record_id, "tenant_id": tenant_id}, {"$set": change.fields}
            )
            if result.modified_count:
                counts[change.table] = counts.get(change.table, 0) + 1
        return counts

    async def unname_records(self, tenant_id: str, user_id: str, limit: int) -> int:
        changed = 0
        for collection, who, name in _LOGS:
            query = {"tenant_id": tenant_id, who: user_id, name: {"$ne": ""}}
            ids = [doc["_id"] async for doc in self._db[collection].find(query, {"_id": 1}).limit(limit)]
            if ids:
                result = await self._db[collection].update_many(
                    {"_id": {"$in": ids}, "tenant_id": tenant_id}, {"$set": {name: ""}}
                )
                changed += result.modified_count
        return changed

    async def add_former(self, former: FormerAgent) -> None:
        await self._db["former_agents"].insert_one(former.to_doc())

    async def formers(self, created_before: datetime, limit: int) -> list[FormerAgent]:
        found = self._db["former_agents"].find({"created_at": {"$lt": created_before}})
        return [
            FormerAgent.from_doc(doc)
            async for doc in found.sort([("created_at", ASCENDING), ("_id", ASCENDING)]).limit(limit)
        ]

    async def save_progress(self, former: FormerAgent) -> None:
        await self._db["former_agents"].update_one(
            {"_id": former.id}, {"$set": {"stage": former.stage.value, "after": former.after}}
        )

    async def finish(self, former_id: str) -> None:
        await self._db["former_agents"].delete_one({"_id": former_id})
