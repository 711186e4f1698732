"""Copying an installation from one database to another (``wschat db copy``), resumably.

The copy reads the source through :meth:`Database.documents` and :meth:`Database.count` only, so the
source is never written, and writes the target through :meth:`Database.load`, which skips records whose
``_id`` is stored already: running it again after an interruption continues where it stopped, without
duplicates. Tables are copied in :data:`~wschat.storage.TABLES` order, parents before children.

Resuming needs no marker anywhere: a target whose every record has an ``_id`` that the source also has
(a subset by ``_id``, table by table) is what an interrupted copy of that source leaves behind, so it is
continued without ``--merge``. A target holding any other record is refused unless ``merge`` is given,
before anything is written. Tables whose ``_id`` sets are equal already are not read again.

Records are matched by ``_id`` only: a record that changed in the source after it was copied keeps its
copied version. Stop the servers that write to the source before copying (docs/operations.md).

Pattern: Synapse's ``synapse_port_db`` (SQLite → PostgreSQL, table by table, resumable).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass, field

from wschat.records import Document
from wschat.storage import TABLES, Database, StorageError

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""Called as ``progress(table, records copied so far, records in the source)``."""


@dataclass(frozen=True)
class TableCopy:
    """One table's outcome: records in the source, in the target afterwards, and how many were added."""

    source: int
    target: int
    added: int


@dataclass
class CopyReport:
    tables: dict[str, TableCopy] = field(default_factory=dict)
    #: The target held part of this source already (an interrupted copy) and was completed.
    resumed: bool = False

    @property
    def added(self) -> int:
        return sum(t.added for t in self.tables.values())

    @property
    def total(self) -> int:
        return sum(t.target for t in self.tables.values())


@dataclass(frozen=True)
class _State:
    """What the target holds before the copy, per table."""

    counts: dict[str, int]
    #: Tables whose records all have an ``_id`` the source has.
    subsets: frozenset[str]
    #: Tables whose ``_id`` set equals the source's: nothing to copy.
    complete: frozenset[str]

    @property
    def non_empty(self) -> list[str]:
        return [table for table in TABLES if self.counts[table]]


async def copy_installation(
    source: Database,
    target: Database,
    *,
    merge: bool,
    batch: int = 1000,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every table of ``source`` into ``target``; returns the counts per table.

    Raises :class:`StorageError`, having written nothing, if the target holds records that are not part
    of the source and ``merge`` is false; and, after copying, if a table's count in the target does not
    match the source's (equal, or at least as many when merging).
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    state = await _inspect(source, target, batch)
    foreign = [table for table in state.non_empty if table not in state.subsets]
    if foreign and not merge:
        raise StorageError(_refusal(target, state, foreign))
    report = CopyReport(resumed=bool(state.non_empty) and not foreign)
    if report.resumed:
        held = sum(state.counts.values())
        log.info("resuming an earlier copy into %s: %d records are there already", target.describe(), held)
    for table in TABLES:
        if table in state.complete:
            total = state.counts[table]
            report.tables[table] = TableCopy(total, total, 0)
            if progress is not None:
                progress(table, total, total)
            continue
        added = await _copy_table(source, target, table, batch, progress)
        report.tables[table] = TableCopy(await source.count(table), await target.count(table), added)
    await _verify(source, target, report, merge=merge, batch=batch)
    return report


async def _copy_table(
    source: Database, target: Database, table: str, batch: int, progress: Progress | None
) -> int:
    total = await source.count(table)
    done = added = 0
    if progress is not None:
        progress(table, 0, total)
    async with aclosing(_pages(source, table, batch)) as pages:
        async for page in pages:
            try:
                added += await target.load(table, page)
            except StorageError:
                raise
            except Exception as e:  # a driver's error: say where the copy stopped; running it again resumes
                raise StorageError(
                    f"cannot write {table} into {target.describe()} (the records from _id "
                    f"{page[0]['_id']!r} on): {_brief(e)}"
                ) from e
            done += len(page)
            if progress is not None:
                progress(table, done, max(total, done))
            _stop_if_cancelled()
    return added


def _brief(error: Exception) -> str:
    """A driver's error in one short line: some repeat the whole rejected batch (messages' text too)."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:200]}{' …' if len(text) > 200 else ''}"


def _stop_if_cancelled() -> None:
    """Raise the cancellation (Ctrl-C) that a driver call may have swallowed.

    Python 3.11's ``asyncio.wait_for`` returns the result of an operation that completes as the cancellation
    arrives, dropping the cancellation (CPython gh-86296, fixed in 3.12); PyMongo sends every message
    through it when ``socketTimeoutMS`` is set. The task still counts the request, so the copy checks it
    after each batch instead of copying on to the end.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def _pages(db: Database, table: str, batch: int) -> AsyncGenerator[list[Document], None]:
    """Every record of ``table`` in pages of ``batch``, by ``_id``."""
    after: str | None = None
    while page := await db.documents(table, after=after, limit=batch):
        yield page
        after = page[-1]["_id"]


async def _inspect(source: Database, target: Database, batch: int) -> _State:
    """Count the target's records and check, table by table, whether each is a subset of the source."""
    counts = {table: await target.count(table) for table in TABLES}
    subsets: set[str] = set()
    complete: set[str] = set()
    for table in TABLES:
        if counts[table] == 0:
            subsets.add(table)
            continue
        in_source = await source.count(table)
        if counts[table] <= in_source and await _first_missing(target, source, table, batch) is None:
            subsets.add(table)
            if counts[table] == in_source:
                complete.add(table)
    return _State(counts, frozenset(subsets), frozenset(complete))


async def _first_missing(part: Database, whole: Database, table: str, batch: int) -> str | None:
    """The first ``_id`` of ``part``'s table that ``whole``'s lacks (None: a subset), in one merge of both
    in ``_id`` order.

    Both adapters order string ids by code point (SQLite's BINARY collation of UTF-8, MongoDB's simple
    binary order), which is Python's ``str`` order; an order that is not ascending is reported, not guessed.
    """
    async with aclosing(_ids(part, table, batch)) as wanted, aclosing(_ids(whole, table, batch)) as offered:
        have: str | None = None
        async for doc_id in wanted:
            while have is None or have < doc_id:
                have = await anext(offered, None)
                if have is None:
                    return doc_id
            if have != doc_id:
                return doc_id
        return None


async def _ids(db: Database, table: str, batch: int) -> AsyncGenerator[str, None]:
    previous: str | None = None
    async with aclosing(_pages(db, table, batch)) as pages:
        async for page in pages:
            for doc in page:
                doc_id = doc["_id"]
                if not isinstance(doc_id, str) or (previous is not None and doc_id <= previous):
                    raise StorageError(
                        f"{db.describe()} returned {table} records out of _id order ({previous!r}, then "
                        f"{doc_id!r}); the copy cannot tell which records it holds already"
                    )
                previous = doc_id
                yield doc_id


def _refusal(target: Database, state: _State, foreign: list[str]) -> str:
    held = ", ".join(f"{table} ({state.counts[table]})" for table in state.non_empty)
    return (
        f"{target.describe()} is not empty: it holds {held}, and the {', '.join(foreign)} records are not "
        "all from this source. Copy into an empty database, or add --merge to add the source's records to "
        "these (records with an _id the target has already are left as they are)"
    )


async def _verify(source: Database, target: Database, report: CopyReport, *, merge: bool, batch: int) -> None:
    """Raises :class:`StorageError` if the target does not hold every record of the source now.

    Without ``merge`` the target held a subset of the source and received only source records, so equal
    counts mean equal sets of ``_id``. With ``merge`` each source ``_id`` is looked for: a record the
    target refused because another one has the same unique key (a tenant's slug) shows up here.
    """
    wrong = [
        f"{table}: source {t.source}, target {t.target}"
        for table, t in report.tables.items()
        if (t.target < t.source if merge else t.target != t.source)
    ]
    if wrong:
        want = "at least as many records as" if merge else "as many records as"
        raise StorageError(
            f"after the copy the target does not hold {want} the source: {'; '.join(wrong)}. "
            "Was a server writing to either database meanwhile? Stop it and run the copy again"
        )
    if not merge:
        return
    for table in TABLES:
        missing = await _first_missing(source, target, table, batch)
        if missing is not None:
            raise StorageError(
                f"after the copy {target.describe()} lacks {table} record {missing!r} of the source: the "
                "target holds another record with the same unique key (a tenant's slug, a user's login in "
                "its tenant). Resolve the clash in one of the databases, then run the copy again"
            )
