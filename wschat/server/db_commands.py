"""``wschat db copy`` and ``wschat db backup``: moving an installation between databases, and a consistent
copy of the SQLite file while the server runs.

Exit codes: 0 done; 1 the databases could not be used or the copy failed (the message says why, and what
to do); 2 a wrong argument (a malformed URL, a missing source, an existing backup file) — nothing was
opened or written then. Ctrl-C stops a copy with a note that running the same command again continues
it; ``wschat.server.cli`` turns the interruption into exit code 130.

URLs on the command line may hold credentials (``mongodb://user:password@…``): no message repeats them,
only :meth:`DatabaseUrl.describe`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from wschat.config import Settings
from wschat.database_url import DatabaseUrl
from wschat.storage import Database, StorageError, open_database
from wschat.storage.copy import CopyReport, copy_installation
from wschat.storage.legacy import ferretdb_files
from wschat.storage.mongo.ferretdb import EmbeddedDatabase, EmbeddedDatabaseError, find_binary
from wschat.storage.sqlite.database import SqliteDatabase

#: Scheme of an old installation's embedded FerretDB directory, a copy's source only.
FERRETDB_SCHEME = "ferretdb:"
#: Seconds between two progress lines of one table.
PROGRESS_EVERY = 2.0


class UsageError(Exception):
    """A wrong argument: one line for the operator, exit code 2."""


@dataclass(frozen=True)
class FerretDir:
    """``ferretdb:///<dir>``: the data directory of an old installation's embedded FerretDB."""

    path: Path

    def describe(self) -> str:
        return f"the old embedded database in {self.path}"


Endpoint = DatabaseUrl | FerretDir


def add_parser(commands: Any) -> None:
    db = commands.add_parser("db", help="copy the database to another, back up the SQLite file")
    actions = db.add_subparsers(dest="action", required=True)
    copy = actions.add_parser(
        "copy",
        help="copy every table of one database into another (resumable)",
        description="Copy an installation from one database to another, e.g. from the SQLite file to a "
        "MongoDB replica set. Stop the servers first. Interrupted, the same command continues where it "
        "stopped. The source is only read.",
    )
    copy.add_argument(
        "--from",
        dest="source",
        metavar="URL",
        help="sqlite:///<file>, mongodb://… or ferretdb:///<old data dir>/db "
        "(default: the configured database)",
    )
    copy.add_argument(
        "--to",
        dest="target",
        metavar="URL",
        help="sqlite:///<file> or mongodb://… (default: the configured database)",
    )
    copy.add_argument(
        "--merge",
        action="store_true",
        help="copy into a database that holds other records already (records with the same _id are kept)",
    )
    backup = actions.add_parser(
        "backup",
        help="write a consistent copy of the SQLite database to PATH, while the server runs",
    )
    backup.add_argument("path", type=Path, metavar="PATH", help="the new file (must not exist)")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Run ``wschat db <action>``; returns the exit code. Ctrl-C propagates (after a note)."""
    try:
        if args.action == "copy":
            await copy_command(settings, args.source, args.target, merge=args.merge)
        else:
            await backup_command(settings, args.path)
    except UsageError as e:
        print(f"wschat db {args.action}: {e}", file=sys.stderr)
        return 2
    except (StorageError, EmbeddedDatabaseError) as e:
        print(f"wschat db {args.action}: {e}", file=sys.stderr)
        return 1
    return 0


# -- copy ----------------------------------------------------------------------------------------------------


async def copy_command(
    settings: Settings, source: str | None, target: str | None, *, merge: bool
) -> CopyReport:
    """Copy ``source`` into ``target`` (either may be None: the configured database).

    Raises :class:`UsageError` for a wrong URL, :class:`StorageError` if a database cannot be used or the
    copy fails.
    """
    if source is None and target is None:
        raise UsageError("name --from URL or --to URL (or both); the other side is the configured database")
    configured = settings.database_url
    source_end = _endpoint(source, "--from") if source is not None else configured
    target_end = _endpoint(target, "--to") if target is not None else configured
    if isinstance(target_end, FerretDir):
        raise UsageError("a ferretdb:// URL names an old installation to copy from; it cannot be --to")
    named = "--from" if source is not None else "the configured database (the source)"
    await asyncio.to_thread(_check_endpoints, source_end, target_end, settings.database.mongo_database, named)
    meter = _Meter()
    started = time.monotonic()
    async with (
        _opened(source_end, settings, source=True) as source_db,
        _opened(target_end, settings, source=False) as target_db,
    ):
        print(f"copying {source_end.describe()} → {target_end.describe()}", flush=True)
        try:
            report = await copy_installation(source_db, target_db, merge=merge, progress=meter)
        except (asyncio.CancelledError, KeyboardInterrupt):
            print(
                f"\ninterrupted{meter.where}; nothing is lost. Run the same command again to continue: "
                "records copied already are skipped.",
                file=sys.stderr,
                flush=True,
            )
            raise
    _summary(report, time.monotonic() - started)
    return report


def _endpoint(value: str, option: str) -> Endpoint:
    if value.startswith(FERRETDB_SCHEME):
        return _ferret_dir(value, option)
    try:
        return DatabaseUrl.parse(value)
    except ValueError as e:
        known = value.startswith(("sqlite:", "mongodb:", "mongodb+srv:"))
        also = (
            ""
            if known or option != "--from"
            else ", or ferretdb:///<old data dir>/db for an old installation"
        )
        raise UsageError(f"{option}: {e}{also}") from None


def _ferret_dir(value: str, option: str) -> FerretDir:
    parts = urlsplit(value)
    path = unquote(parts.path)
    if parts.netloc or not path.startswith("/") or parts.query or parts.fragment:
        raise UsageError(
            f"{option}: a ferretdb URL names the old data directory's db folder by its absolute path: "
            "ferretdb:///var/lib/wschat/db"
        )
    return FerretDir(Path("/" + path.lstrip("/")))


def _check_endpoints(source: Endpoint, target: DatabaseUrl, mongo_database: str, named: str) -> None:
    """A source that is not there, or a target that is the source, is a wrong argument: refused before
    anything is opened (opening a SQLite URL creates the file)."""
    if _same(source, target):
        raise UsageError(f"--from and --to are the same database ({target.describe()})")
    if isinstance(source, FerretDir):
        wanted = f"{mongo_database}.sqlite"
        found = [path.name for path in ferretdb_files(source.path)]
        if wanted not in found:
            where = f"it holds {', '.join(found)}" if found else "it holds no FerretDB database"
            raise UsageError(
                f"--from: no {wanted} in {source.path} ({where}); name the old installation's db folder, "
                "and set WSCHAT_MONGODB_DB if it used another database name"
            )
    elif source.kind == "sqlite":
        assert source.path is not None
        if not source.path.is_file():
            raise UsageError(f"{named}: there is no database file {source.path}")


def _same(a: Endpoint, b: Endpoint) -> bool:
    if isinstance(a, FerretDir) or isinstance(b, FerretDir) or a.kind != b.kind:
        return False
    if a.kind == "sqlite":
        assert a.path is not None
        assert b.path is not None
        return a.path.resolve() == b.path.resolve()
    return a.uri == b.uri


@asynccontextmanager
async def _opened(end: Endpoint, settings: Settings, *, source: bool) -> AsyncIterator[Database]:
    async with AsyncExitStack() as stack:
        if isinstance(end, FerretDir):
            uri = await _start_ferretdb(end.path, settings, stack)
            url = DatabaseUrl("mongodb", uri=uri)
        else:
            url = end
        # server=False: a CLI command opens a SQLite file beside a running server (WAL allows it). A source
        # is only read: nothing is created, migrated or indexed there.
        db = await open_database(url, mongo_database=settings.database.mongo_database, source=source)
        stack.push_async_callback(db.close)
        yield db


async def _start_ferretdb(path: Path, settings: Settings, stack: AsyncExitStack) -> str:
    """Start the FerretDB binary on an old data directory for the copy; stopped when ``stack`` closes."""
    try:
        embedded = EmbeddedDatabase(find_binary(settings.ferretdb_bin), path)
        uri = await asyncio.to_thread(embedded.start)
    except EmbeddedDatabaseError as e:
        raise StorageError(f"cannot start FerretDB on {path}: {e}") from e
    stack.push_async_callback(asyncio.to_thread, embedded.stop)
    return uri


class _Meter:
    """Progress lines: one when a table is done, and one every few seconds while a large one is copied."""

    def __init__(self) -> None:
        self.table = ""
        self.finished = False
        self._shown = time.monotonic()

    @property
    def where(self) -> str:
        if not self.table:
            return " before any record was copied"
        return f" {'after' if self.finished else 'while'} copying {self.table}"

    def __call__(self, table: str, done: int, total: int) -> None:
        self.table, self.finished = table, done >= total
        now = time.monotonic()
        if done >= total or now - self._shown >= PROGRESS_EVERY:
            self._shown = now
            end = "" if done >= total else " …"
            print(f"  {table}: {done} of {total}{end}", flush=True)


def _summary(report: CopyReport, seconds: float) -> None:
    how = "resumed an earlier copy and finished it" if report.resumed else "copied"
    print(
        f"{how}: {report.added} records written in {seconds:.1f} s; the target holds {report.total}, every "
        "table's count checked",
        flush=True,
    )


# -- backup --------------------------------------------------------------------------------------------------


async def backup_command(settings: Settings, path: Path) -> Path:
    """Write a consistent copy of the configured SQLite database to ``path``, a new file readable by this
    user only. Raises :class:`UsageError` for an existing ``path`` or a MongoDB configuration."""
    url = settings.database_url
    if url.kind != "sqlite":
        raise UsageError(
            f"the configured database is {url.describe()}; wschat db backup copies a SQLite file. Back up "
            "MongoDB with its own tools (mongodump, or snapshots of a replica set member)"
        )
    assert url.path is not None
    if not await asyncio.to_thread(url.path.is_file):
        raise StorageError(f"there is no database at {url.path} to back up")
    target = await asyncio.to_thread(_new_file, path)
    try:
        db = await open_database(url)
        try:
            assert isinstance(db, SqliteDatabase)
            await db.backup(target)
        finally:
            await db.close()
    except BaseException as e:
        await asyncio.to_thread(target.unlink, missing_ok=True)
        if isinstance(e, Exception) and not isinstance(e, StorageError):
            raise StorageError(f"the backup to {target} failed ({e}); nothing was written") from e
        raise
    size = (await asyncio.to_thread(target.stat)).st_size
    print(f"backed up {url.describe()} to {target} ({size} bytes)", flush=True)
    return target


def _new_file(path: Path) -> Path:
    """Create ``path``, empty, exclusively and readable by this user only; its absolute form.

    Created before SQLite writes into it: two backups cannot share a file, and the copy (password hashes,
    visitors' data) is never readable by other users, not even briefly.
    """
    target = path.expanduser().absolute()
    if not target.parent.is_dir():
        raise UsageError(f"{target.parent} is not a directory")
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    except FileExistsError:
        raise UsageError(f"{target} exists already; name a new file") from None
    except OSError as e:
        raise StorageError(f"cannot create {target}: {e.strerror}") from e
    return target
