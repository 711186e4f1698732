"""The SQLite adapter's file: migrations from every earlier version, refusals that change nothing (a newer
schema, a damaged or foreign file, a directory it cannot write), the process lock, the connection
settings, and group commit that undoes only the job that failed."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.storage.builders import at, new_tenant
from wschat.database_url import DatabaseUrl
from wschat.storage import EPHEMERAL_TABLES, TABLES, StorageError, open_database
from wschat.storage.sqlite import connections, schema, tables
from wschat.storage.sqlite.database import SqliteDatabase, prepare


def _url(path: Path) -> DatabaseUrl:
    return DatabaseUrl.parse(f"sqlite://{path}")


def _pragma(path: Path, name: str) -> object:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def _schema(path: Path) -> set[tuple[str, str, str]]:
    """Every table, index and trigger with its SQL."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'")
        return {(kind, name, sql) for kind, name, sql in rows}


def _file_at_version(path: Path, version: int) -> None:
    """A file as wsChat ``version`` left it: the first ``version`` steps applied."""
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        for step in schema.MIGRATIONS[:version]:
            for statement in step:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")


def _bytes_of(path: Path) -> dict[str, bytes]:
    """The database file and anything beside it (a journal or WAL that must not appear either)."""
    return {p.name: p.read_bytes() for p in sorted(path.parent.iterdir())}


# -- schema and migrations -----------------------------------------------------------------------------------


def test_sqlite_tables_py_names_every_table_of_the_installation() -> None:
    assert tuple(table.name for table in tables.TABLES) == (*TABLES, *EPHEMERAL_TABLES)
    assert schema.LATEST == len(schema.MIGRATIONS) >= 1


@pytest.mark.parametrize("version", range(schema.LATEST))
def test_sqlite_migrates_every_earlier_version_to_the_latest(tmp_path: Path, version: int) -> None:
    old = tmp_path / "old.db"
    _file_at_version(old, version)

    prepare(old)

    assert _pragma(old, "user_version") == schema.LATEST
    assert _pragma(old, "journal_mode") == "wal"
    with closing(sqlite3.connect(old)) as conn:
        present = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        for table in tables.TABLES:
            assert table.name in present, f"{table.name} missing after migrating from {version}"
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")]
            assert sorted(columns) == sorted(table.column_names), table.name
    fresh = tmp_path / "fresh.db"
    prepare(fresh)
    assert _schema(old) == _schema(fresh), "a migrated file must have the schema of a new one"


def test_sqlite_every_table_has_exactly_the_columns_tables_py_declares(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    prepare(path)

    with closing(sqlite3.connect(path)) as conn:
        for table in tables.TABLES:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")]
            assert sorted(columns) == sorted(table.column_names), table.name


async def test_sqlite_prepare_of_a_current_file_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    db = await open_database(_url(path))
    acme = new_tenant("acme")
    await db.stores.tenants.insert(acme)
    await db.close()
    before = _schema(path)

    prepare(path)
    again = await open_database(_url(path))
    try:
        assert await again.stores.tenants.all() == [acme]
    finally:
        await again.close()
    assert _schema(path) == before
    assert _pragma(path, "user_version") == schema.LATEST


# -- refusals that change nothing ----------------------------------------------------------------------------


async def test_sqlite_file_of_a_newer_version_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    prepare(path)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    before = _bytes_of(path)

    with pytest.raises(StorageError, match="newer") as refused:
        await open_database(_url(path))

    assert str(path) in str(refused.value)
    assert _bytes_of(path) == before
    assert _pragma(path, "user_version") == schema.LATEST + 1


async def test_sqlite_corrupt_file_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    path.write_bytes(b"this is no database" + os.urandom(8192))
    before = _bytes_of(path)

    with pytest.raises(StorageError) as refused:
        await open_database(_url(path))

    assert str(path) in str(refused.value)
    assert "\n" not in str(refused.value)
    assert _bytes_of(path) == before


async def test_sqlite_foreign_file_with_tables_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (9.5)")
        conn.commit()
    before = _bytes_of(path)

    with pytest.raises(StorageError, match="not a wsChat database"):
        await open_database(_url(path))

    assert _bytes_of(path) == before


@pytest.fixture
def unwritable_dir(tmp_path: Path) -> Iterator[Path]:
    """A data directory this process cannot create files in.

    As root, permissions do not stop anyone (CI runs as root), so a directory below a regular file stands
    in for it: that fails for every user.
    """
    if os.geteuid() == 0:
        (tmp_path / "afile").write_text("not a directory")
        yield tmp_path / "afile" / "data"
        return
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)  # 0o500
    try:
        yield locked
    finally:
        locked.chmod(stat.S_IRWXU)


@pytest.mark.parametrize("server", [False, True], ids=["cli", "server"])
async def test_sqlite_data_dir_that_is_not_writable_is_refused(
    tmp_path: Path, unwritable_dir: Path, server: bool
) -> None:
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    with pytest.raises(StorageError) as refused:
        await open_database(_url(unwritable_dir / "wschat.db"), server=server)

    assert str(unwritable_dir) in str(refused.value)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


async def test_sqlite_parent_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a directory")

    with pytest.raises(StorageError):
        await open_database(_url(tmp_path / "afile" / "wschat.db"))

    assert (tmp_path / "afile").read_text() == "not a directory"


# -- the process lock ----------------------------------------------------------------------------------------


async def test_sqlite_second_server_on_the_same_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wschat.db"
    first = await open_database(_url(path), server=True)
    try:
        with pytest.raises(StorageError, match="another wsChat server") as refused:
            await open_database(_url(path), server=True)
        assert str(os.getpid()) in str(refused.value)

        # A CLI command opens the file beside the running server (WAL allows it).
        cli = await open_database(_url(path))
        await cli.close()
        assert await first.stores.leases.acquire("still", "usable", at(0), at(10))
    finally:
        await first.close()

    second = await open_database(_url(path), server=True)  # the lock went with the first server
    await second.close()


# -- connections ---------------------------------------------------------------------------------------------


async def test_sqlite_connections_use_wal_foreign_keys_and_full_sync(tmp_path: Path) -> None:
    db = await SqliteDatabase.open(tmp_path / "wschat.db")
    try:
        for run in (db.connections.read, db.connections.write):
            settings = await run(
                lambda c: tuple(
                    c.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
                )
            )
            assert settings[:3] == ("wal", 1, 2), run  # synchronous 2 is FULL
            assert settings[3] > 0, "a busy timeout, so that a CLI command beside the server waits"
        with pytest.raises(sqlite3.OperationalError):  # readers never write
            await db.connections.read(lambda c: c.execute("DELETE FROM leases"))
    finally:
        await db.close()


async def test_sqlite_synchronous_normal_when_asked(tmp_path: Path) -> None:
    db = await open_database(_url(tmp_path / "wschat.db"), synchronous="NORMAL")
    try:
        assert isinstance(db, SqliteDatabase)
        assert await db.connections.write(lambda c: c.execute("PRAGMA synchronous").fetchone()[0]) == 1
        assert await db.connections.read(lambda c: c.execute("PRAGMA synchronous").fetchone()[0]) == 1
    finally:
        await db.close()


async def test_sqlite_foreign_keys_are_enforced(tmp_path: Path) -> None:
    db = await SqliteDatabase.open(tmp_path / "wschat.db")
    try:
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            await db.connections.write(
                lambda c: c.execute(
                    "INSERT INTO call_transitions (id, tenant_id, call_id, at, state) "
                    "VALUES ('x', 't', 'no such call', 0, '{}')"
                )
            )
    finally:
        await db.close()


async def test_sqlite_a_failing_job_undoes_only_itself_in_its_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer_statements: list[str] = []
    original = connections.connect

    def traced(path: Path, **options: object) -> sqlite3.Connection:
        conn = original(path, **options)  # type: ignore[arg-type]
        if not options.get("read_only"):
            conn.set_trace_callback(writer_statements.append)
        return conn

    monkeypatch.setattr(connections, "connect", traced)
    db = await SqliteDatabase.open(tmp_path / "wschat.db")
    entered, gate = threading.Event(), threading.Event()

    def hold(conn: sqlite3.Connection) -> None:
        entered.set()
        gate.wait(10)

    def insert(name: str) -> connections.Job[None]:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO leases (id, holder, until) VALUES (?, 'h', 0)", (name,))

        return job

    def insert_then_fail(conn: sqlite3.Connection) -> None:
        insert("bad")(conn)
        raise ValueError("this job fails after writing")

    try:
        # Occupy the writer, so that the next jobs queue up and are committed together.
        holding = asyncio.ensure_future(db.connections.write(hold))
        assert await asyncio.to_thread(entered.wait, 10)
        jobs = [insert("ok_1"), insert_then_fail, insert("ok_2"), insert("ok_1"), insert("ok_3")]
        pending = [asyncio.ensure_future(db.connections.write(job)) for job in jobs]
        for _ in range(3):
            await asyncio.sleep(0)
        gate.set()
        await holding
        results = await asyncio.gather(*pending, return_exceptions=True)

        assert [results[n] for n in (0, 2, 4)] == [None, None, None], results
        assert isinstance(results[1], ValueError), results
        assert isinstance(results[3], sqlite3.IntegrityError), results  # ok_1 again: its own failure
        stored = await db.connections.read(
            lambda c: [r[0] for r in c.execute("SELECT id FROM leases ORDER BY id")]
        )
        assert stored == ["ok_1", "ok_2", "ok_3"]
    finally:
        gate.set()
        await db.close()

    # They were one transaction: no COMMIT between the first and the last job's statement.
    marks = [i for i, s in enumerate(writer_statements) if "INSERT INTO leases" in s]
    inside = writer_statements[marks[0] : marks[-1] + 1]
    assert len(marks) == 5, writer_statements
    assert not any(s.strip().upper().startswith(("COMMIT", "BEGIN")) for s in inside), inside
    assert sum(s.strip().upper().startswith("ROLLBACK TO") for s in inside) == 2, inside
