"""The SQLite adapter for calls and a tenant's stored video settings.

A call's transition is one writer job, as a conversation's is (see ``conversations.py``). Calls that are
open (ringing or active) are few at any time; the queries that look at "every open call" read them
through the ``calls_status`` index, never the whole table.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from wschat.records import Document
from wschat.signalling.models import Call, CallStatus
from wschat.signalling.store import Superseded
from wschat.storage.documents import call_doc, call_from, call_transition_doc
from wschat.storage.sqlite.base import SqliteStore, apply_paths, claim_and_apply
from wschat.storage.sqlite.tables import CALL_TRANSITIONS, CALLS
from wschat.storage.sqlite.values import from_json, to_json, to_time

_OPEN = f"status IN ('{CallStatus.RINGING.value}', '{CallStatus.ACTIVE.value}')"


class SqliteCallStore(SqliteStore):
    async def insert(self, call: Call) -> bool:
        row = CALLS.encode(call_doc(call))
        try:
            await self._db.write(lambda conn: conn.execute(CALLS.insert_sql(), row).rowcount)
        except sqlite3.IntegrityError:
            return False
        return True

    async def get(self, tenant_id: str, call_id: str) -> Call | None:
        doc = await self._one(CALLS, "id = ? AND tenant_id = ?", (call_id, tenant_id))
        return call_from(doc) if doc else None

    async def open_of_conversation(self, tenant_id: str, conversation_id: str) -> Call | None:
        doc = await self._one(CALLS, "tenant_id = ? AND open_key = ?", (tenant_id, conversation_id))
        return call_from(doc) if doc else None

    async def open_with_agent(self, tenant_id: str, agent_id: str) -> list[Call]:
        docs = await self._all(CALLS, f"tenant_id = ? AND agent_id = ? AND {_OPEN}", (tenant_id, agent_id))
        return [call_from(doc) for doc in docs]

    async def on_socket(self, sid: str) -> list[Call]:
        where = f"{_OPEN} AND EXISTS (SELECT 1 FROM json_each(calls.sids) WHERE value = ?)"
        return [call_from(doc) for doc in await self._all(CALLS, where, (sid,))]

    async def with_dead_sockets(self) -> list[tuple[Call, list[str]]]:
        def read(conn: sqlite3.Connection) -> list[tuple[Call, list[str]]]:
            found = []
            for row in conn.execute(f"{CALLS.select_sql()} WHERE {_OPEN} AND sids != '[]'"):
                call = CALLS.decode(row)
                sids: list[str] = call["sids"]
                marks = ", ".join("?" * len(sids))
                live = {r[0] for r in conn.execute(f"SELECT id FROM sockets WHERE id IN ({marks})", sids)}
                dead = [sid for sid in sids if sid not in live]
                if dead:
                    found.append((call_from(call), dead))
            return found

        return await self._db.read(read)

    async def unanswered(self, before: datetime) -> list[Call]:
        where = "status = ? AND expires_at <= ?"
        docs = await self._all(CALLS, where, (CallStatus.RINGING.value, to_time(before)))
        return [call_from(doc) for doc in docs]

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[Call]:
        where = "conversation_id = ? AND tenant_id = ? ORDER BY created_at"
        return [call_from(doc) for doc in await self._all(CALLS, where, (conversation_id, tenant_id))]

    async def transition(self, call: Call, changed: Call, now: datetime) -> Call:
        claim = call_transition_doc(call, changed, now)
        job = claim_and_apply(
            CALL_TRANSITIONS, claim, CALLS, call.id, call.tenant_id, call.epoch, claim["state"], Superseded
        )
        return call_from(await self._db.write(job))


class SqliteVideoRecords(SqliteStore):
    """The ``video`` column of the tenant's row: a JSON map."""

    async def get(self, tenant_id: str) -> Document:
        row = await self._db.read(
            lambda conn: conn.execute("SELECT video FROM tenants WHERE id = ?", (tenant_id,)).fetchone()
        )
        video: Document = (from_json(row[0]) if row else None) or {}
        return video

    async def update(self, tenant_id: str, values: dict[str, Any]) -> Document | None:
        def change(conn: sqlite3.Connection) -> Document | None:
            row = conn.execute("SELECT video FROM tenants WHERE id = ?", (tenant_id,)).fetchone()
            if row is None:
                return None
            video = apply_paths(from_json(row[0]) or {}, values)
            conn.execute("UPDATE tenants SET video = ? WHERE id = ?", (to_json(video), tenant_id))
            return video

        return await self._db.write(change)
