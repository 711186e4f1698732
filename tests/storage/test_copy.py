"""``copy_installation``: a populated SQLite installation to the MongoDB adapter and back, refusals,
``merge``, and interrupted copies that continue when run again; the source is never modified."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from tests.storage.builders import new_tenant
from tests.storage.installation import Dump, dump, populate, same_records, sqlite_content_hash
from wschat.database_url import DatabaseUrl
from wschat.storage import TABLES, Database, StorageError, open_database
from wschat.storage.copy import CopyReport, copy_installation

Opener = Callable[..., Awaitable[Database]]


class Interrupted(Exception):
    """Stands for Ctrl-C arriving between two batches."""


@pytest.fixture
async def open_db(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Opener]:
    """Opens databases for one test: ``await open_db("sqlite", "a")`` is ``<tmp>/a/wschat.db``,
    ``await open_db("mongodb", "a")`` a fresh database on the session's FerretDB; all closed (and the
    MongoDB ones dropped) at the end. Opening the same name again gives the same data."""
    suffix = secrets.token_hex(4)
    async with AsyncExitStack() as stack:

        async def opener(kind: str, name: str) -> Database:
            if kind == "sqlite":
                (tmp_path / name).mkdir(exist_ok=True)
                db = await open_database(DatabaseUrl.parse(f"sqlite://{tmp_path}/{name}/wschat.db"))
            else:
                uri: str = request.getfixturevalue("mongodb_uri")
                db = await open_database(DatabaseUrl.parse(uri), mongo_database=f"copy_{name}_{suffix}")
            stack.push_async_callback(db.close)
            if kind == "mongodb":
                stack.push_async_callback(db.drop)  # runs before the close: the stack unwinds in reverse
            return db

        yield opener


async def counts(db: Database) -> dict[str, int]:
    return {table: await db.count(table) for table in TABLES}


def nonempty(tables: Dump) -> None:
    empty = [table for table, records in tables.items() if not records]
    assert not empty, f"the test installation should fill every table; empty: {empty}"


async def test_copy_sqlite_to_mongodb_and_back_keeps_every_record(open_db: Opener, tmp_path: Path) -> None:
    source = await open_db("sqlite", "source")
    await populate(source)
    original = await dump(source)
    nonempty(original)
    source_hash = sqlite_content_hash(tmp_path / "source" / "wschat.db")
    mongo = await open_db("mongodb", "middle")
    back = await open_db("sqlite", "back")

    there = await copy_installation(source, mongo, merge=False, batch=3)
    again = await copy_installation(mongo, back, merge=False, batch=4)

    assert await dump(mongo) == original
    assert await dump(back) == original
    expected = {table: len(records) for table, records in original.items()}
    for report in (there, again):
        assert {table: t.target for table, t in report.tables.items()} == expected
        assert {table: t.added for table, t in report.tables.items()} == expected
        assert not report.resumed
    # The sources were only read: SQLite's content (WAL included) and MongoDB's records are as before.
    assert sqlite_content_hash(tmp_path / "source" / "wschat.db") == source_hash
    assert await dump(source) == original
    assert await dump(mongo) == original


async def test_copy_of_a_complete_copy_again_adds_nothing(open_db: Opener) -> None:
    source = await open_db("sqlite", "source")
    await populate(source)
    target = await open_db("mongodb", "target")
    await copy_installation(source, target, merge=False)

    report = await copy_installation(source, target, merge=False)

    assert report.added == 0
    assert report.resumed
    assert await dump(target) == await dump(source)


@pytest.mark.parametrize("kind", ["sqlite", "mongodb"])
async def test_copy_refuses_a_non_empty_target_and_writes_nothing(open_db: Opener, kind: str) -> None:
    source = await open_db("sqlite", "source")
    await populate(source, ("acme",))
    target = await open_db(kind, "target")
    await populate(target, ("initech",))
    before = await dump(target)

    with pytest.raises(StorageError) as refused:
        await copy_installation(source, target, merge=False)

    message = str(refused.value)
    assert "--merge" in message
    assert "not empty" in message
    assert "tenants (1)" in message
    assert "messages (" in message
    assert await dump(target) == before


@pytest.mark.parametrize("kind", ["sqlite", "mongodb"])
async def test_copy_with_merge_adds_the_source_beside_the_target_records(open_db: Opener, kind: str) -> None:
    source = await open_db("sqlite", "source")
    await populate(source, ("acme",))
    target = await open_db(kind, "target")
    await populate(target, ("initech",))
    theirs, ours = await dump(source), await dump(target)

    report = await copy_installation(source, target, merge=True)

    merged = await dump(target)
    for table in TABLES:
        # Both populations share a few fixed ids (the node's heartbeat, the lease, socket ids): the target
        # keeps its own record for those.
        expected = {doc["_id"]: doc for doc in theirs[table]} | {doc["_id"]: doc for doc in ours[table]}
        assert merged[table] == [expected[key] for key in sorted(expected)], table
        shared = len(theirs[table]) + len(ours[table]) - len(expected)
        assert report.tables[table].added == len(theirs[table]) - shared, table
    assert not report.resumed


async def test_copy_refuses_a_target_that_is_a_partial_copy_plus_a_foreign_record(open_db: Opener) -> None:
    source = await open_db("sqlite", "source")
    await populate(source)
    target = await open_db("sqlite", "target")
    with pytest.raises(Interrupted):
        await copy_installation(source, target, merge=False, progress=_stop_at("visitors"))
    stranger = new_tenant("stranger")
    await target.stores.tenants.insert(stranger)
    before = await dump(target)

    with pytest.raises(StorageError, match="--merge") as refused:
        await copy_installation(source, target, merge=False)

    assert "the tenants records are not all from this source" in str(refused.value)
    assert await dump(target) == before


@pytest.mark.parametrize(("source_kind", "target_kind"), [("sqlite", "mongodb"), ("mongodb", "sqlite")])
async def test_copy_interrupted_after_a_table_continues_when_run_again(
    open_db: Opener, source_kind: str, target_kind: str
) -> None:
    source = await open_db(source_kind, "source")
    await populate(source)
    original = await dump(source)
    target = await open_db(target_kind, "target")

    with pytest.raises(Interrupted):
        await copy_installation(source, target, merge=False, progress=_stop_at("users"))
    partial = await counts(target)
    assert partial["tenants"] == len(original["tenants"])
    assert sum(partial.values()) == partial["tenants"]

    report = await copy_installation(source, target, merge=False)

    assert report.resumed
    assert report.tables["tenants"].added == 0
    assert report.tables["messages"].added == len(original["messages"])
    assert same_records(await dump(target)) == same_records(original)
    assert await dump(source) == original


@pytest.mark.parametrize(("source_kind", "target_kind"), [("sqlite", "mongodb"), ("mongodb", "sqlite")])
async def test_copy_cancelled_inside_a_table_continues_when_run_again(
    open_db: Opener, source_kind: str, target_kind: str
) -> None:
    source = await open_db(source_kind, "source")
    await populate(source)
    original = await dump(source)
    target = await open_db(target_kind, "target")
    running: list[asyncio.Task[CopyReport]] = []

    def progress(table: str, done: int, total: int) -> None:
        if table == "messages" and 0 < done < total:
            running[0].cancel()  # as Ctrl-C does: the task is cancelled at its next await

    running.append(
        asyncio.create_task(copy_installation(source, target, merge=False, batch=2, progress=progress))
    )
    with pytest.raises(asyncio.CancelledError):
        await running[0]
    copied = await counts(target)
    assert 0 < copied["messages"] < len(original["messages"])
    assert copied["page_views"] == 0

    report = await copy_installation(source, target, merge=False, batch=2)

    assert report.resumed
    assert 0 < report.tables["messages"].added < len(original["messages"])
    assert same_records(await dump(target)) == same_records(original)
    assert await dump(source) == original


@pytest.mark.parametrize("kind", ["sqlite", "mongodb"])
async def test_copy_with_merge_reports_a_record_the_target_refuses_for_a_clashing_key(
    open_db: Opener, kind: str
) -> None:
    source = await open_db("sqlite", "source")
    ours = new_tenant("acme")
    await source.stores.tenants.insert(ours)
    target = await open_db(kind, "target")
    theirs = new_tenant("acme")  # the same slug, another id
    await target.stores.tenants.insert(theirs)

    with pytest.raises(StorageError) as failed:
        await copy_installation(source, target, merge=True)

    # SQLite skips the clashing row quietly, and the final check finds it missing; MongoDB refuses it.
    assert "tenants" in str(failed.value)
    assert repr(ours.id) in str(failed.value)
    assert [doc["_id"] for doc in (await dump(target))["tenants"]] == [theirs.id]


async def test_copy_between_empty_databases_copies_nothing_and_succeeds(open_db: Opener) -> None:
    source = await open_db("sqlite", "source")
    target = await open_db("mongodb", "target")

    report = await copy_installation(source, target, merge=False)

    assert report.total == 0
    assert set(report.tables) == set(TABLES)


def _stop_at(stop_table: str) -> Callable[[str, int, int], None]:
    def progress(table: str, done: int, total: int) -> None:
        if table == stop_table:
            raise Interrupted

    return progress
