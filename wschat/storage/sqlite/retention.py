"""The SQLite adapter for retention inside a running tenant (wschat/retention/store.py).

Each batch is one write transaction: up to ``limit`` due rows found through an index that leads with the
tenant and holds only what can be due (schema version 13), then deleted with what hangs on them as a
tenant's deletion does (``deletion.py``; full-text rows go through the triggers of schema version 8).
Rows that are old but kept — a restricted visitor's, an offline message still to answer, a visitor with a
chat not yet due — are passed over again by each run; they are few.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime

from wschat.retention.store import BATCH, Swept
from wschat.storage.sqlite import deletion
from wschat.storage.sqlite.base import SqliteStore
from wschat.storage.sqlite.values import to_time

# conversations_archive (tenant_id, status, closed_at, id); a restricted visitor's chats are kept.
_DUE_CHATS = (
    "SELECT c.id FROM conversations c WHERE c.tenant_id = ? AND c.status = 'closed' AND c.closed_at < ?"
    " AND coalesce(c.answer_state, '') != 'open'"
    " AND NOT EXISTS (SELECT 1 FROM visitors v WHERE v.id = c.visitor_id AND v.restricted = 1) LIMIT ?"
)
# visitors_engaged (tenant_id, last_seen) WHERE engaged = 1; their chats through conversations_visitor.
_DUE_VISITORS = (
    "SELECT v.id FROM visitors v WHERE v.tenant_id = ? AND v.engaged = 1 AND v.last_seen < ?"
    " AND v.restricted = 0 AND v.current_page IS NULL AND NOT EXISTS"
    " (SELECT 1 FROM conversations c WHERE c.tenant_id = v.tenant_id AND c.visitor_id = v.id) LIMIT ?"
)
# visitors_ip_due (tenant_id, first_seen) WHERE ip_aged = 0: an aged address leaves the index.
_DUE_ADDRESSES = (
    "SELECT id, ip FROM visitors WHERE tenant_id = ? AND ip_aged = 0 AND first_seen < ? AND restricted = 0"
    " LIMIT ?"
)
_AGED = "UPDATE visitors SET ip = ?, ip_aged = 1 WHERE id = ? AND tenant_id = ?"
# outbox_tenant_status (tenant_id, status, created_at, id): never a mail still queued or being sent.
_DUE_MAILS = (
    "SELECT id FROM outbox WHERE tenant_id = ? AND status IN ('sent', 'failed') AND created_at < ? LIMIT ?"
)


def _due(conn: sqlite3.Connection, sql: str, tenant_id: str, before: datetime, limit: int) -> list[str]:
    return deletion.ids_of(conn, sql, (tenant_id, to_time(before), limit))


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {table: count for table, count in counts.items() if count}


class SqliteRetentionStore(SqliteStore):
    async def delete_chats(self, tenant_id: str, closed_before: datetime, limit: int = BATCH) -> Swept:
        def delete(conn: sqlite3.Connection) -> Swept:
            ids = _due(conn, _DUE_CHATS, tenant_id, closed_before, limit)
            return Swept(len(ids), _nonzero(deletion.conversations(conn, ids)), conversations=tuple(ids))

        return await self._db.write(delete)

    async def delete_visitors(self, tenant_id: str, seen_before: datetime, limit: int = BATCH) -> Swept:
        def delete(conn: sqlite3.Connection) -> Swept:
            ids = _due(conn, _DUE_VISITORS, tenant_id, seen_before, limit)
            return Swept(len(ids), _nonzero(deletion.visitors(conn, ids)), visitors=tuple(ids))

        return await self._db.write(delete)

    async def age_addresses(
        self,
        tenant_id: str,
        stored_before: datetime,
        aged: Callable[[str], str | None],
        limit: int = BATCH,
    ) -> Swept:
        def age(conn: sqlite3.Connection) -> Swept:
            rows = conn.execute(_DUE_ADDRESSES, (tenant_id, to_time(stored_before), limit)).fetchall()
            deleted = shortened = 0
            for visitor_id, ip in rows:
                new = aged(ip) if ip else None
                conn.execute(_AGED, (new, visitor_id, tenant_id))
                deleted += bool(ip) and new is None
                shortened += new is not None
            counts = _nonzero({"addresses deleted": deleted, "addresses shortened": shortened})
            return Swept(len(rows), counts, visitors=tuple(visitor_id for visitor_id, ip in rows if ip))

        return await self._db.write(age)

    async def delete_mails(self, tenant_id: str, created_before: datetime, limit: int = BATCH) -> Swept:
        def delete(conn: sqlite3.Connection) -> Swept:
            ids = _due(conn, _DUE_MAILS, tenant_id, created_before, limit)
            return Swept(len(ids), _nonzero(deletion.mails(conn, ids)))

        return await self._db.write(delete)
