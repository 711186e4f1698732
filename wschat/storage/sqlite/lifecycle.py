"""The SQLite adapter for deleting a tenant's data in batches (wschat/lifecycle/store.py).

Every batch is one write transaction: a bounded set of parent rows found through an index that leads with
the tenant, then their children through the children's own indexes, then the parents. Full-text rows go
with their messages and visitors through the triggers of schema version 8.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wschat.storage.sqlite import audit, deletion
from wschat.storage.sqlite.base import SqliteStore

_Step = Callable[[sqlite3.Connection, str, int], dict[str, int]]

#: The full-text indexes (schema version 8), and the pages one merge step writes at most.
_FTS = ("messages_fts", "visitors_fts")
_MERGE_PAGES = 500


def _of_tenant(table: str, delete: Callable[[sqlite3.Connection, list[str]], dict[str, int]]) -> _Step:
    """Up to ``limit`` rows of ``table`` reached by tenant, deleted with what hangs on them."""

    def step(conn: sqlite3.Connection, tenant_id: str, limit: int) -> dict[str, int]:
        sql = f"SELECT id FROM {table} WHERE tenant_id = ? LIMIT ?"
        return delete(conn, deletion.ids_of(conn, sql, (tenant_id, limit)))

    return step


def _rows_of(table: str, key: str = "tenant_id") -> _Step:
    """A table whose rows hang on nothing else, reached by an index that leads with the tenant."""

    def step(conn: sqlite3.Connection, tenant_id: str, limit: int) -> dict[str, int]:
        sql = f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {key} = ? LIMIT ?)"
        deleted = conn.execute(sql, (tenant_id, limit)).rowcount
        return {table: deleted} if deleted else {}

    return step


def _audit_log(conn: sqlite3.Connection, tenant_id: str, limit: int) -> dict[str, int]:
    """The tenant's audit log, through the one path its append-only triggers let through."""
    deleted = audit.purge(conn, tenant_id, audit.EVERYTHING, limit)
    return {"audit_log": deleted} if deleted else {}


#: In this order: what hangs on a parent goes with it; users last but one, the tenant itself never here.
_STEPS: tuple[_Step, ...] = (
    _rows_of("webhook_deliveries"),
    _rows_of("webhook_endpoints"),
    _of_tenant("conversations", deletion.conversations),
    # Calls whose conversation is gone already (none, unless a crash came between the two).
    _of_tenant("calls", deletion.calls),
    _of_tenant("visitors", deletion.visitors),
    _of_tenant("outbox", deletion.mails),
    _audit_log,
    _rows_of("subject_requests"),
    _rows_of("former_agents"),
    _rows_of("transcripts"),
    _rows_of("sockets"),
    _rows_of("presence"),
    _rows_of("tenant_presence", key="id"),
    _rows_of("canned_replies"),
    _rows_of("appointment_claims"),
    _rows_of("appointments"),
    _rows_of("appointment_types"),
    _rows_of("appointment_hours"),
    _rows_of("appointment_settings", key="id"),
    _rows_of("photos"),
    _rows_of("users"),
    # Reports (wschat/reports): counts of the tenant's chats, no personal data.
    *(_rows_of(table) for table in ("report_days", "report_pages", "report_visitors", "report_counted")),
)


class SqliteTenantDataStore(SqliteStore):
    async def delete_batch(self, tenant_id: str, limit: int = 100) -> dict[str, int]:
        def delete(conn: sqlite3.Connection) -> dict[str, int]:
            for step in _STEPS:
                if deleted := step(conn, tenant_id, limit):
                    return deleted
            return {}

        return await self._db.write(delete)

    async def delete_tenant(self, tenant_id: str) -> bool:
        sql = "DELETE FROM tenants WHERE id = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (tenant_id,)).rowcount) == 1

    async def compact(self) -> int:
        """Merge each full-text index's segments into one, ``_MERGE_PAGES`` pages per transaction.

        FTS5 records a deletion as a marker in a new segment; the deleted words stay in the older segments
        until a merge meets both. A negative ``merge`` merges regardless of the segments' levels: repeated,
        it ends with one segment without any deleted entry. The steps are bounded by the file's size when
        the compaction starts, so that new rows written meanwhile cannot keep it going for ever.
        """

        def pages(conn: sqlite3.Connection) -> int:
            # The whole file's: more than any index has, known without reading one.
            return int(conn.execute("PRAGMA page_count").fetchone()[0])

        def merge(fts: str) -> Callable[[sqlite3.Connection], bool]:
            def step(conn: sqlite3.Connection) -> bool:
                before = conn.total_changes
                conn.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('merge', ?)", (-_MERGE_PAGES,))
                return conn.total_changes - before >= 2  # fewer: it found nothing to merge

            return step

        steps = 0
        bound = await self._db.read(pages) // _MERGE_PAGES + 2
        for fts in _FTS:
            for _ in range(bound):
                steps += 1
                if not await self._db.write(merge(fts)):
                    break
        return steps
