"""The SQLite adapter for the audit log (wschat/audit/store.py).

Pages walk one of the indexes of schema version 12, each leading with the tenant and ending with
``(at, id)``: the tenant's whole log, one action, one family (``subject.*``), one actor or one target,
newest first, keyset by ``(at, id)``.

Append-only is held by the file itself: triggers refuse every UPDATE of ``audit_log``, and every DELETE
unless the tenant is gone already (the cascade of its deletion) or the deleting transaction holds a permit
in ``audit_purges`` for the tenant and the entry's age. :func:`purge` is the one way in: it writes the
permit, deletes, and takes the permit back, all inside the caller's write transaction, so that no permit
is ever seen outside it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from wschat.audit.store import AuditFilter
from wschat.records import Document
from wschat.storage.sqlite.base import SqliteStore, fetch_all
from wschat.storage.sqlite.tables import AUDIT_LOG
from wschat.storage.sqlite.values import to_time

#: Later than any entry: the permit of a tenant's whole log (its lifecycle's deletion).
EVERYTHING = 2**62
_PURGE = (
    "DELETE FROM audit_log WHERE rowid IN"
    " (SELECT rowid FROM audit_log WHERE tenant_id = ? AND at < ? ORDER BY at LIMIT ?)"
)


def purge(conn: sqlite3.Connection, tenant_id: str, before: int, limit: int) -> int:
    """Delete up to ``limit`` of the tenant's entries older than ``before`` (microseconds), oldest first,
    inside the caller's write transaction; returns how many went."""
    conn.execute("INSERT INTO audit_purges (tenant_id, before) VALUES (?, ?)", (tenant_id, before))
    try:
        return conn.execute(_PURGE, (tenant_id, before, limit)).rowcount
    finally:
        conn.execute("DELETE FROM audit_purges WHERE tenant_id = ?", (tenant_id,))


def _where(query: AuditFilter, params: list[Any]) -> str:
    parts = ["tenant_id = ?"]
    for column in ("action", "family", "actor_id", "target_id"):
        if (value := getattr(query, column)) is not None:
            parts.append(f"{column} = ?")
            params.append(value)
    if query.since is not None:
        parts.append("at >= ?")
        params.append(to_time(query.since))
    if query.until is not None:
        parts.append("at < ?")
        params.append(to_time(query.until))
    if query.before is not None:
        parts.append("(at, id) < (?, ?)")
        params += [to_time(query.before[0]), query.before[1]]
    return " AND ".join(parts)


class SqliteAuditStore(SqliteStore):
    async def append(self, entry: Document) -> None:
        row = AUDIT_LOG.encode(entry)
        await self._db.write(lambda conn: conn.execute(AUDIT_LOG.insert_sql(), row).rowcount)

    async def page(self, tenant_id: str, query: AuditFilter, limit: int) -> list[Document]:
        params: list[Any] = [tenant_id]
        where = _where(query, params)
        sql = f"{AUDIT_LOG.select_sql()} WHERE {where} ORDER BY at DESC, id DESC LIMIT ?"
        return await self._db.read(lambda conn: fetch_all(conn, AUDIT_LOG, sql, [*params, limit]))

    async def delete_before(self, tenant_id: str, before: datetime, limit: int) -> int:
        micros = to_time(before)
        assert micros is not None
        return await self._db.write(lambda conn: purge(conn, tenant_id, micros, limit))
