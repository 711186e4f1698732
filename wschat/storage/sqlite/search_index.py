"""Messages reach the full-text index in batches, not one by one as they are stored.

FTS5 writes a segment of its own for every transaction that adds to it, and merges those segments later:
indexing a message in the transaction that stores it cost a third of the writer thread's time per message
at 1,500 messages a second (docs/benchmarks.md), about 30 µs, against 3 µs a row when 500 are indexed
together. So storing a message only notes its rowid in ``messages_unindexed`` (schema step 18); the writer
thread indexes what waits, ``CHUNK`` rows at a time, at most every ``EVERY`` seconds after a commit
(:class:`~wschat.storage.sqlite.connections.Chore`), and a word search first indexes whatever still waits,
so it never misses a message that was stored before it began.

Deleting or changing a message keeps the two in step inside the same transaction (the triggers below): a
message that was indexed leaves the index, one that was waiting leaves the waiting list. FTS5's ``delete``
must never be given a row it does not hold (it would corrupt the index), hence one trigger that decides and
then forgets, in that order.
"""

from __future__ import annotations

import sqlite3

#: Most messages indexed in one transaction of the writer (about 1.5 ms).
CHUNK = 500
#: How often the writer looks for messages to index while it is writing, seconds.
EVERY = 0.25

_OLDEST = "SELECT max(id) FROM (SELECT id FROM messages_unindexed ORDER BY id LIMIT ?)"
_INDEX = (
    "INSERT INTO messages_fts (rowid, text, tenant_id) SELECT m.rowid, m.text, m.tenant_id"
    " FROM messages_unindexed u CROSS JOIN messages m ON m.rowid = u.id WHERE u.id <= ?"
)
_FORGET = "DELETE FROM messages_unindexed WHERE id <= ?"

#: Version 18: messages wait in ``messages_unindexed`` until the writer indexes them in batches.
V18 = [
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "CREATE TABLE messages_unindexed (id INTEGER PRIMARY KEY)",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_unindexed (id) VALUES (new.rowid);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text, tenant_id)
            SELECT 'delete', old.rowid, old.text, old.tenant_id
            WHERE NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE id = old.rowid);
        DELETE FROM messages_unindexed WHERE id = old.rowid;
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, tenant_id ON messages
    WHEN NOT EXISTS (SELECT 1 FROM messages_unindexed WHERE id = old.rowid) BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text, tenant_id)
            VALUES ('delete', old.rowid, old.text, old.tenant_id);
        INSERT INTO messages_fts (rowid, text, tenant_id) VALUES (new.rowid, new.text, new.tenant_id);
    END""",
]


def catch_up(conn: sqlite3.Connection, limit: int = CHUNK) -> bool:
    """Index up to ``limit`` waiting messages, oldest first, in the caller's transaction; True when more
    are waiting."""
    upto = conn.execute(_OLDEST, (limit,)).fetchone()[0]
    if upto is None:
        return False
    conn.execute(_INDEX, (upto,))
    conn.execute(_FORGET, (upto,))
    return conn.execute("SELECT 1 FROM messages_unindexed LIMIT 1").fetchone() is not None


def catch_up_all(conn: sqlite3.Connection) -> None:
    """Index every waiting message (before a word search, after a bulk load)."""
    while catch_up(conn):
        pass
