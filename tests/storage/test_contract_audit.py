"""Store contract: the audit log (``wschat/audit/store.py``) on both adapters: pages newest first by keyset,
each filter, tenant isolation, its own retention (the oldest first, in bounded batches, one tenant only),
its deletion with the tenant's data; and on SQLite, that the file itself refuses to change or delete an
entry any other way."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

import pytest

from tests.storage.builders import at, audit_entry
from tests.storage.conftest import TwoTenants
from wschat.audit.models import Action, Actor, ActorKind, Target, TargetKind
from wschat.audit.store import AuditFilter, AuditStore
from wschat.storage import Database, Stores

ANNA = Actor(ActorKind.ADMIN, "usr_00000000000000a1", "Anna")
BERT = Actor(ActorKind.AGENT, "usr_00000000000000b2", "Bert")
CHAT = Target(TargetKind.CONVERSATION, "cnv_00000000000000c3")
PERSON = Target(TargetKind.VISITOR, "vis_00000000000000d4")


def _ats(found: list[dict[str, Any]]) -> list[float]:
    return [(doc["at"] - at(0)).total_seconds() for doc in found]


async def test_audit_pages_newest_first_by_keyset_and_per_tenant(stores: Stores, two: TwoTenants) -> None:
    for n in range(5):
        await stores.audit.append(audit_entry(two.a, at_seconds=n))
    # Two entries of the same instant: the id orders them, and paging loses neither.
    await stores.audit.append(audit_entry(two.a, at_seconds=4))
    await stores.audit.append(audit_entry(two.b, at_seconds=9))

    seen: list[dict[str, Any]] = []
    query = AuditFilter()
    while page := await stores.audit.page(two.a.id, query, 2):
        seen += page
        query = AuditFilter(before=(page[-1]["at"], page[-1]["_id"]))

    assert _ats(seen) == [4, 4, 3, 2, 1, 0]
    assert len({doc["_id"] for doc in seen}) == 6
    assert [doc["tenant_id"] for doc in await stores.audit.page(two.b.id, AuditFilter(), 10)] == [two.b.id]


async def test_audit_entry_reads_back_as_it_was_written(stores: Stores, two: TwoTenants) -> None:
    details = {"format": "csv", "filter": {"q": "Lieferung", "from": "2026-01-01"}, "rows": 3}
    written = audit_entry(two.a, Action.ARCHIVE_EXPORTED, at_seconds=1, actor=ANNA, details=details)
    await stores.audit.append(written)

    [read] = await stores.audit.page(two.a.id, AuditFilter(), 10)

    assert read == written


async def test_audit_filters_by_action_family_actor_target_and_time(stores: Stores, two: TwoTenants) -> None:
    viewed = audit_entry(two.a, Action.ARCHIVE_VIEWED, at_seconds=1, actor=BERT, target=CHAT)
    await stores.audit.append(viewed)
    await stores.audit.append(audit_entry(two.a, Action.SUBJECT_EXPORTED, at_seconds=2, target=PERSON))
    await stores.audit.append(audit_entry(two.a, Action.SUBJECT_ERASED, at_seconds=3, target=PERSON))
    await stores.audit.append(audit_entry(two.a, Action.ARCHIVE_VIEWED, at_seconds=4, target=CHAT))
    await stores.audit.append(audit_entry(two.b, Action.SUBJECT_ERASED, at_seconds=5, target=PERSON))

    async def ats(**query: Any) -> list[float]:
        return _ats(await stores.audit.page(two.a.id, AuditFilter(**query), 10))

    assert await ats(action="archive.viewed") == [4, 1]
    assert await ats(family="subject") == [3, 2]
    assert await ats(actor_id=BERT.id) == [1]
    assert await ats(target_id=PERSON.id) == [3, 2]
    assert await ats(since=at(2), until=at(4)) == [3, 2]
    assert await ats(family="subject", before=(at(3), "aud_z")) == [3, 2]
    assert await ats(family="subject", before=(at(3), "aud_0")) == [2]
    assert await ats(action="archive.exported") == []


async def test_audit_delete_before_takes_the_oldest_in_bounded_batches_of_one_tenant(
    stores: Stores, two: TwoTenants
) -> None:
    for n in range(10):
        await stores.audit.append(audit_entry(two.a, at_seconds=n))
        await stores.audit.append(audit_entry(two.b, at_seconds=n))

    batches = [await stores.audit.delete_before(two.a.id, at(5), 3) for _ in range(3)]

    assert batches == [3, 2, 0]
    assert _ats(await stores.audit.page(two.a.id, AuditFilter(), 20)) == [9, 8, 7, 6, 5]
    assert len(await stores.audit.page(two.b.id, AuditFilter(), 20)) == 10, "the other tenant keeps all"


async def test_audit_goes_with_the_tenants_data_and_with_nothing_else(
    stores: Stores, two: TwoTenants
) -> None:
    for n in range(5):
        await stores.audit.append(audit_entry(two.a, at_seconds=n))
    await stores.audit.append(audit_entry(two.b, at_seconds=1))

    deleted: dict[str, int] = {}
    while batch := await stores.tenant_data.delete_batch(two.a.id, 2):
        for table, count in batch.items():
            deleted[table] = deleted.get(table, 0) + count

    assert deleted == {"audit_log": 5}
    assert await stores.audit.page(two.a.id, AuditFilter(), 10) == []
    assert len(await stores.audit.page(two.b.id, AuditFilter(), 10)) == 1


def test_audit_store_has_no_way_to_change_an_entry() -> None:
    """Append-only by its interface: a method that changes or deletes entries otherwise has to be added
    here, on purpose."""
    methods = {name for name in vars(AuditStore) if not name.startswith("_")}
    assert methods == {"append", "page", "delete_before"}


# The triggers are the SQLite file's; the MongoDB adapter has no path that changes an entry (the test above).
@pytest.mark.parametrize("adapter", ["sqlite"], indirect=True)
async def test_audit_sqlite_file_refuses_to_change_or_delete_an_entry(
    database: Database, stores: Stores, two: TwoTenants
) -> None:
    await stores.audit.append(audit_entry(two.a, at_seconds=1))
    await stores.audit.append(audit_entry(two.b, at_seconds=1))
    path = database.path  # type: ignore[attr-defined]  # the SQLite adapter's file
    before = await stores.audit.page(two.a.id, AuditFilter(), 10)

    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        for statement in (
            "UPDATE audit_log SET action = 'archive.forged'",
            "UPDATE audit_log SET details = '{}' WHERE tenant_id = ?",
            # Only a deleted agent's name may be emptied (wschat/agent_data), with nothing else changed.
            "UPDATE audit_log SET actor_name = '', action = 'archive.forged' WHERE tenant_id = ?",
            "UPDATE audit_log SET actor_name = 'Someone else' WHERE tenant_id = ?",
            "DELETE FROM audit_log WHERE tenant_id = ?",
            "DELETE FROM audit_log",
        ):
            params = (two.a.id,) if "?" in statement else ()
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(statement, params)
        # A permit the file did not write itself is no way round: it has to name the tenant and the age.
        conn.execute("INSERT INTO audit_purges (tenant_id, before) VALUES (?, ?)", (two.b.id, 2**62))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM audit_log WHERE tenant_id = ?", (two.a.id,))
        conn.execute("DELETE FROM audit_purges")

    assert await stores.audit.page(two.a.id, AuditFilter(), 10) == before

    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM tenants WHERE id = ?", (two.a.id,))  # the cascade of a tenant's deletion
    assert await stores.audit.page(two.a.id, AuditFilter(), 10) == []
    assert len(await stores.audit.page(two.b.id, AuditFilter(), 10)) == 1
