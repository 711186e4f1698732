"""The SQLite adapter of the usage report: counts and sums through indexes that lead with the tenant.

- users by role: ``users_tenant_role``;
- recent chats: ``conversations_status`` (tenant, status, created_at), every status named so that the
  range on ``created_at`` is searched inside each; their messages through the messages' (conversation, seq)
  key, each row read for its kind;
- stored chats and messages, and the bytes of the messages (UTF-8 text plus the JSON of their data):
  the tenant's conversations through an index that holds their ids, then their messages by that key;
- photos (``photos_owner``) and mails (``outbox_tenant_status``): the bytes of their blobs and bodies.

Every figure reads that tenant's rows and no other's: the cost is a tenant's data, once per report
(docs/operations.md measures it).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wschat.chat.models import ConversationStatus
from wschat.storage.sqlite.base import SqliteStore
from wschat.storage.sqlite.values import to_time
from wschat.usage.store import Usage

_STATUSES = ", ".join(f"'{s.value}'" for s in ConversationStatus)
_RECENT = f"SELECT id FROM conversations WHERE tenant_id = ? AND status IN ({_STATUSES}) AND created_at >= ?"
_USERS = "SELECT role, count(*) FROM users WHERE tenant_id = ? AND disabled = 0 GROUP BY role"
_RECENT_CHATS = f"SELECT count(*) FROM ({_RECENT})"
_RECENT_MESSAGES = f"SELECT count(*) FROM messages WHERE conversation_id IN ({_RECENT}) AND kind = 'text'"
_STORED = (
    "SELECT count(DISTINCT c.id), count(m.seq),"
    " coalesce(sum(length(CAST(m.text AS BLOB)) + length(CAST(m.data AS BLOB))), 0)"
    " FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id WHERE c.tenant_id = ?"
)
_PHOTOS = "SELECT coalesce(sum(length(variants)), 0) FROM photos WHERE tenant_id = ?"
_MAILS = (
    "SELECT coalesce(sum(length(CAST(text AS BLOB)) + length(CAST(html AS BLOB))"
    " + coalesce(length(attachment_data), 0)), 0) FROM outbox WHERE tenant_id = ?"
)


class SqliteUsageStore(SqliteStore):
    async def usage(self, tenant_id: str, since: datetime) -> Usage:
        start = to_time(since)
        return await self._db.read(lambda conn: _usage(conn, tenant_id, start or 0))


def _usage(conn: sqlite3.Connection, tenant_id: str, since: int) -> Usage:
    roles = dict(conn.execute(_USERS, (tenant_id,)).fetchall())
    chats, messages, message_bytes = conn.execute(_STORED, (tenant_id,)).fetchone()
    photo_bytes = conn.execute(_PHOTOS, (tenant_id,)).fetchone()[0]
    mail_bytes = conn.execute(_MAILS, (tenant_id,)).fetchone()[0]
    return Usage(
        admins=roles.get("admin", 0),
        agents=roles.get("agent", 0),
        recent_chats=conn.execute(_RECENT_CHATS, (tenant_id, since)).fetchone()[0],
        recent_messages=conn.execute(_RECENT_MESSAGES, (tenant_id, since)).fetchone()[0],
        chats=chats,
        messages=messages,
        storage_bytes=message_bytes + photo_bytes + mail_bytes,
    )
