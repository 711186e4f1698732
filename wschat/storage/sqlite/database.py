"""The SQLite adapter's database: opening (checks, migrations, the process lock), its stores, and the
table-level access ``wschat db copy`` and the checks use."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import sqlite3
from pathlib import Path
from typing import IO

from wschat.errors import Unavailable
from wschat.records import Document
from wschat.storage import EPHEMERAL_TABLES, TABLES, StorageError, Stores
from wschat.storage.sqlite import schema, search_index
from wschat.storage.sqlite.connections import Chore, Connections, connect
from wschat.storage.sqlite.tables import BY_NAME

log = logging.getLogger(__name__)


class SqliteDatabase:
    kind = "sqlite"

    def __init__(self, path: Path, connections: Connections, lock: IO[str] | None) -> None:
        from wschat.storage.sqlite.stores import build_stores

        self.path = path
        self.connections = connections
        self._lock = lock
        self.stores: Stores = build_stores(connections)

    @classmethod
    async def open(
        cls, path: Path, *, lock: bool = False, synchronous: str = "FULL", source: bool = False
    ) -> SqliteDatabase:
        """Open ``path`` (created if missing), migrated to the latest schema; see :func:`prepare`. A
        ``source`` is only checked (:func:`check_source`), never created or migrated."""
        held = await asyncio.to_thread(take_lock, path) if lock else None
        try:
            await asyncio.to_thread(check_source if source else prepare, path)
            chores = (Chore("full-text index", search_index.EVERY, search_index.catch_up),)
            return cls(path, Connections(path, synchronous=synchronous, chores=chores), held)
        except BaseException:
            if held is not None:
                held.close()
            raise

    def describe(self) -> str:
        return f"SQLite {self.path}"

    async def ping(self, within: float = 2.0) -> None:
        try:
            await asyncio.wait_for(self.connections.read(lambda c: c.execute("SELECT 1").fetchone()), within)
        except (TimeoutError, sqlite3.Error) as e:
            raise Unavailable("The database does not answer.") from e

    async def close(self) -> None:
        await self.connections.close()
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    async def drop(self) -> None:
        def delete_all(conn: sqlite3.Connection) -> None:
            for table in (*EPHEMERAL_TABLES, *reversed(TABLES)):
                # The audit log is append-only: its rows go with their tenants (the cascade).
                if table != "audit_log":
                    conn.execute(f"DELETE FROM {table}")

        await self.connections.write(delete_all)

    async def documents(self, table: str, *, after: str | None = None, limit: int = 1000) -> list[Document]:
        spec = BY_NAME[table]
        sql = f"{spec.select_sql()} WHERE id > ? ORDER BY id LIMIT ?"

        def read(conn: sqlite3.Connection) -> list[Document]:
            return [spec.decode(row) for row in conn.execute(sql, (after or "", limit))]

        return await self.connections.read(read)

    async def count(self, table: str) -> int:
        BY_NAME[table]
        row = await self.connections.read(lambda c: c.execute(f"SELECT count(*) FROM {table}").fetchone())
        return int(row[0])

    async def load(self, table: str, documents: list[Document]) -> int:
        spec = BY_NAME[table]
        sql = spec.insert_sql(skip_known_id=True)
        rows = [spec.encode(doc) for doc in documents]

        def insert(conn: sqlite3.Connection) -> int:
            # rowcount counts the rows this statement inserted, not the full-text index's rows its
            # triggers wrote (total_changes would)
            inserted = max(0, conn.executemany(sql, rows).rowcount)
            if table == "messages":  # a copy is searched at once, not a chunk at a time
                search_index.catch_up_all(conn)
            return inserted

        return await self.connections.write(insert)

    async def backup(self, target: Path) -> None:
        """A consistent copy of the whole database while it is in use (SQLite's online backup API)."""

        def run() -> None:
            source = connect(self.path, read_only=True)
            try:
                dest = sqlite3.connect(target)
                try:
                    source.backup(dest)
                finally:
                    dest.close()
            finally:
                source.close()

        await asyncio.to_thread(run)


# -- opening -------------------------------------------------------------------------------------------------


def take_lock(path: Path) -> IO[str]:
    """The process lock of one database file: ``<file>.lock``, held while the server runs."""
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the server's lifetime
    except OSError as e:
        raise StorageError(f"cannot use {path.parent}: {e.strerror}; make it writable for this user") from e
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        handle.close()
        raise StorageError(
            f"another wsChat server (pid {holder}) is using {path}; stop it first, or give this one its own "
            "WSCHAT_DATA_DIR"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def prepare(path: Path) -> None:
    """Check the file and bring its schema up to date; raises :class:`StorageError`, changing nothing, if
    the file is not a wsChat database, is damaged, or was written by a newer version."""
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(f"cannot read and write {path}; give this user access to it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise StorageError(
            f"cannot create {path.parent}: {e.strerror}; create it or choose another place"
        ) from e
    if not path.parent.is_dir() or not os.access(path.parent, os.W_OK | os.X_OK):
        raise StorageError(
            f"cannot use {path.parent}: it is missing or not writable; create it or make it writable for "
            "this user (SQLite keeps its write-ahead log beside the database file)"
        )
    try:
        conn = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error as e:
        raise StorageError(f"cannot open {path}: {e}") from e
    try:
        version = _version(conn, path)
        if version > schema.LATEST:
            raise StorageError(
                f"{path} was written by a newer wsChat (schema {version}; this version knows up to "
                f"{schema.LATEST}); run that version, or restore a backup made before the upgrade"
            )
        conn.execute("PRAGMA journal_mode = WAL")
        for step in range(version, schema.LATEST):
            _migrate(conn, step)
            log.info("database %s: schema %d → %d", path, step, step + 1)
    finally:
        conn.close()


def check_source(path: Path) -> None:
    """A database to copy from: it must exist and be at this version's schema; nothing is written."""
    if not path.is_file():
        raise StorageError(f"there is no database file {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise StorageError(f"cannot open {path}: {e}") from e
    try:
        version = _version(conn, path)
    finally:
        conn.close()
    if version != schema.LATEST:
        raise StorageError(
            f"{path} has schema {version}, this version reads {schema.LATEST}; run the wsChat version that "
            "matches it (or start this one on it once, which migrates it) before copying from it"
        )


def _version(conn: sqlite3.Connection, path: Path) -> int:
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
    except sqlite3.DatabaseError as e:
        raise StorageError(
            f"{path} is not a SQLite database or is damaged ({e}); restore it from a backup, or move it away "
            "to start empty"
        ) from e
    if version == 0 and tables:
        raise StorageError(
            f"{path} holds tables but is not a wsChat database; point WSCHAT_DATABASE_URL elsewhere"
        )
    return version


def _migrate(conn: sqlite3.Connection, step: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in schema.MIGRATIONS[step]:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {step + 1}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
