"""Contract of the table-level API (``wschat.storage.Database``) that ``wschat db copy`` and the checks
use: paging by ``_id``, counts, idempotent loads, drop. On both adapters."""

from __future__ import annotations

import random

from tests.storage.builders import at, new_tenant
from tests.storage.scenario import populate
from wschat.records import Document
from wschat.storage import TABLES, Database
from wschat.storage.account_documents import tenant_doc


async def _all(db: Database, table: str, page: int = 4) -> list[Document]:
    """Every record of ``table``, read page by page as a copy reads it."""
    out: list[Document] = []
    after: str | None = None
    while batch := await db.documents(table, after=after, limit=page):
        assert len(batch) <= page
        out.extend(batch)
        after = batch[-1]["_id"]
    return out


async def test_database_documents_pages_by_id(database: Database) -> None:
    sids = [f"sid_{n:02d}" for n in range(11)]
    for sid in random.sample(sids, len(sids)):
        await database.stores.presence.add_socket(sid, "ten_1", "usr_1", "agent", "node_1", at(int(sid[-2:])))

    first = await database.documents("sockets", limit=4)
    second = await database.documents("sockets", after=first[-1]["_id"], limit=4)
    third = await database.documents("sockets", after=second[-1]["_id"], limit=4)

    assert [d["_id"] for d in first] == sids[0:4]
    assert [d["_id"] for d in second] == sids[4:8]
    assert [d["_id"] for d in third] == sids[8:11]
    assert await database.documents("sockets", after=third[-1]["_id"], limit=4) == []
    assert await database.documents("sockets", after="sid_04", limit=2) == second[1:3]
    assert first[0] == {
        "_id": "sid_00",
        "tenant_id": "ten_1",
        "owner_id": "usr_1",
        "kind": "agent",
        "password_version": None,
        "session_id": None,
        "node_id": "node_1",
        "at": at(0),
    }


async def test_database_count(database: Database) -> None:
    assert await database.count("tenants") == 0
    for slug in ("acme", "globex", "initech"):
        await database.stores.tenants.insert(new_tenant(slug))

    assert await database.count("tenants") == 3
    assert await database.count("users") == 0


async def test_database_load_skips_stored_ids_and_counts_new_ones(database: Database) -> None:
    acme, globex = new_tenant("acme"), new_tenant("globex")
    await database.stores.tenants.insert(acme)
    stored = await database.documents("tenants")
    changed = {**stored[0], "name": "Changed On The Way"}
    globex_doc = tenant_doc(globex)  # the shape both adapters keep

    assert await database.load("tenants", [changed, globex_doc]) == 1
    assert await database.load("tenants", [changed, globex_doc]) == 0
    assert await database.load("tenants", []) == 0

    assert await database.count("tenants") == 2
    assert await database.stores.tenants.by_id(acme.id) == acme  # not overwritten
    assert await database.stores.tenants.by_id(globex.id) == globex


async def test_database_every_table_copies_through_documents_and_load(
    database: Database, empty_twin: Database
) -> None:
    world = await populate(database.stores)
    for table in TABLES:
        assert await database.count(table) > 0, f"the scenario left {table} empty"

    for table in TABLES:
        documents = await _all(database, table)
        assert await empty_twin.load(table, documents) == len(documents)
        assert await empty_twin.load(table, documents) == 0

    for table in TABLES:
        assert await _all(empty_twin, table) == await _all(database, table), table
        assert await empty_twin.count(table) == await database.count(table), table
    # What was copied reads the same through the stores.
    copied, original = empty_twin.stores, database.stores
    acme, chat = world.acme.id, world.chat.id
    assert await copied.tenants.all() == await original.tenants.all()
    assert await copied.users.all(acme) == await original.users.all(acme)
    assert await copied.conversations.get(acme, chat) == await original.conversations.get(acme, chat)
    assert await copied.conversations.history(acme, chat) == await original.conversations.history(acme, chat)
    assert await copied.messages.after(acme, chat, 0, 100, agents=True) == await original.messages.after(
        acme, chat, 0, 100, agents=True
    )
    assert await copied.calls.get(acme, world.call.id) == await original.calls.get(acme, world.call.id)
    assert await copied.video.get(acme) == await original.video.get(acme)
    assert await copied.photos.count(acme) == 1


async def test_database_drop_empties_every_table(database: Database) -> None:
    await populate(database.stores)

    await database.drop()

    assert {table: await database.count(table) for table in TABLES} == dict.fromkeys(TABLES, 0)
    assert await database.stores.tenants.any_exists() is False
