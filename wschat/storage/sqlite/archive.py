"""The SQLite adapter for the archive: one statement per page, walking ``conversations_archive``
(tenant, status, closed_at, id) newest first; the full-text filters are FTS5 lookups (``messages_fts``,
``visitors_fts``) whose conversation or visitor ids the walk checks against."""

from __future__ import annotations

import sqlite3
from typing import Any

from wschat.archive.store import ArchiveEntry, ArchiveFilter
from wschat.archive.words import fts_match, fts_match_in, marked_hits
from wschat.storage.documents import conversation_from
from wschat.storage.sqlite import search_index
from wschat.storage.sqlite.base import SqliteStore
from wschat.storage.sqlite.tables import CONVERSATIONS, VISITORS
from wschat.storage.sqlite.values import to_time

_COLUMNS = ", ".join(f"c.{name} AS {name}" for name in CONVERSATIONS.column_names)
_VISITOR = ", ".join(f"v.{name} AS v_{name}" for name in ("name", "alias", "contact", "country", "ip"))
_OUTCOMES = {
    "offline": "c.origin = 'offline_form'",
    "answered": "c.origin != 'offline_form' AND c.assigned_at IS NOT NULL",
    "missed": "c.origin != 'offline_form' AND c.assigned_at IS NULL",
}
_TOOK_PART = (
    "EXISTS (SELECT 1 FROM transitions t WHERE t.conversation_id = c.id AND t.tenant_id = c.tenant_id"
    " AND json_extract(t.state, '$.agent_id') = :agent)"
)
_MESSAGE_HITS = (
    "SELECT m.conversation_id FROM messages_fts f CROSS JOIN messages m ON m.rowid = f.rowid"
    " WHERE messages_fts MATCH :match AND m.tenant_id = :tenant"
)
_VISITOR_HITS = (
    "SELECT vv.id FROM visitors_fts vf CROSS JOIN visitors vv ON vv.rowid = vf.rowid"
    " WHERE visitors_fts MATCH {param} AND vv.tenant_id = :tenant"
)
_TEXTS = (
    "SELECT conversation_id, text FROM messages WHERE conversation_id IN ({ids}) AND tenant_id = :tenant"
    " ORDER BY conversation_id, seq"
)


def _where(query: ArchiveFilter, params: dict[str, Any]) -> str:
    # A restricted visitor's chats are kept but never listed, searched or exported (wschat/subjects).
    parts = ["c.tenant_id = :tenant", "c.status = 'closed'", "coalesce(v.restricted, 0) = 0"]
    if query.after is not None:
        parts.append("(c.closed_at, c.id) < (:after_at, :after_id)")
        params |= {"after_at": to_time(query.after[0]), "after_id": query.after[1]}
    if query.since is not None:
        parts.append("c.closed_at >= :since")
        params["since"] = to_time(query.since)
    if query.until is not None:
        parts.append("c.closed_at < :until")
        params["until"] = to_time(query.until)
    if query.outcome is not None:
        parts.append(_OUTCOMES[query.outcome])
    if query.agent_id is not None:
        parts.append(_TOOK_PART)
        params["agent"] = query.agent_id
    if query.country is not None:
        parts.append("v.country = :country")
        params["country"] = query.country
    if query.words:
        params["match"] = fts_match_in("text", query.words, params["tenant"])
        params["words"] = fts_match(query.words)
        visitors = _VISITOR_HITS.format(param=":words")
        parts.append(f"(c.id IN ({_MESSAGE_HITS}) OR c.visitor_id IN ({visitors}))")
    if query.visitor_words:
        params["visitor_match"] = fts_match(query.visitor_words)
        parts.append(f"c.visitor_id IN ({_VISITOR_HITS.format(param=':visitor_match')})")
    return " AND ".join(parts)


def _page(conn: sqlite3.Connection, tenant_id: str, query: ArchiveFilter, limit: int) -> list[ArchiveEntry]:
    params: dict[str, Any] = {"tenant": tenant_id, "limit": limit}
    sql = (
        f"SELECT {_COLUMNS}, {_VISITOR},"
        " (SELECT max(seq) FROM messages m WHERE m.conversation_id = c.id) AS message_count"
        " FROM conversations c LEFT JOIN visitors v ON v.id = c.visitor_id"
        f" WHERE {_where(query, params)} ORDER BY c.closed_at DESC, c.id DESC LIMIT :limit"
    )
    rows = conn.execute(sql, params).fetchall()
    snippets = _snippets(conn, tenant_id, query, [row["id"] for row in rows])
    return [_entry(row, snippets.get(row["id"])) for row in rows]


def _snippets(
    conn: sqlite3.Connection, tenant_id: str, query: ArchiveFilter, ids: list[str]
) -> dict[str, str]:
    """The first message of each chat that holds every word, hits marked. Read from the page's own chats
    (through their index), not by a second full-text pass over every match of the installation."""
    if not query.words or not ids:
        return {}
    marks = ", ".join(f":id{n}" for n in range(len(ids)))
    params = {"tenant": tenant_id} | {f"id{n}": i for n, i in enumerate(ids)}
    found: dict[str, str] = {}
    for conversation_id, text in conn.execute(_TEXTS.format(ids=marks), params):
        if conversation_id not in found:
            marked = marked_hits(text, query.words)
            if marked is not None:
                found[conversation_id] = marked
    return found


def _entry(row: sqlite3.Row, snippet: str | None) -> ArchiveEntry:
    conversation = conversation_from(CONVERSATIONS.decode(row))
    visitor = None
    if row["v_contact"] is not None:
        visitor = {
            "name": row["v_name"],
            "alias": row["v_alias"],
            "contact": VISITORS.column("contact").decode(row["v_contact"]),
            "country": row["v_country"],
            "ip": row["v_ip"],
        }
    return ArchiveEntry(conversation, visitor, int(row["message_count"] or 0), snippet)


class SqliteArchiveStore(SqliteStore):
    async def page(self, tenant_id: str, query: ArchiveFilter, limit: int) -> list[ArchiveEntry]:
        if query.words:  # every message stored before the search began is found (search_index.py)
            await self._db.write(search_index.catch_up_all)
        return await self._db.read(lambda conn: _page(conn, tenant_id, query, limit))

    async def took_part(self, tenant_id: str, conversation_id: str, agent_id: str) -> bool:
        return agent_id in await self.agents_of(tenant_id, conversation_id)

    async def agents_of(self, tenant_id: str, conversation_id: str) -> list[str]:
        sql = (
            "SELECT json_extract(state, '$.agent_id') FROM transitions WHERE conversation_id = ?"
            " AND tenant_id = ? ORDER BY epoch"
        )
        rows = await self._db.read(lambda conn: conn.execute(sql, (conversation_id, tenant_id)).fetchall())
        agents: list[str] = []
        for (agent,) in rows:
            if agent and agent not in agents:
                agents.append(agent)
        return agents
