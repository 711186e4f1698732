"""The MongoDB adapter for the archive.

Pages walk ``conversations`` by the ``tenant_status_closed`` index, newest closed first, keyset by
``(closed_at, _id)``. The word search is the documented regex fallback (docs/archive.md): each word a
case-insensitive, escaped ``$regex`` on the tenant's messages and visitors, because FerretDB v1 (the test
server) has no text indexes. It reads the tenant's messages, so on large installations the SQLite default
(FTS5) or a MongoDB text index is what to use.
"""

from __future__ import annotations

import re
from typing import Any

from pymongo import DESCENDING

from wschat.archive.store import ArchiveEntry, ArchiveFilter
from wschat.records import Document
from wschat.storage.documents import conversation_from
from wschat.storage.mongo.database import MongoHandle

_OUTCOMES: dict[str, Document] = {
    "offline": {"origin": "offline_form"},
    "answered": {"origin": {"$ne": "offline_form"}, "assigned_at": {"$ne": None}},
    "missed": {"origin": {"$ne": "offline_form"}, "assigned_at": None},
}
_VISITOR_FIELDS = ("name", "alias", "contact.name", "contact.email", "contact.phone")
_SNIPPET_SPAN = 60


def _all_words(words: tuple[str, ...], fields: tuple[str, ...]) -> Document:
    """Every word in one of ``fields`` (a word is text, never a pattern)."""
    return {
        "$and": [
            {"$or": [{name: {"$regex": re.escape(word), "$options": "i"}} for name in fields]}
            for word in words
        ]
    }


def _snippet(text: str, words: tuple[str, ...]) -> str:
    """The text around the first hit, each hit between \\x02 and \\x03 (as FTS5's snippet())."""
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - _SNIPPET_SPAN)
    part = text[start : start + 3 * _SNIPPET_SPAN]
    marked = pattern.sub(lambda m: f"\x02{m.group(0)}\x03", part)
    return ("…" if start else "") + marked + ("…" if start + 3 * _SNIPPET_SPAN < len(text) else "")


class MongoArchiveStore:
    def __init__(self, db: MongoHandle) -> None:
        self._conversations = db["conversations"]
        self._transitions = db["transitions"]
        self._messages = db["messages"]
        self._visitors = db["visitors"]

    async def page(self, tenant_id: str, query: ArchiveFilter, limit: int) -> list[ArchiveEntry]:
        conditions: list[Document] = []
        if query.after is not None:
            at, last = query.after
            conditions.append({"$or": [{"closed_at": {"$lt": at}}, {"closed_at": at, "_id": {"$lt": last}}]})
        if query.since is not None:
            conditions.append({"closed_at": {"$gte": query.since}})
        if query.until is not None:
            conditions.append({"closed_at": {"$lt": query.until}})
        if query.outcome is not None:
            conditions.append(_OUTCOMES[query.outcome])
        if query.agent_id is not None:
            found = self._transitions.find({"tenant_id": tenant_id, "state.agent_id": query.agent_id})
            conditions.append({"_id": {"$in": list({t["conversation_id"] async for t in found})}})
        if query.country is not None:
            from_there = await self._visitor_ids(tenant_id, country=query.country)
            conditions.append({"visitor_id": {"$in": from_there}})
        # A restricted visitor's chats are kept but never listed, searched or exported (wschat/subjects).
        restricted = self._visitors.find({"tenant_id": tenant_id, "restricted": True}, {"_id": 1})
        if hidden := [doc["_id"] async for doc in restricted]:
            conditions.append({"visitor_id": {"$nin": hidden}})
        hits: dict[str, str] = {}
        if query.words:
            hits = await self._message_hits(tenant_id, query.words)
            visitors = await self._visitor_ids(tenant_id, words=query.words)
            conditions.append({"$or": [{"_id": {"$in": list(hits)}}, {"visitor_id": {"$in": visitors}}]})
        if query.visitor_words:
            visitors = await self._visitor_ids(tenant_id, words=query.visitor_words)
            conditions.append({"visitor_id": {"$in": visitors}})
        cursor = (
            self._conversations.find({"tenant_id": tenant_id, "status": "closed", "$and": conditions or [{}]})
            .sort([("closed_at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [await self._entry(doc, hits) async for doc in cursor]

    async def _message_hits(self, tenant_id: str, words: tuple[str, ...]) -> dict[str, str]:
        found = self._messages.find(
            {"tenant_id": tenant_id, **_all_words(words, ("text",))}, {"conversation_id": 1, "text": 1}
        ).sort([("conversation_id", 1), ("seq", 1)])
        hits: dict[str, str] = {}
        async for message in found:
            hits.setdefault(message["conversation_id"], _snippet(message["text"], words))
        return hits

    async def _visitor_ids(self, tenant_id: str, **by: Any) -> list[str]:
        query: Document = {"tenant_id": tenant_id}
        if "country" in by:
            query["country"] = by["country"]
        if "words" in by:
            query |= _all_words(by["words"], _VISITOR_FIELDS)
        return [doc["_id"] async for doc in self._visitors.find(query, {"_id": 1})]

    async def _entry(self, doc: Document, hits: dict[str, str]) -> ArchiveEntry:
        visitor = await self._visitors.find_one({"_id": doc["visitor_id"]})
        if visitor is not None and visitor.get("tenant_id") != doc["tenant_id"]:
            visitor = None
        last = await self._messages.find_one(
            {"tenant_id": doc["tenant_id"], "conversation_id": doc["_id"]},
            {"seq": 1},
            sort=[("seq", DESCENDING)],
        )
        shown = None
        if visitor is not None:
            shown = {key: visitor.get(key) for key in ("name", "alias", "country", "ip")}
            shown["contact"] = visitor.get("contact") or {}
        count = int(last["seq"]) if last else 0
        return ArchiveEntry(conversation_from(doc), shown, count, hits.get(doc["_id"]))

    async def took_part(self, tenant_id: str, conversation_id: str, agent_id: str) -> bool:
        return agent_id in await self.agents_of(tenant_id, conversation_id)

    async def agents_of(self, tenant_id: str, conversation_id: str) -> list[str]:
        found = self._transitions.find({"tenant_id": tenant_id, "conversation_id": conversation_id})
        agents: list[str] = []
        async for transition in found.sort("epoch", 1):
            agent = (transition.get("state") or {}).get("agent_id")
            if agent and agent not in agents:
                agents.append(agent)
        return agents
