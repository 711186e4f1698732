"""The SQLite adapter for an agent's own data (wschat/agent_data/store.py).

The records that name an agent are walked through indexes that lead with the tenant and the agent's id,
keyset by ``rowid`` (an index's last key, so no sort): ``transitions_agent`` (schema 8), ``transitions_by``
and ``transcripts_by`` (14). A rewrite is one write transaction that reads each row, sets the changed
fields and writes back only the columns that differ (a message's ``text`` only when it changed, so the
full-text trigger runs only then).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from wschat.agent_data.store import REWRITABLE, Change, ConversationRecords, FormerAgent, Trace, Way
from wschat.storage.sqlite.base import SqliteStore, fetch_all, fetch_one
from wschat.storage.sqlite.deletion import marks
from wschat.storage.sqlite.tables import (
    BY_NAME,
    CALL_TRANSITIONS,
    CALLS,
    CONVERSATIONS,
    FORMER_AGENTS,
    TRANSCRIPTS,
    TRANSITIONS,
)
from wschat.storage.sqlite.values import to_time

_TRACES = {
    Way.HELD: ("transitions", "json_extract(state, '$.agent_id') = ?"),
    Way.ACTED: ("transitions", "json_extract(record, '$.by.id') = ?"),
    Way.FORWARDED: ("transcripts", "by_id = ?"),
}
#: The logs that name who did something: (table, who's id, who's name).
_LOGS = (("audit_log", "actor_id", "actor_name"), ("subject_requests", "by_id", "by_name"))


def _records_of(conn: sqlite3.Connection, tenant_id: str, conversation_id: str) -> ConversationRecords:
    mine = (conversation_id, tenant_id)
    conversation = fetch_one(
        conn, CONVERSATIONS, f"{CONVERSATIONS.select_sql()} WHERE id = ? AND tenant_id = ?", mine
    )
    if conversation is None:
        return ConversationRecords(None)
    of_it = "WHERE conversation_id = ? AND tenant_id = ?"
    transitions = fetch_all(conn, TRANSITIONS, f"{TRANSITIONS.select_sql()} {of_it} ORDER BY epoch", mine)
    calls = fetch_all(conn, CALLS, f"{CALLS.select_sql()} {of_it}", mine)
    steps: list[dict[str, Any]] = []
    if calls:
        ids = [call["_id"] for call in calls]
        where = f"WHERE call_id IN ({marks(ids)}) AND tenant_id = ?"
        steps = fetch_all(
            conn, CALL_TRANSITIONS, f"{CALL_TRANSITIONS.select_sql()} {where}", [*ids, tenant_id]
        )
    sent = fetch_all(
        conn,
        TRANSCRIPTS,
        f"{TRANSCRIPTS.select_sql()} WHERE tenant_id = ? AND conversation_id = ?",
        mine[::-1],
    )
    return ConversationRecords(conversation, transitions, calls, steps, sent)


def _rewrite(conn: sqlite3.Connection, tenant_id: str, changes: list[Change]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for change in changes:
        if change.table not in REWRITABLE:
            raise ValueError(f"{change.table} is not rewritten here")
        table = BY_NAME[change.table]
        select = f"{table.select_sql()} WHERE id = ? AND tenant_id = ?"
        stored = fetch_one(conn, table, select, (change.record_id, tenant_id))
        if stored is None:
            continue
        before, after = table.encode(stored), table.encode(stored | change.fields)
        changed = [name for name in after if after[name] != before[name]]
        if not changed:
            continue
        assignments = ", ".join(f"{name} = :{name}" for name in changed)
        params = {name: after[name] for name in changed} | {"_id": change.record_id, "_tenant": tenant_id}
        conn.execute(
            f"UPDATE {table.name} SET {assignments} WHERE id = :_id AND tenant_id = :_tenant", params
        )
        counts[change.table] = counts.get(change.table, 0) + 1
    return counts


def _unname(conn: sqlite3.Connection, tenant_id: str, user_id: str, limit: int) -> int:
    changed = 0
    for table, who, name in _LOGS:
        sql = (
            f"UPDATE {table} SET {name} = '' WHERE rowid IN (SELECT rowid FROM {table}"
            f" WHERE tenant_id = ? AND {who} = ? AND {name} != '' LIMIT ?)"
        )
        changed += conn.execute(sql, (tenant_id, user_id, limit)).rowcount
    return changed


class SqliteAgentDataStore(SqliteStore):
    async def traces(
        self, tenant_id: str, user_id: str, way: Way, after: str | None, limit: int
    ) -> list[Trace]:
        table, named = _TRACES[way]
        sql = (
            f"SELECT rowid, id, conversation_id FROM {table} WHERE tenant_id = ? AND {named}"
            " AND rowid > ? ORDER BY rowid LIMIT ?"
        )
        # A cursor that is no rowid (a to-do copied from MongoDB by ``wschat db copy``) starts the way anew:
        # doing a page twice changes nothing.
        params = (tenant_id, user_id, int(after) if after and after.isdigit() else 0, limit)
        rows = await self._db.read(lambda conn: conn.execute(sql, params).fetchall())
        return [Trace(str(row[0]), row[1], row[2]) for row in rows]

    async def records_of(self, tenant_id: str, conversation_id: str) -> ConversationRecords:
        return await self._db.read(lambda conn: _records_of(conn, tenant_id, conversation_id))

    async def rewrite(self, tenant_id: str, changes: list[Change]) -> dict[str, int]:
        return await self._db.write(lambda conn: _rewrite(conn, tenant_id, changes)) if changes else {}

    async def unname_records(self, tenant_id: str, user_id: str, limit: int) -> int:
        return await self._db.write(lambda conn: _unname(conn, tenant_id, user_id, limit))

    async def add_former(self, former: FormerAgent) -> None:
        row = FORMER_AGENTS.encode(former.to_doc())
        await self._db.write(lambda conn: conn.execute(FORMER_AGENTS.insert_sql(), row).rowcount)

    async def formers(self, created_before: datetime, limit: int) -> list[FormerAgent]:
        where = "created_at < ? ORDER BY created_at, id LIMIT ?"
        docs = await self._all(FORMER_AGENTS, where, (to_time(created_before), limit))
        return [FormerAgent.from_doc(doc) for doc in docs]

    async def save_progress(self, former: FormerAgent) -> None:
        sql = "UPDATE former_agents SET stage = ?, after = ? WHERE id = ?"
        params = (former.stage.value, former.after, former.id)
        await self._db.write(lambda conn: conn.execute(sql, params).rowcount)

    async def finish(self, former_id: str) -> None:
        sql = "DELETE FROM former_agents WHERE id = ?"
        await self._db.write(lambda conn: conn.execute(sql, (former_id,)).rowcount)
