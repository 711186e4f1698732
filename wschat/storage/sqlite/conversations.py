"""The SQLite adapter for conversations and their transitions.

A transition is one writer job: insert the transition row (its ``(conversation, epoch)`` is unique), then
move the conversation from the epoch the caller read to the next. Either both happen or, in the job's
savepoint, neither; so a conversation is never left with a claimed but unapplied transition.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from wschat.chat.conversation_store import STATE_FIELDS, Superseded
from wschat.chat.models import Conversation, ConversationStatus
from wschat.records import Document
from wschat.storage.documents import conversation_doc, conversation_from, open_key, transition_doc
from wschat.storage.sqlite.base import SqliteStore, claim_and_apply
from wschat.storage.sqlite.tables import CONVERSATIONS, TRANSITIONS
from wschat.storage.sqlite.values import to_time

_TODO = "tenant_id = ? AND answer_state = 'open'"
_TODO_ORDER = " ORDER BY created_at, id LIMIT ?"
_SIDES = {"visitor": "visitor_read_seq", "agent": "agent_read_seq"}


class SqliteConversationStore(SqliteStore):
    async def insert(self, conversation: Conversation) -> bool:
        row = CONVERSATIONS.encode(conversation_doc(conversation) | {"open_key": open_key(conversation)})
        try:
            await self._db.write(lambda conn: conn.execute(CONVERSATIONS.insert_sql(), row).rowcount)
        except sqlite3.IntegrityError:
            return False
        return True

    async def get(self, tenant_id: str, conversation_id: str) -> Conversation | None:
        doc = await self._one(CONVERSATIONS, "id = ? AND tenant_id = ?", (conversation_id, tenant_id))
        return conversation_from(doc) if doc else None

    async def open_of_visitor(self, tenant_id: str, visitor_id: str) -> Conversation | None:
        doc = await self._one(CONVERSATIONS, "tenant_id = ? AND open_key = ?", (tenant_id, visitor_id))
        return conversation_from(doc) if doc else None

    async def open_of_visitors(self, tenant_id: str, visitor_ids: list[str]) -> dict[str, Conversation]:
        if not visitor_ids:
            return {}
        marks = ", ".join("?" * len(visitor_ids))
        docs = await self._all(
            CONVERSATIONS, f"tenant_id = ? AND open_key IN ({marks})", (tenant_id, *visitor_ids)
        )
        return {doc["open_key"]: conversation_from(doc) for doc in docs}

    async def todo(self, tenant_id: str, after: Conversation | None, limit: int) -> list[Conversation]:
        # Spelled as in the partial index conversations_todo, so that SQLite answers from it.
        params: tuple[Any, ...] = (tenant_id, limit)
        where = _TODO + _TODO_ORDER
        if after is not None:
            where = _TODO + " AND (created_at, id) > (?, ?)" + _TODO_ORDER
            params = (tenant_id, to_time(after.created_at), after.id, limit)
        return [conversation_from(doc) for doc in await self._all(CONVERSATIONS, where, params)]

    async def todo_count(self, tenant_id: str) -> int:
        sql = "SELECT count(*) FROM conversations WHERE " + _TODO
        row = await self._db.read(lambda conn: conn.execute(sql, (tenant_id,)).fetchone())
        return int(row[0])

    async def queued(self, tenant_id: str) -> list[Conversation]:
        where = "tenant_id = ? AND status = ? ORDER BY created_at"
        docs = await self._all(CONVERSATIONS, where, (tenant_id, ConversationStatus.QUEUED.value))
        return [conversation_from(doc) for doc in docs]

    async def active_of_agent(self, tenant_id: str, agent_id: str) -> list[Conversation]:
        where = "tenant_id = ? AND agent_id = ? AND status = ? ORDER BY created_at"
        docs = await self._all(CONVERSATIONS, where, (tenant_id, agent_id, ConversationStatus.ACTIVE.value))
        return [conversation_from(doc) for doc in docs]

    async def open_load(self, tenant_id: str) -> dict[str, int]:
        sql = (
            "SELECT agent_id, count(*) FROM conversations WHERE tenant_id = ? AND status = ?"
            " AND agent_id IS NOT NULL GROUP BY agent_id"
        )
        params = (tenant_id, ConversationStatus.ACTIVE.value)
        rows = await self._db.read(lambda conn: conn.execute(sql, params).fetchall())
        return {row[0]: int(row[1]) for row in rows}

    async def abandoned(self, before: datetime) -> list[Conversation]:
        where = "status != 'closed' AND visitor_left_at <= ?"
        return [conversation_from(doc) for doc in await self._all(CONVERSATIONS, where, (to_time(before),))]

    async def agents_with_active(self) -> set[tuple[str, str]]:
        sql = (
            "SELECT DISTINCT tenant_id, agent_id FROM conversations WHERE status = ? AND agent_id IS NOT NULL"
        )
        params = (ConversationStatus.ACTIVE.value,)
        return await self._db.read(lambda conn: {(row[0], row[1]) for row in conn.execute(sql, params)})

    async def tenants_with_queue(self) -> set[str]:
        sql = "SELECT DISTINCT tenant_id FROM conversations WHERE status = ?"
        params = (ConversationStatus.QUEUED.value,)
        return await self._db.read(lambda conn: {row[0] for row in conn.execute(sql, params)})

    async def transition(
        self,
        conversation: Conversation,
        kind: str,
        state: dict[str, Any],
        record: dict[str, Any],
        now: datetime,
    ) -> Conversation:
        unknown = set(state) - STATE_FIELDS
        if unknown:
            raise ValueError(f"a transition cannot set {sorted(unknown)}")
        claim = transition_doc(conversation, kind, state, record, now)
        job = claim_and_apply(
            TRANSITIONS,
            claim,
            CONVERSATIONS,
            conversation.id,
            conversation.tenant_id,
            conversation.epoch,
            claim["state"],
            Superseded,
        )
        return conversation_from(await self._db.write(job))

    async def unfinished(self, since: datetime, until: datetime) -> list[tuple[Conversation, Document]]:
        where = (
            "at >= ? AND at < ? AND json_extract(record, '$.marker') IS NOT NULL"
            " AND epoch = (SELECT c.epoch FROM conversations c WHERE c.id = transitions.conversation_id)"
            " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = transitions.conversation_id"
            " AND m.client_id = json_extract(transitions.record, '$.marker'))"
        )
        found = await self._all(TRANSITIONS, where, (to_time(since), to_time(until)))
        unfinished = []
        for transition in found:
            conversation = await self.get(transition["tenant_id"], transition["conversation_id"])
            if conversation is not None:
                unfinished.append((conversation, transition))
        return unfinished

    async def history(self, tenant_id: str, conversation_id: str) -> list[Document]:
        where = "conversation_id = ? AND tenant_id = ? ORDER BY epoch"
        return await self._all(TRANSITIONS, where, (conversation_id, tenant_id))

    async def raise_read_marker(self, tenant_id: str, conversation_id: str, side: str, seq: int) -> None:
        column = _SIDES[side]
        sql = f"UPDATE conversations SET {column} = max({column}, ?) WHERE id = ? AND tenant_id = ?"
        await self._db.write(lambda conn: conn.execute(sql, (seq, conversation_id, tenant_id)).rowcount)

    async def set_visitor_left(self, tenant_id: str, visitor_id: str, at: datetime | None) -> None:
        sql = "UPDATE conversations SET visitor_left_at = ? WHERE tenant_id = ? AND open_key = ?"
        await self._db.write(lambda conn: conn.execute(sql, (to_time(at), tenant_id, visitor_id)).rowcount)
