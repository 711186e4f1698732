"""SQLite connections for an asyncio server: one writer thread with group commit, reader threads.

SQLite lets one transaction write at a time (WAL lets readers run beside it), so every write goes through
one connection on one thread, fed by a queue. The writer takes whatever has queued up, runs each job in
a savepoint of one transaction and commits once; each caller's future resolves after that commit (group
commit), and each waiting event loop is woken once per commit. While writes keep coming, a job waits up
to ``COMMIT_WINDOW`` for others to join its commit. A job that raises rolls back only its own savepoint.
Between commits the writer does its chores (:class:`Chore`: work that is cheaper in batches, such as
the full-text index), each in a transaction of its own. Reads run on a few reader connections in threads
(``sqlite3`` releases the GIL while a statement runs), each in its own transaction, so a read sees one
consistent snapshot. Nothing blocking runs on the event loop.

Pattern: Home Assistant's recorder (one writer thread, a queue, batched commits), Synapse's
``runInteraction`` (a function run in a transaction on a thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Job = Callable[[sqlite3.Connection], T]

#: Most jobs committed in one transaction.
MAX_BATCH = 512
#: Under load, how long the writer lets a job wait for others to share its commit, seconds. Each commit costs
#: the same whatever it holds (the fsync, the pages written, the threads woken): at 1,500 messages a second
#: waiting 3 ms cut the server's CPU per message by a fifth (docs/benchmarks.md). Only while writes come from
#: several callers at once (the last commit carried more than one job): one request's writes one after the
#: other, or a single chat's message, are committed at once.
COMMIT_WINDOW = 0.003
#: How long a statement waits for a lock another connection holds (a CLI command, a backup), ms.
BUSY_TIMEOUT_MS = 10_000
READERS = 4


@dataclass
class Chore:
    """Work the writer thread does on its own after a commit, at most every ``every`` seconds, in a
    transaction of its own: ``job`` returns True when it left work undone (then it runs again after the
    next commit). A chore that fails is logged and tried again ``every`` seconds later."""

    name: str
    every: float
    job: Callable[[sqlite3.Connection], bool]
    due_at: float = 0.0


@dataclass
class _Pending:
    job: Job[Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    #: When it was queued (``time.monotonic()``).
    queued_at: float


def connect(path: Path, *, synchronous: str = "FULL", read_only: bool = False) -> sqlite3.Connection:
    """One connection with the settings every connection needs (WAL is set by the migrations' opener)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, cached_statements=256)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    # Deleted rows are overwritten with zeros in the file, not only unlinked: erased personal data cannot be
    # read back from free pages (docs/privacy.md). Costs a write only where a page is freed.
    conn.execute("PRAGMA secure_delete = ON")
    if read_only:
        conn.execute("PRAGMA query_only = ON")
    return conn


class Connections:
    """The writer thread and the reader pool over one database file; :meth:`close` stops both."""

    def __init__(
        self,
        path: Path,
        *,
        synchronous: str = "FULL",
        readers: int = READERS,
        chores: tuple[Chore, ...] = (),
    ) -> None:
        self.path = path
        self._chores = chores
        self._synchronous = synchronous
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write_loop, name="wschat-sqlite-writer", daemon=True)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="wschat-sqlite-reader")
        self._closed = False
        self._writer.start()

    async def write(self, job: Job[T]) -> T:
        """Run ``job(connection)`` inside the writer's transaction; returns once that is committed."""
        if self._closed:
            raise sqlite3.ProgrammingError("the database is closed")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Pending(job, future, loop, time.monotonic()))
        return await future

    async def read(self, job: Job[T]) -> T:
        """Run ``job(connection)`` in a read transaction on a reader thread."""
        if self._closed:
            raise sqlite3.ProgrammingError("the database is closed")
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._read, job)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._queue.put(None)
        await asyncio.to_thread(self._writer.join)
        await asyncio.to_thread(self._pool.shutdown, wait=True)
        with self._readers_lock:
            for conn in self._readers:
                conn.close()
            self._readers.clear()

    # -- threads -------------------------------------------------------------------------------------------

    def _read(self, job: Job[T]) -> T:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, synchronous=self._synchronous, read_only=True)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        conn.execute("BEGIN")
        try:
            return job(conn)
        finally:
            conn.execute("COMMIT")

    def _write_loop(self) -> None:
        conn = connect(self.path, synchronous=self._synchronous)
        shared = False  # the last commit carried more than one job
        try:
            while True:
                first = self._queue.get()
                if first is None:
                    return
                if shared and (wait := first.queued_at + COMMIT_WINDOW - time.monotonic()) > 0:
                    time.sleep(wait)  # writers come together: give this job's commit company
                batch = [first]
                stop = False
                while len(batch) < MAX_BATCH:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stop = True
                        break
                    batch.append(more)
                self._commit(conn, batch)
                shared = len(batch) > 1
                self._do_chores(conn)
                if stop:
                    return
        finally:
            conn.close()

    def _commit(self, conn: sqlite3.Connection, batch: list[_Pending]) -> None:
        outcomes: list[tuple[_Pending, Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for pending in batch:
                if pending.future.cancelled():
                    continue
                conn.execute("SAVEPOINT job")
                try:
                    result = pending.job(conn)
                except Exception as e:  # the job's own failure: undo it alone
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((pending, None, e))
                else:
                    conn.execute("RELEASE job")
                    outcomes.append((pending, result, None))
            conn.execute("COMMIT")
        except sqlite3.Error as e:  # the transaction itself failed (disk full, I/O error): nothing is stored
            log.error("a database write failed: %s", e)
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            outcomes = [(pending, None, e) for pending in batch]
        # One wake-up of each waiting event loop per commit, not one per job.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, BaseException | None]]]
        by_loop = {}
        for pending, result, error in outcomes:
            by_loop.setdefault(pending.loop, []).append((pending.future, result, error))
        for loop, settled in by_loop.items():
            # RuntimeError: the caller's loop has closed, nobody waits for these answers.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle_all, settled)

    def _do_chores(self, conn: sqlite3.Connection) -> None:
        now = time.monotonic()
        for chore in self._chores:
            if now < chore.due_at:
                continue
            try:
                conn.execute("BEGIN IMMEDIATE")
                more = chore.job(conn)
                conn.execute("COMMIT")
            except sqlite3.Error as e:
                log.error("the database's %s failed: %s", chore.name, e)
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                more = False
            chore.due_at = now if more else now + chore.every


def _settle_all(settled: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in settled:
        if future.done():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)
