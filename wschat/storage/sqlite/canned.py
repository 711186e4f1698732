"""The SQLite adapter for canned replies. The table's unique key (tenant_id, owner_key, shortcut) settles
two replies with one shortcut, and is the index every query goes through."""

from __future__ import annotations

import sqlite3

from wschat.canned.models import CannedReply
from wschat.canned.store import LimitReached, ShortcutTaken, StaleVersion
from wschat.storage.canned_documents import SHARED, by_shortcut, reply_doc, reply_from
from wschat.storage.sqlite.base import SqliteStore
from wschat.storage.sqlite.tables import CANNED_REPLIES

_COUNT = "SELECT count(*) FROM canned_replies WHERE tenant_id = ? AND owner_key = ?"
_UPDATE = (
    "UPDATE canned_replies SET title = :title, shortcut = :shortcut, text = :text, version = :version,"
    " updated_at = :updated_at WHERE id = :id AND tenant_id = :tenant_id AND version = :_seen"
)
_EXISTS = "SELECT 1 FROM canned_replies WHERE id = ? AND tenant_id = ?"


class SqliteCannedReplyStore(SqliteStore):
    async def insert(self, reply: CannedReply, limit: int) -> None:
        row = CANNED_REPLIES.encode(reply_doc(reply))

        def store(conn: sqlite3.Connection) -> None:
            (count,) = conn.execute(_COUNT, (row["tenant_id"], row["owner_key"])).fetchone()
            if count >= limit:
                raise LimitReached()
            try:
                conn.execute(CANNED_REPLIES.insert_sql(), row)
            except sqlite3.IntegrityError as e:
                raise ShortcutTaken() from e

        await self._db.write(store)

    async def get(self, tenant_id: str, reply_id: str) -> CannedReply | None:
        doc = await self._one(CANNED_REPLIES, "id = ? AND tenant_id = ?", (reply_id, tenant_id))
        return reply_from(doc) if doc else None

    async def visible(self, tenant_id: str, owner_id: str) -> list[CannedReply]:
        where = "tenant_id = ? AND owner_key IN (?, ?)"
        docs = await self._all(CANNED_REPLIES, where, (tenant_id, SHARED, owner_id))
        return by_shortcut([reply_from(doc) for doc in docs])

    async def update(self, reply: CannedReply, version: int) -> CannedReply | None:
        row = CANNED_REPLIES.encode(reply_doc(reply)) | {"_seen": version}

        def store(conn: sqlite3.Connection) -> bool | None:
            try:
                changed = conn.execute(_UPDATE, row).rowcount
            except sqlite3.IntegrityError as e:
                raise ShortcutTaken() from e
            if changed == 1:
                return True
            return None if conn.execute(_EXISTS, (reply.id, reply.tenant_id)).fetchone() is None else False

        outcome = await self._db.write(store)
        if outcome is False:
            raise StaleVersion()
        return await self.get(reply.tenant_id, reply.id) if outcome else None

    async def delete(self, tenant_id: str, reply_id: str) -> bool:
        sql = "DELETE FROM canned_replies WHERE id = ? AND tenant_id = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (reply_id, tenant_id)).rowcount) == 1

    async def delete_of_owner(self, tenant_id: str, owner_id: str) -> int:
        if owner_id == SHARED:
            return 0
        sql = "DELETE FROM canned_replies WHERE tenant_id = ? AND owner_key = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (tenant_id, owner_id)).rowcount)

    async def delete_of_tenant(self, tenant_id: str) -> int:
        sql = "DELETE FROM canned_replies WHERE tenant_id = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (tenant_id,)).rowcount)
