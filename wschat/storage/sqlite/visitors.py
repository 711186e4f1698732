"""The SQLite adapter for visitors and their page trail. Every query is scoped to its tenant."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from wschat.records import Document
from wschat.storage.documents import visitor_doc, visitor_from
from wschat.storage.sqlite.base import SqliteStore, fetch_one, set_columns
from wschat.storage.sqlite.tables import PAGE_VIEWS, VISITORS
from wschat.storage.sqlite.values import to_time
from wschat.visitors.models import Visitor

_OWNED = f"{VISITORS.select_sql()} WHERE id = ? AND tenant_id = ?"


class SqliteVisitorStore(SqliteStore):
    async def insert(self, visitor: Visitor, token_hash: str) -> None:
        row = VISITORS.encode(visitor_doc(visitor) | {"token_hash": token_hash})
        await self._db.write(lambda conn: conn.execute(VISITORS.insert_sql(), row).rowcount)

    async def by_token_hash(self, tenant_id: str, token_hash: str) -> Visitor | None:
        doc = await self._one(VISITORS, "tenant_id = ? AND token_hash = ?", (tenant_id, token_hash))
        return visitor_from(doc) if doc else None

    async def by_id(self, tenant_id: str, visitor_id: str) -> Visitor | None:
        doc = await self._one(VISITORS, "id = ? AND tenant_id = ?", (visitor_id, tenant_id))
        return visitor_from(doc) if doc else None

    async def set_profile(self, tenant_id: str, visitor_id: str, **values: str | None) -> Visitor | None:
        changes = {key: value for key, value in values.items() if value is not None}
        return await self._update(tenant_id, visitor_id, changes)

    async def set_contact(self, tenant_id: str, visitor_id: str, contact: dict[str, str]) -> Visitor | None:
        return await self._update(tenant_id, visitor_id, {"contact": contact, "engaged": True})

    async def mark_engaged(self, tenant_id: str, visitor_id: str) -> None:
        sql = "UPDATE visitors SET engaged = 1 WHERE id = ? AND tenant_id = ?"
        await self._db.write(lambda conn: conn.execute(sql, (visitor_id, tenant_id)).rowcount)

    async def delete_idle(self, last_seen_before: datetime, limit: int) -> list[str]:
        # The partial index visitors_idle holds exactly these rows, by last_seen.
        sql = (
            "DELETE FROM visitors WHERE id IN (SELECT id FROM visitors"
            " WHERE engaged = 0 AND current_page IS NULL AND last_seen < ? LIMIT ?) RETURNING id"
        )
        return await self._db.write(
            lambda conn: [row[0] for row in conn.execute(sql, (to_time(last_seen_before), limit))]
        )

    async def set_current_page(self, tenant_id: str, visitor_id: str, page: Document) -> Visitor | None:
        return await self._update(tenant_id, visitor_id, {"current_page": page})

    async def clear_current_page(self, tenant_id: str, visitor_id: str, view_id: str) -> Visitor | None:
        def change(conn: sqlite3.Connection) -> Visitor | None:
            doc = fetch_one(conn, VISITORS, _OWNED, (visitor_id, tenant_id))
            if doc is None or (doc.get("current_page") or {}).get("id") != view_id:
                return None
            set_columns(conn, VISITORS, visitor_id, {"current_page": None})
            return visitor_from(doc | {"current_page": None})

        return await self._db.write(change)

    async def on_site(self, tenant_id: str, limit: int) -> list[Visitor]:
        where = "tenant_id = ? AND current_page IS NOT NULL ORDER BY last_seen DESC LIMIT ?"
        return [visitor_from(doc) for doc in await self._all(VISITORS, where, (tenant_id, limit))]

    async def touch(self, tenant_id: str, visitor_id: str, now: datetime) -> Visitor | None:
        return await self._update(tenant_id, visitor_id, {"last_seen": now})

    async def _update(self, tenant_id: str, visitor_id: str, changes: Mapping[str, object]) -> Visitor | None:
        def change(conn: sqlite3.Connection) -> Visitor | None:
            doc = fetch_one(conn, VISITORS, _OWNED, (visitor_id, tenant_id))
            if doc is None:
                return None
            set_columns(conn, VISITORS, visitor_id, changes)
            return visitor_from(doc | dict(changes))

        return await self._db.write(change)


class SqlitePageViewStore(SqliteStore):
    async def insert(self, view: Document) -> None:
        row = PAGE_VIEWS.encode(view)
        await self._db.write(lambda conn: conn.execute(PAGE_VIEWS.insert_sql(), row).rowcount)

    async def close(self, tenant_id: str, view_id: str, left_at: datetime) -> None:
        sql = "UPDATE page_views SET left_at = ? WHERE id = ? AND tenant_id = ? AND left_at IS NULL"
        await self._db.write(lambda conn: conn.execute(sql, (to_time(left_at), view_id, tenant_id)).rowcount)

    async def delete_of_visitors(self, visitor_ids: list[str]) -> None:
        if not visitor_ids:
            return
        marks = ", ".join("?" * len(visitor_ids))
        sql = f"DELETE FROM page_views WHERE visitor_id IN ({marks})"
        await self._db.write(lambda conn: conn.execute(sql, visitor_ids).rowcount)

    async def trail(self, tenant_id: str, visitor_id: str, limit: int) -> list[Document]:
        where = "visitor_id = ? AND tenant_id = ? ORDER BY entered_at DESC LIMIT ?"
        views = await self._all(PAGE_VIEWS, where, (visitor_id, tenant_id, limit))
        return views[::-1]
