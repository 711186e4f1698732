"""The SQLite adapter for messages.

Appending is one writer job: the next ``seq`` is one above the conversation's highest (read through the
``(conversation_id, seq)`` index) and the row is inserted; a known ``client_id`` (a resend) fails that
insert on its unique constraint, which undoes the statement alone, and the stored message is returned
(no look-up before every insert for the rare resend). The writer is the only one that writes, so no two
appends can take the same number; the unique constraint on ``(conversation_id, seq)`` holds it anyway.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from wschat.chat.models import Message, Visibility
from wschat.storage.documents import message_doc, message_from
from wschat.storage.sqlite.base import SqliteStore, fetch_one
from wschat.storage.sqlite.tables import MESSAGES

_BY_CLIENT_ID = f"{MESSAGES.select_sql()} WHERE conversation_id = ? AND client_id = ? AND tenant_id = ?"
_INSERT = MESSAGES.insert_sql()
_LAST_SEQ = "SELECT seq FROM messages WHERE conversation_id = ? AND tenant_id = ? ORDER BY seq DESC LIMIT 1"


class SqliteMessageStore(SqliteStore):
    async def append(
        self, tenant_id: str, conversation_id: str, client_id: str, build: Callable[[int], Message]
    ) -> tuple[Message, bool]:
        def store(conn: sqlite3.Connection) -> tuple[Message, bool]:
            last = conn.execute(_LAST_SEQ, (conversation_id, tenant_id)).fetchone()
            message = build((last[0] if last else 0) + 1)
            try:
                conn.execute(_INSERT, MESSAGES.encode(message_doc(message)))
            except sqlite3.IntegrityError:
                earlier = fetch_one(conn, MESSAGES, _BY_CLIENT_ID, (conversation_id, client_id, tenant_id))
                if earlier is None:
                    raise
                return message_from(earlier), False
            return message, True

        return await self._db.write(store)

    async def by_client_id(self, tenant_id: str, conversation_id: str, client_id: str) -> Message | None:
        where = "conversation_id = ? AND client_id = ? AND tenant_id = ?"
        doc = await self._one(MESSAGES, where, (conversation_id, client_id, tenant_id))
        return message_from(doc) if doc else None

    async def after(
        self, tenant_id: str, conversation_id: str, after_seq: int, limit: int, *, agents: bool
    ) -> list[Message]:
        where = f"conversation_id = ? AND seq > ? AND tenant_id = ?{_visible(agents)} ORDER BY seq LIMIT ?"
        docs = await self._all(MESSAGES, where, (conversation_id, after_seq, tenant_id, limit))
        return [message_from(doc) for doc in docs]

    async def before(
        self, tenant_id: str, conversation_id: str, before_seq: int | None, limit: int, *, agents: bool
    ) -> list[Message]:
        below = before_seq if before_seq is not None else 2**62
        where = (
            f"conversation_id = ? AND seq < ? AND tenant_id = ?{_visible(agents)} ORDER BY seq DESC LIMIT ?"
        )
        docs = await self._all(MESSAGES, where, (conversation_id, below, tenant_id, limit))
        return [message_from(doc) for doc in docs]

    async def last_seq(self, tenant_id: str, conversation_id: str) -> int:
        row = await self._db.read(
            lambda conn: conn.execute(_LAST_SEQ, (conversation_id, tenant_id)).fetchone()
        )
        return int(row[0]) if row else 0


def _visible(agents: bool) -> str:
    return "" if agents else f" AND visibility = '{Visibility.ALL.value}'"
