"""Store contract: the archive (``wschat/archive/store.py``) on both adapters: pages newest closed first by
keyset, the filters, the word search (text, never syntax), who took part, tenant isolation; and on SQLite,
that the full-text index follows deletions. (The exports made are in the audit log: test_contract_audit.)"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

from tests.storage.builders import at, message_builder, new_conversation, new_visitor
from tests.storage.conftest import Adapter, TwoTenants
from wschat.accounts.models import Tenant
from wschat.archive.store import ArchiveFilter
from wschat.archive.words import words_of
from wschat.chat.models import SYSTEM, Conversation
from wschat.storage import Stores


async def _closed_chat(
    stores: Stores,
    tenant: Tenant,
    texts: list[str],
    *,
    closed: float,
    agents: tuple[str, ...] = (),
    origin: str = "chat",
    **visitor: Any,
) -> Conversation:
    guest = new_visitor(tenant, seen=closed - 50, **visitor)
    await stores.visitors.insert(guest, f"token-{guest.id}")
    chat = new_conversation(tenant, guest.id, created=closed - 40, origin=origin)
    assert await stores.conversations.insert(chat)
    for n, agent in enumerate(agents):
        state = {"status": "active", "agent_id": agent, "assigned_at": at(closed - 30 + n)}
        chat = await stores.conversations.transition(chat, "assign", state, {}, at(closed - 30 + n))
    for n, text in enumerate(texts):
        build = message_builder(chat, f"c-{n}", text, created=closed - 20 + n)
        await stores.messages.append(tenant.id, chat.id, f"c-{n}", build)
    close = {"status": "closed", "closed_at": at(closed), "closed_by": SYSTEM.to_doc()}
    return await stores.conversations.transition(chat, "close", close, {}, at(closed))


def _ids(entries: list[Any]) -> list[str]:
    return [entry.conversation.id for entry in entries]


async def test_archive_pages_newest_closed_first_by_keyset(stores: Stores, two: TwoTenants) -> None:
    chats = [await _closed_chat(stores, two.a, ["hallo"], closed=100 + n) for n in range(5)]
    await _closed_chat(stores, two.b, ["hallo"], closed=200)

    first = await stores.archive.page(two.a.id, ArchiveFilter(), 2)
    last = first[-1].conversation
    assert last.closed_at is not None
    second = await stores.archive.page(two.a.id, ArchiveFilter(after=(last.closed_at, last.id)), 10)

    assert _ids(first) + _ids(second) == [c.id for c in reversed(chats)]
    assert first[0].message_count == 1


async def test_archive_search_finds_a_word_from_the_middle_of_a_chat(stores: Stores, two: TwoTenants) -> None:
    wanted = await _closed_chat(
        stores, two.a, ["Guten Tag", "Wo bleibt meine Lieferung nach Hamburg?", "Danke"], closed=100
    )
    await _closed_chat(stores, two.a, ["Guten Tag", "Rechnung bitte"], closed=110)
    await _closed_chat(stores, two.b, ["Lieferung nach Hamburg"], closed=120)

    found = await stores.archive.page(two.a.id, ArchiveFilter(words=("lieferung", "hamburg")), 10)

    assert _ids(found) == [wanted.id]
    assert found[0].snippet is not None
    assert "\x02Lieferung\x03" in found[0].snippet


async def test_archive_search_reads_operators_and_quotes_as_words(stores: Stores, two: TwoTenants) -> None:
    wanted = await _closed_chat(stores, two.a, ['He said "NEAR" AND then OR* left'], closed=100)
    await _closed_chat(stores, two.a, ["nothing of it"], closed=110)

    for text in ['"NEAR', "AND OR*", 'NEAR(" AND', "text:near^ -and"]:
        words = words_of(text)
        found = await stores.archive.page(two.a.id, ArchiveFilter(words=words), 10)
        assert _ids(found) == ([wanted.id] if "text" not in words else []), text


async def test_archive_search_finds_contact_data(stores: Stores, two: TwoTenants) -> None:
    wanted = await _closed_chat(
        stores, two.a, ["hi"], closed=100, name="Erika", contact={"email": "erika@example.org"}
    )
    await _closed_chat(stores, two.a, ["hi"], closed=110, name="Max")

    by_words = await stores.archive.page(two.a.id, ArchiveFilter(words=("erika",)), 10)
    by_visitor = await stores.archive.page(
        two.a.id, ArchiveFilter(visitor_words=words_of("erika@example")), 10
    )

    assert _ids(by_words) == _ids(by_visitor) == [wanted.id]


async def test_archive_filters_outcome_agent_country_and_dates(stores: Stores, two: TwoTenants) -> None:
    answered = await _closed_chat(
        stores, two.a, ["a"], closed=100, agents=("usr_anna", "usr_bert"), country="DE"
    )
    missed = await _closed_chat(stores, two.a, ["b"], closed=110, country="AT")
    offline = await _closed_chat(stores, two.a, ["c"], closed=120, origin="offline_form", country="DE")

    async def ids(**query: Any) -> list[str]:
        return _ids(await stores.archive.page(two.a.id, ArchiveFilter(**query), 10))

    assert await ids(outcome="answered") == [answered.id]
    assert await ids(outcome="missed") == [missed.id]
    assert await ids(outcome="offline") == [offline.id]
    # Anna handed the chat over to Bert: both took part.
    assert await ids(agent_id="usr_anna") == await ids(agent_id="usr_bert") == [answered.id]
    assert await ids(country="DE") == [offline.id, answered.id]
    assert await ids(since=at(105), until=at(120)) == [missed.id]
    assert await stores.archive.agents_of(two.a.id, answered.id) == ["usr_anna", "usr_bert"]
    assert await stores.archive.took_part(two.a.id, answered.id, "usr_bert")
    assert not await stores.archive.took_part(two.b.id, answered.id, "usr_bert")


async def test_archive_sqlite_index_forgets_deleted_chats_and_visitors(
    stores: Stores, two: TwoTenants, adapter: Adapter
) -> None:
    if adapter.kind != "sqlite":
        return  # FTS5 is the SQLite adapter's; MongoDB searches the stored documents themselves
    chat = await _closed_chat(stores, two.a, ["Zahnarzttermin"], closed=100, name="Jürgen")
    assert adapter.url.path is not None
    with closing(sqlite3.connect(adapter.url.path)) as conn, conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM conversations WHERE id = ?", (chat.id,))
        conn.execute("DELETE FROM visitors WHERE id = ?", (chat.visitor_id,))
        left = (
            conn.execute(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zahnarzttermin'"
            ).fetchone()[0]
            + conn.execute("SELECT count(*) FROM visitors_fts WHERE visitors_fts MATCH 'jurgen'").fetchone()[
                0
            ]
        )

    assert left == 0


async def test_archive_sqlite_search_folds_umlauts(stores: Stores, two: TwoTenants, adapter: Adapter) -> None:
    if adapter.kind != "sqlite":
        return  # the regex fallback matches letters as typed (docs/archive.md)
    wanted = await _closed_chat(stores, two.a, ["Grüße aus Köln"], closed=100)

    found = await stores.archive.page(two.a.id, ArchiveFilter(words=("gruße", "KOLN")), 10)

    assert _ids(found) == [wanted.id]
