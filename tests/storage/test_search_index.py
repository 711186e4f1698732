"""The SQLite adapter's full-text index of messages, filled in batches (search_index.py): a search finds
every message stored before it, whether indexed yet or not; deleting or changing a message, indexed or
waiting, keeps FTS5 consistent (its own ``integrity-check``, which compares the index with the messages
table); the writer indexes what waits while it writes; a database of schema 17 keeps its index. Real
database files, opened as the server opens them."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.storage.builders import at, message_builder, new_conversation, new_tenant, new_visitor
from wschat.accounts.models import Tenant
from wschat.archive.store import ArchiveFilter
from wschat.chat.models import SYSTEM, Conversation
from wschat.storage.sqlite import schema, search_index
from wschat.storage.sqlite.database import SqliteDatabase


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = await SqliteDatabase.open(tmp_path / "wschat.db")
    try:
        yield database
    finally:
        await database.close()


async def _chat(db: SqliteDatabase, tenant: Tenant, texts: list[str], *, closed: float = 100) -> Conversation:
    stores = db.stores
    guest = new_visitor(tenant, seen=closed - 50)
    await stores.visitors.insert(guest, f"token-{guest.id}")
    chat = new_conversation(tenant, guest.id, created=closed - 40)
    assert await stores.conversations.insert(chat)
    for n, text in enumerate(texts):
        build = message_builder(chat, f"c-{n}", text, created=closed - 20 + n)
        await stores.messages.append(tenant.id, chat.id, f"c-{n}", build)
    close = {"status": "closed", "closed_at": at(closed), "closed_by": SYSTEM.to_doc()}
    return await stores.conversations.transition(chat, "close", close, {}, at(closed))


async def _tenant(db: SqliteDatabase) -> Tenant:
    tenant = new_tenant("acme")
    await db.stores.tenants.insert(tenant)
    return tenant


async def _found(db: SqliteDatabase, tenant: Tenant, *words: str) -> list[str]:
    entries = await db.stores.archive.page(tenant.id, ArchiveFilter(words=words), 50)
    return [entry.conversation.id for entry in entries]


def _check(path: Path) -> tuple[int, int]:
    """How many messages are indexed and how many wait, after checking that FTS5's index is sound (its
    ``integrity-check``), that it holds exactly the messages that do not wait, and, when none waits, that it
    matches their texts (``integrity-check`` with rank 1 compares the index with the messages table)."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
        stored = {row[0] for row in conn.execute("SELECT rowid FROM messages")}
        indexed = {row[0] for row in conn.execute("SELECT id FROM messages_fts_docsize")}
        waiting = {row[0] for row in conn.execute("SELECT id FROM messages_unindexed")}
        assert indexed | waiting == stored
        assert not indexed & waiting
        if not waiting:
            conn.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)")
    return len(indexed), len(waiting)


async def test_a_search_finds_messages_the_writer_has_not_indexed_yet(db: SqliteDatabase) -> None:
    tenant = await _tenant(db)
    chat = await _chat(db, tenant, ["Wo bleibt die Lieferung nach Hamburg?"])
    assert _check(db.path) == (0, 1)  # stored, waiting for the index

    assert await _found(db, tenant, "lieferung", "hamburg") == [chat.id]
    assert _check(db.path) == (1, 0)


async def test_deleting_waiting_and_indexed_messages_keeps_the_index_consistent(db: SqliteDatabase) -> None:
    tenant = await _tenant(db)
    indexed = await _chat(db, tenant, ["Zahnarzttermin am Montag"], closed=100)
    assert await _found(db, tenant, "zahnarzttermin") == [indexed.id]
    waiting = await _chat(db, tenant, ["Zahnarzttermin am Dienstag"], closed=110)
    assert _check(db.path) == (1, 1)

    for chat in (indexed, waiting):
        await db.connections.write(
            lambda conn, chat_id=chat.id: conn.execute(
                "DELETE FROM messages WHERE conversation_id = ?", (chat_id,)
            )
        )

    assert _check(db.path) == (0, 0)
    assert await _found(db, tenant, "zahnarzttermin") == []


async def test_a_changed_text_is_found_by_its_new_words_only(db: SqliteDatabase) -> None:
    tenant = await _tenant(db)
    indexed = await _chat(db, tenant, ["Rechnung bitte"], closed=100)
    assert await _found(db, tenant, "rechnung") == [indexed.id]
    waiting = await _chat(db, tenant, ["Rechnung auch"], closed=110)

    await db.connections.write(lambda conn: conn.execute("UPDATE messages SET text = 'Gutschrift bitte'"))

    assert _check(db.path) == (1, 1)
    assert await _found(db, tenant, "rechnung") == []
    assert await _found(db, tenant, "gutschrift") == [waiting.id, indexed.id]
    assert _check(db.path) == (2, 0)


async def test_a_reused_rowid_is_indexed_with_its_new_message(db: SqliteDatabase) -> None:
    """SQLite gives a new row the highest rowid + 1, so the rowid of the newest message, deleted, comes
    back with the next one."""
    tenant = await _tenant(db)
    first = await _chat(db, tenant, ["Angebot eins"], closed=100)
    gone = await _chat(db, tenant, ["Angebot zwei"], closed=110)
    assert len(await _found(db, tenant, "angebot")) == 2
    rowid = await db.connections.read(lambda c: c.execute("SELECT max(rowid) FROM messages").fetchone()[0])
    await db.connections.write(
        lambda c: c.execute("DELETE FROM messages WHERE conversation_id = ?", (gone.id,))
    )

    again = await _chat(db, tenant, ["Kündigung"], closed=120)

    reused = await db.connections.read(lambda c: c.execute("SELECT max(rowid) FROM messages").fetchone()[0])
    assert reused == rowid
    assert await _found(db, tenant, "angebot") == [first.id]
    assert await _found(db, tenant, "kundigung") == [again.id]
    assert _check(db.path) == (2, 0)


async def test_the_writer_indexes_what_waits_while_it_writes(db: SqliteDatabase) -> None:
    tenant = await _tenant(db)
    await _chat(db, tenant, [f"Nachricht {n}" for n in range(search_index.CHUNK + 20)])
    assert _check(db.path)[1] > 0

    async def drained() -> None:
        while _check(db.path)[1]:
            # any write gives the writer its turn; the index is caught up a chunk at a time
            await db.connections.write(lambda conn: None)
            await asyncio.sleep(search_index.EVERY / 5)

    await asyncio.wait_for(drained(), 30)
    assert _check(db.path) == (search_index.CHUNK + 20, 0)


async def test_a_loaded_copy_is_indexed_at_once(db: SqliteDatabase, tmp_path: Path) -> None:
    tenant = await _tenant(db)
    chat = await _chat(db, tenant, ["Ersatzteil bestellt"])
    (tmp_path / "copy").mkdir()
    target = await SqliteDatabase.open(tmp_path / "copy" / "wschat.db")
    try:
        for table in ("tenants", "visitors", "conversations", "messages"):
            await target.load(table, await db.documents(table))
        assert _check(target.path) == (1, 0)
        assert await _found(target, tenant, "ersatzteil") == [chat.id]
    finally:
        await target.close()


async def test_a_database_of_schema_17_keeps_its_index(tmp_path: Path) -> None:
    """Messages indexed one by one before step 18 stay found, and can be deleted, after it."""
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        for step in schema.MIGRATIONS[:17]:
            for statement in step:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 17")
        conn.execute(
            "INSERT INTO tenants (id, slug, name, plan, status, created_at) "
            "VALUES ('ten_old', 'old', 'Old', 'standard', 'active', 0)"
        )
        conn.execute(
            "INSERT INTO conversations (id, tenant_id, visitor_id, open_key, status, epoch, created_at, "
            "closed_at) VALUES ('con_old', 'ten_old', 'vis_old', 'closed:con_old', 'closed', 1, 0, 10)"
        )
        conn.execute(
            "INSERT INTO messages (id, tenant_id, conversation_id, seq, client_id, sender, kind, text, "
            "created_at) VALUES ('msg_old', 'ten_old', 'con_old', 1, 'c-1', '{}', 'text', "
            "'Altbestand aus dem Lager', 5)"
        )

    db = await SqliteDatabase.open(path)  # migrates to the latest schema
    try:
        assert _check(path) == (1, 0)
        found = await db.stores.archive.page("ten_old", ArchiveFilter(words=("altbestand",)), 10)
        assert [entry.conversation.id for entry in found] == ["con_old"]
        await db.connections.write(lambda c: c.execute("DELETE FROM messages"))
        assert _check(path) == (0, 0)
    finally:
        await db.close()
