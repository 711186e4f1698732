"""The SQLite adapter for deleting a tenant's data in batches (wschat/lifecycle/store.py).

Every batch is one write transaction: a bounded set of parent rows found through an index that leads with
the tenant, then their children through the children's own indexes, then the parents. Full-text rows go
with their messages and visitors through the triggers of schema version 8.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

from wschat.storage.sqlite.base import SqliteStore

_Step = Callable[[sqlite3.Connection, str, int], dict[str, int]]

#: The full-text indexes (schema version 8), and the pages one merge step writes at most.
_FTS = ("messages_fts", "visitors_fts")
_MERGE_PAGES = 500


def _ids(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[str]:
    return [row[0] for row in conn.execute(sql, params)]


def _marks(ids: Sequence[str]) -> str:
    return ", ".join("?" * len(ids))


def _conversations(conn: sqlite3.Connection, tenant_id: str, limit: int) -> dict[str, int]:
    ids = _ids(conn, "SELECT id FROM conversations WHERE tenant_id = ? LIMIT ?", (tenant_id, limit))
    if not ids:
        return {}
    marks = _marks(ids)
    calls = _ids(conn, f"SELECT id FROM calls WHERE conversation_id IN ({marks})", ids)
    counts = {
        "messages": conn.execute(f"DELETE FROM messages WHERE conversation_id IN ({marks})", ids).rowcount,
        "transitions": conn.execute(
            f"DELETE FROM transitions WHERE conversation_id IN ({marks})", ids
        ).rowcount,
        "transcripts": conn.execute(
            f"DELETE FROM transcripts WHERE conversation_id IN ({marks})", ids
        ).rowcount,
    }
    if calls:
        counts |= _delete_calls(conn, calls)
    counts["conversations"] = conn.execute(f"DELETE FROM conversations WHERE id IN ({marks})", ids).rowcount
    return counts


def _delete_calls(conn: sqlite3.Connection, calls: list[str]) -> dict[str, int]:
    marks = _marks(calls)
    return {
        "call_transitions": conn.execute(
            f"DELETE FROM call_transitions WHERE call_id IN ({marks})", calls
        ).rowcount,
        "calls": conn.execute(f"DELETE FROM calls WHERE id IN ({marks})", calls).rowcount,
    }


def _calls(conn: sqlite3.Connection, tenant_id: str, limit: int) -> dict[str, int]:
    """Calls whose conversation is gone already (none, unless a crash came between the two)."""
    calls = _ids(conn, "SELECT id FROM calls WHERE tenant_id = ? LIMIT ?", (tenant_id, limit))
    return _delete_calls(conn, calls) if calls else {}


def _with_children(parent: str, *children: tuple[str, str]) -> _Step:
    """A table whose rows are reached by tenant, each with the rows of ``children`` (table, key) on it."""

    def step(conn: sqlite3.Connection, tenant_id: str, limit: int) -> dict[str, int]:
        sql = f"SELECT id FROM {parent} WHERE tenant_id = ? LIMIT ?"
        ids = _ids(conn, sql, (tenant_id, limit))
        if not ids:
            return {}
        marks = _marks(ids)
        counts = {
            child: conn.execute(f"DELETE FROM {child} WHERE {key} IN ({marks})", ids).rowcount
            for child, key in children
        }
        counts[parent] = conn.execute(f"DELETE FROM {parent} WHERE id IN ({marks})", ids).rowcount
        return counts

    return step


def _rows_of(table: str, key: str = "tenant_id") -> _Step:
    """A table whose rows hang on nothing else, reached by an index that leads with the tenant."""

    def step(conn: sqlite3.Connection, tenant_id: str, limit: int) -> dict[str, int]:
        sql = f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {key} = ? LIMIT ?)"
        deleted = conn.execute(sql, (tenant_id, limit)).rowcount
        return {table: deleted} if deleted else {}

    return step


#: In this order: what hangs on a parent goes with it; users last but one, the tenant itself never here.
_STEPS: tuple[_Step, ...] = (
    _conversations,
    _calls,
    _with_children("visitors", ("page_views", "visitor_id")),
    _with_children("outbox", ("outbox_transitions", "mail_id")),
    _rows_of("export_audit"),
    _rows_of("subject_requests"),
    _rows_of("transcripts"),
    _rows_of("sockets"),
    _rows_of("presence"),
    _rows_of("tenant_presence", key="id"),
    _rows_of("canned_replies"),
    _rows_of("photos"),
    _rows_of("users"),
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
