"""Rows deleted with everything that hangs on them, for the SQLite adapter's erasing stores: a tenant's
deletion (``lifecycle.py``) and a person's (``subjects.py``) take the same rows the same way.

Every function runs inside the caller's write transaction, on ids the caller has already scoped to its
tenant, and returns the rows it deleted per table. Children go through their own indexes before their
parents; full-text rows go with their messages and visitors through the triggers of schema version 8.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence


def marks(ids: Sequence[str]) -> str:
    """``?, ?, ?`` for an ``IN (…)`` of ``ids``."""
    return ", ".join("?" * len(ids))


def ids_of(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[str]:
    return [row[0] for row in conn.execute(sql, params)]


def with_children(
    conn: sqlite3.Connection, parent: str, ids: list[str], *children: tuple[str, str]
) -> dict[str, int]:
    """The rows ``ids`` of ``parent``, each with the rows of ``children`` ((table, key column)) on it."""
    if not ids:
        return {}
    among = marks(ids)
    counts = {
        child: conn.execute(f"DELETE FROM {child} WHERE {key} IN ({among})", ids).rowcount
        for child, key in children
    }
    counts[parent] = conn.execute(f"DELETE FROM {parent} WHERE id IN ({among})", ids).rowcount
    return counts


def calls(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    return with_children(conn, "calls", ids, ("call_transitions", "call_id"))


def mails(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    return with_children(conn, "outbox", ids, ("outbox_transitions", "mail_id"))


def visitors(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    return with_children(conn, "visitors", ids, ("page_views", "visitor_id"))


def conversations(conn: sqlite3.Connection, ids: list[str]) -> dict[str, int]:
    """Conversations with their messages, transitions, transcripts, and their calls with those calls'
    transitions."""
    if not ids:
        return {}
    held = ids_of(conn, f"SELECT id FROM calls WHERE conversation_id IN ({marks(ids)})", ids)
    counts = calls(conn, held)
    counts |= with_children(
        conn,
        "conversations",
        ids,
        ("messages", "conversation_id"),
        ("transitions", "conversation_id"),
        ("transcripts", "conversation_id"),
    )
    return counts
