"""The SQLite adapter for data-subject requests (wschat/subjects/store.py).

A person is found through ``visitors_fts`` (name, alias and contact data, kept by the triggers of schema
version 8); their conversations through ``conversations_visitor`` and the mails to them through
``outbox_recipient`` (version 10). Each erasing call is one write transaction over a bounded set of rows.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from wschat.archive.words import fts_match
from wschat.chat.models import Conversation
from wschat.mail.models import OutgoingMail
from wschat.records import Document
from wschat.storage.documents import conversation_from, visitor_from
from wschat.storage.mail_documents import mail_from
from wschat.storage.sqlite import deletion
from wschat.storage.sqlite.base import SqliteStore, fetch_all, fetch_one, set_columns
from wschat.storage.sqlite.deletion import ids_of, marks
from wschat.storage.sqlite.tables import CONVERSATIONS, OUTBOX, SUBJECT_REQUESTS, VISITORS
from wschat.storage.sqlite.values import to_time
from wschat.visitors.models import Visitor

_VISITOR_COLUMNS = ", ".join(f"v.{name} AS {name}" for name in VISITORS.column_names)
_FIND = (
    f"SELECT {_VISITOR_COLUMNS} FROM visitors_fts f CROSS JOIN visitors v ON v.rowid = f.rowid"
    " WHERE visitors_fts MATCH :match AND v.tenant_id = :tenant{email}"
    " ORDER BY v.last_seen DESC, v.id DESC LIMIT :limit"
)
# An address is looked up whole: its words (``info``, ``example``, ``com``) may be common to many people.
_EMAIL = " AND lower(json_extract(v.contact, '$.email')) = :email"
_STRIPPED = (
    "UPDATE visitors SET name = NULL, alias = NULL, contact = '{}', ip = NULL, country = NULL,"
    " user_agent = NULL, current_page = NULL, token_hash = ? WHERE id = ? AND tenant_id = ?"
)
# A visitor's display name goes from every record of the conversation that shows it.
_ANONYMOUS_SENDER = (
    "CASE WHEN json_extract(sender, '$.kind') = 'visitor' THEN json_set(sender, '$.display_name', '')"
    " ELSE sender END"
)


def _owned(conn: sqlite3.Connection, table: str, tenant_id: str, ids: list[str]) -> list[str]:
    """Those of ``ids`` that are the tenant's (by primary key): another tenant's rows are never touched."""
    return ids_of(
        conn, f"SELECT id FROM {table} WHERE id IN ({marks(ids)}) AND tenant_id = ?", [*ids, tenant_id]
    )


def _delete_conversations(conn: sqlite3.Connection, tenant_id: str, wanted: list[str]) -> dict[str, int]:
    return deletion.conversations(conn, _owned(conn, "conversations", tenant_id, wanted))


def _anonymise_conversations(conn: sqlite3.Connection, tenant_id: str, wanted: list[str]) -> dict[str, int]:
    ids = _owned(conn, "conversations", tenant_id, wanted)
    if not ids:
        return {}
    among = marks(ids)
    calls = ids_of(conn, f"SELECT id FROM calls WHERE conversation_id IN ({among})", ids)
    counts = {
        "messages": conn.execute(
            f"UPDATE messages SET text = '', data = '{{}}', sender = {_ANONYMOUS_SENDER}"
            f" WHERE conversation_id IN ({among})",
            ids,
        ).rowcount,
        "transitions": conn.execute(
            f"UPDATE transitions SET state = {_unnamed('state', '$.closed_by')},"
            f" record = {_unnamed('record', '$.by')} WHERE conversation_id IN ({among})",
            ids,
        ).rowcount,
        "transcripts": conn.execute(
            f"DELETE FROM transcripts WHERE conversation_id IN ({among})", ids
        ).rowcount,
        "conversations": conn.execute(
            "UPDATE conversations SET answer_email = NULL, closed_by = CASE"
            " WHEN json_extract(closed_by, '$.kind') = 'visitor'"
            " THEN json_set(closed_by, '$.display_name', '') ELSE closed_by END"
            f" WHERE id IN ({among})",
            ids,
        ).rowcount,
    }
    if calls:
        counts["calls"] = _anonymise_calls(conn, calls)
    return counts


def _unnamed(column: str, path: str) -> str:
    """``column`` with the display name at ``path`` emptied where a visitor is named there."""
    return (
        f"CASE WHEN json_extract({column}, '{path}.kind') = 'visitor'"
        f" THEN json_set({column}, '{path}.display_name', '') ELSE {column} END"
    )


def _anonymise_calls(conn: sqlite3.Connection, calls: list[str]) -> int:
    """A participant's name: the visitor's is emptied (who took part stays: the side and the times)."""
    among = marks(calls)
    changed = conn.execute(
        f"UPDATE calls SET participants = {_participants('participants')} WHERE id IN ({among})", calls
    ).rowcount
    conn.execute(
        f"UPDATE call_transitions SET state = json_set(state, '$.participants',"
        f" {_participants('state', chr(39) + '$.participants' + chr(39))})"
        f" WHERE call_id IN ({among}) AND json_type(state, '$.participants') = 'array'",
        calls,
    )
    return changed


def _participants(*source: str) -> str:
    """The JSON array at ``source`` (json_each's arguments) with each visitor's display name emptied."""
    return (
        "(SELECT json_group_array(CASE WHEN json_extract(json_each.value, '$.side') = 'visitor'"
        " THEN json_set(json_each.value, '$.display_name', '') ELSE json(json_each.value) END)"
        f" FROM json_each({', '.join(source)}))"
    )


def _delete_mails(conn: sqlite3.Connection, tenant_id: str, wanted: list[str]) -> dict[str, int]:
    return deletion.mails(conn, _owned(conn, "outbox", tenant_id, wanted))


class SqliteSubjectStore(SqliteStore):
    async def find(
        self, tenant_id: str, words: tuple[str, ...], limit: int, *, email: str | None = None
    ) -> list[Visitor]:
        if not words:
            return []
        params = {
            "match": fts_match(words),
            "tenant": tenant_id,
            "limit": limit,
            "email": (email or "").lower(),
        }
        sql = _FIND.format(email=_EMAIL if email else "")
        docs = await self._db.read(lambda conn: fetch_all(conn, VISITORS, sql, params))
        return [visitor_from(doc) for doc in docs]

    async def conversations_of(
        self, tenant_id: str, visitor_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[Conversation]:
        where = "tenant_id = ? AND visitor_id = ?"
        params: list[Any] = [tenant_id, visitor_id]
        if after is not None:
            where += " AND (created_at, id) > (?, ?)"
            params += [to_time(after[0]), after[1]]
        docs = await self._all(CONVERSATIONS, f"{where} ORDER BY created_at, id LIMIT ?", [*params, limit])
        return [conversation_from(doc) for doc in docs]

    async def mails_to(
        self, tenant_id: str, recipients: list[str], after: tuple[datetime, str] | None, limit: int
    ) -> list[OutgoingMail]:
        if not recipients:
            return []
        where = f"tenant_id = ? AND recipient IN ({marks(recipients)})"
        params: list[Any] = [tenant_id, *recipients]
        if after is not None:
            where += " AND (created_at, id) > (?, ?)"
            params += [to_time(after[0]), after[1]]
        docs = await self._all(OUTBOX, f"{where} ORDER BY created_at, id LIMIT ?", [*params, limit])
        return [mail_from(doc) for doc in docs]

    async def delete_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        return await self._db.write(lambda conn: _delete_conversations(conn, tenant_id, ids)) if ids else {}

    async def anonymise_conversations(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        return (
            await self._db.write(lambda conn: _anonymise_conversations(conn, tenant_id, ids)) if ids else {}
        )

    async def delete_mails(self, tenant_id: str, ids: list[str]) -> dict[str, int]:
        return await self._db.write(lambda conn: _delete_mails(conn, tenant_id, ids)) if ids else {}

    async def delete_page_views(self, tenant_id: str, visitor_id: str, limit: int) -> int:
        sql = (
            "DELETE FROM page_views WHERE rowid IN (SELECT rowid FROM page_views"
            " WHERE visitor_id = ? AND tenant_id = ? LIMIT ?)"
        )
        return await self._db.write(lambda conn: conn.execute(sql, (visitor_id, tenant_id, limit)).rowcount)

    async def strip_visitor(self, tenant_id: str, visitor_id: str, token_hash: str) -> bool:
        params = (token_hash, visitor_id, tenant_id)
        return await self._db.write(lambda conn: conn.execute(_STRIPPED, params).rowcount) == 1

    async def change_visitor(
        self, tenant_id: str, visitor_id: str, changes: dict[str, Any]
    ) -> Visitor | None:
        select = f"{VISITORS.select_sql()} WHERE id = ? AND tenant_id = ?"

        def change(conn: sqlite3.Connection) -> Visitor | None:
            if fetch_one(conn, VISITORS, select, (visitor_id, tenant_id)) is None:
                return None
            set_columns(conn, VISITORS, visitor_id, changes)
            doc = fetch_one(conn, VISITORS, select, (visitor_id, tenant_id))
            return visitor_from(doc) if doc else None

        return await self._db.write(change)

    async def delete_visitor(self, tenant_id: str, visitor_id: str) -> bool:
        sql = "DELETE FROM visitors WHERE id = ? AND tenant_id = ?"
        return await self._db.write(lambda conn: conn.execute(sql, (visitor_id, tenant_id)).rowcount) == 1

    async def record_request(self, record: Document) -> None:
        row = SUBJECT_REQUESTS.encode(record)
        await self._db.write(lambda conn: conn.execute(SUBJECT_REQUESTS.insert_sql(), row).rowcount)

    async def requests(
        self, tenant_id: str, before: tuple[datetime, str] | None, limit: int
    ) -> list[Document]:
        where = "tenant_id = ?"
        params: list[Any] = [tenant_id]
        if before is not None:
            where += " AND (received_at, id) < (?, ?)"
            params += [to_time(before[0]), before[1]]
        return await self._all(
            SUBJECT_REQUESTS, f"{where} ORDER BY received_at DESC, id DESC LIMIT ?", [*params, limit]
        )

    async def finish_request(self, tenant_id: str, request_id: str, at: datetime) -> Document | None:
        select = f"{SUBJECT_REQUESTS.select_sql()} WHERE id = ? AND tenant_id = ?"
        update = "UPDATE subject_requests SET state = 'done', done_at = ? WHERE id = ? AND state = 'open'"

        def finish(conn: sqlite3.Connection) -> Document | None:
            conn.execute(update, (to_time(at), request_id))
            return fetch_one(conn, SUBJECT_REQUESTS, select, (request_id, tenant_id))

        # The update names the id alone; a request of another tenant is never read here, so check first.
        owned = await self._one(SUBJECT_REQUESTS, "id = ? AND tenant_id = ?", (request_id, tenant_id))
        return await self._db.write(finish) if owned else None
