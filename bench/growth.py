"""Growth benchmark: does wsChat stay as fast with a million stored messages as with none?

1. Fills an installation through the store layer (not through the server: that would take hours) with
   ``--messages`` messages, 40 per chat, 1,250 chats per tenant (1,000,000 messages: 25,000 chats of 20
   tenants), each chat with its visitor, a few page views, the assignment and close transitions and their
   system messages, and a transfer in every tenth chat. Reports the fill rate and the database size per
   stored message.
2. Runs the real server (``create_app`` under uvicorn on a loopback port, in this process) on an EMPTY
   installation (one tenant with its agents) and on the FULL one at the same time, and drives both with real
   Socket.IO and HTTP clients, alternating blocks of samples between them so that the machine's drift
   cancels out. On each, one tenant's scene is made through the server: an agent online, a visitor whose
   chat has 40 messages, a second visitor who sends, and a few more visitors on the site. Reports p50/p99
   per operation and the full/empty ratio of the p50, start-up time, and ``open_database`` time.
3. Checks the targets of issue 11 (SQLite: every ratio <= 1.5, start-up < 2 s, messages.sync < 5 ms p50).

    make bench-growth                                       # SQLite, 1,000,000 messages
    .venv/bin/python bench/growth.py --messages 20000        # a quick run
    .venv/bin/python bench/growth.py --keep /tmp/growth-1m.db # fill once, reuse the file next time
    .venv/bin/python bench/growth.py --backend mongodb --messages 50000

The fill is in ``growth_fill.py``, the server and the timed operations in ``growth_server.py``; results
go to ``bench/results/growth-<backend>.json``. The MongoDB adapter runs against the embedded FerretDB
binary, which answers every query but an exact ``_id`` look-up by scanning the collection: its figures say
what FerretDB does, not what MongoDB would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import platform
import random
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import uvloop
from growth_fill import (
    AGENTS_PER_TENANT,
    MESSAGES_PER_CHAT,
    PASSWORD,
    BenchError,
    Filler,
    FillReport,
    Invent,
    Shape,
    fill,
)
from growth_server import OPERATIONS, SLUG, Row, Scene, a_filled_chat, measure, prepare, serve

from wschat.accounts import passwords
from wschat.clock import utc_now
from wschat.config import ChatSettings, DatabaseSettings, Secret, ServerSettings, Settings
from wschat.database_url import DatabaseUrl
from wschat.storage import Database, open_database
from wschat.storage.mongo.ferretdb import EmbeddedDatabase, find_binary

#: Limits the load would hit, raised for the benchmark (and printed): every simulated visitor comes from
#: 127.0.0.1, and the sending visitor sends faster than a person types.
RAISED_LIMITS = {
    "new_visitors_per_minute": 1_000_000,
    "visitor_message_burst": 1_000_000,
    "visitor_messages_per_minute": 1_000_000,
}
TARGET_RATIO = 1.5
TARGET_STARTUP = 2.0
TARGET_SYNC = 0.005
RESULTS = Path(__file__).resolve().parent / "results"


# -- the installations ---------------------------------------------------------------------------------------


@dataclass
class Installation:
    """One database (empty or full) and how a server is configured for it."""

    name: str
    url: DatabaseUrl
    settings: Settings
    mongo_database: str = "wschat"


def _settings(data_dir: Path, url: str, mongo_database: str) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        secret_key=Secret(secrets.token_urlsafe(48)),
        data_dir=data_dir,
        server=ServerSettings(host="127.0.0.1", port=0),
        database=DatabaseSettings(url=Secret(url), mongo_database=mongo_database),
        chat=ChatSettings(**RAISED_LIMITS),
        log_level="warning",
    )


def installation(
    name: str, work: Path, backend: str, mongo_uri: str | None, db_file: Path | None
) -> Installation:
    if backend == "sqlite":
        path = db_file or work / name / "wschat.db"
        url = f"sqlite://{path}"
        return Installation(name, DatabaseUrl.parse(url), _settings(work / name, url, "wschat"))
    assert mongo_uri is not None
    database = f"growth_{name}"
    settings = _settings(work / name, mongo_uri, database)
    return Installation(name, DatabaseUrl.parse(mongo_uri), settings, database)


async def open_for(inst: Installation, *, server: bool = False) -> Database:
    return await open_database(inst.url, mongo_database=inst.mongo_database, server=server)


def sqlite_messages(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])


def sqlite_schema(path: Path) -> list[tuple[str, str, str]]:
    """Every table's and index's definition: a kept file made by another schema would mislead."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return sorted(conn.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_schema"))


def sqlite_size(path: Path) -> int:
    """The file's size with the write-ahead log folded in (checkpointed and truncated first)."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def ferretdb_size(data_dir: Path, database: str) -> int | None:
    """FerretDB's SQLite backend keeps one SQLite file per database (checkpointed from here, as it runs)."""
    path = data_dir / f"{database}.sqlite"
    return sqlite_size(path) if path.exists() else None


async def measure_startup(empty: Installation, full: Installation, starts: int) -> tuple[Row, Row]:
    """Server start-up (create_app until serving) and open_database alone, alternately on both."""
    startup, opening = (
        Row("startup", "start-up (create_app → serving)"),
        Row("open_database", "open_database"),
    )
    pairs = [(empty, startup.empty, opening.empty), (full, startup.full, opening.full)]
    for r in range(starts):
        for inst, started, opened in pairs if r % 2 == 0 else pairs[::-1]:
            async with serve(inst.settings) as served:
                started.samples.append(served.started)
            began = time.perf_counter()
            db = await open_for(inst, server=True)
            opened.samples.append(time.perf_counter() - began)
            await db.close()
    return startup, opening


# -- the run -------------------------------------------------------------------------------------------------


@dataclass
class Results:
    backend: str
    shape: Shape
    fill: FillReport
    size_bytes: int | None
    rows: list[Row] = field(default_factory=list)

    @property
    def bytes_per_message(self) -> float | None:
        return self.size_bytes / self.fill.counts["messages"] if self.size_bytes else None


async def run(opts: argparse.Namespace) -> Results:
    shape = Shape(opts.messages)
    work = Path(tempfile.mkdtemp(prefix="wschat-growth-"))
    ferret: EmbeddedDatabase | None = None
    try:
        mongo_uri = None
        if opts.backend == "mongodb":
            ferret = EmbeddedDatabase(find_binary(), work / "ferretdb")
            mongo_uri = await asyncio.to_thread(ferret.start)
        kept = opts.keep.resolve() if opts.keep else None
        empty = installation("empty", work, opts.backend, mongo_uri, None)
        full = installation("full", work, opts.backend, mongo_uri, kept)
        await make_empty(empty)
        results = await fill_full(opts, shape, full, empty)
        if kept is not None:  # the kept file stays as filled: the server runs on a copy
            copy = work / "full" / "wschat.db"
            print(f"copying {kept} to {copy} …", flush=True)
            await asyncio.to_thread(shutil.copyfile, kept, copy)
            full = installation("full", work, opts.backend, mongo_uri, copy)
        if ferret is not None and ferret.data_dir is not None:
            results.size_bytes = ferretdb_size(ferret.data_dir, full.mongo_database)
        # The fill's (or the copy's) dirty pages are written back now, not during the measurements.
        await asyncio.to_thread(os.sync)
        results.rows = await drive(opts, empty, full)
        return results
    finally:
        if ferret is not None:
            await asyncio.to_thread(ferret.stop)
        shutil.rmtree(work, ignore_errors=True)


async def fill_full(
    opts: argparse.Namespace, shape: Shape, full: Installation, empty: Installation
) -> Results:
    """Fill the full installation, or (``--keep``) reuse a file an earlier run filled to the same size with
    the same schema (as the empty installation has it)."""
    path = full.url.path
    if path is not None and path.exists():
        assert empty.url.path is not None
        expected = await asyncio.to_thread(sqlite_schema, empty.url.path)
        if await asyncio.to_thread(sqlite_schema, path) != expected:
            raise BenchError(f"{path} was filled with another schema (an older wsChat): remove it")
        found = await asyncio.to_thread(sqlite_messages, path)
        if found != shape.stored_messages:
            raise BenchError(
                f"{path} holds {found:,} messages, not {shape.stored_messages:,}: remove it, "
                "or give --messages the size it was filled with"
            )
        print(f"reusing {path}: {found:,} messages", flush=True)
        report = FillReport(0.0, {"messages": found}, reused=True)
    else:
        print(
            f"filling {full.url.describe()} with {shape.stored_messages:,} messages in {shape.chats:,} chats "
            f"of {shape.tenants} tenant(s) through the store layer …",
            flush=True,
        )
        db = await open_for(full)
        try:
            bulk = opts.backend == "mongodb"
            report = await fill(db, shape, concurrency=opts.concurrency, bulk_messages=bulk)
        finally:
            await db.close()
    size = await asyncio.to_thread(sqlite_size, path) if path is not None else None
    return Results(opts.backend, shape, report, size)


async def make_empty(empty: Installation) -> None:
    """One tenant with its admin and agents, nothing else (its chat is made through the server)."""
    db = await open_for(empty)
    try:
        filler = Filler(db, random.Random(1), await passwords.hash_password(PASSWORD), bulk_messages=False)
        await filler.cast(0, utc_now() - timedelta(days=30))
    finally:
        await db.close()


async def drive(opts: argparse.Namespace, empty: Installation, full: Installation) -> list[Row]:
    db = await open_for(full)
    try:
        old_chat = await a_filled_chat(db, SLUG)
    finally:
        await db.close()
    print(
        "starting both servers; limits raised for the benchmark:",
        ", ".join(f"{k}={v}" for k, v in RAISED_LIMITS.items()),
        flush=True,
    )
    rows: list[Row] = []
    rng = random.Random(7)
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http,
        serve(empty.settings) as served_empty,
        serve(full.settings) as served_full,
    ):
        scenes = [
            Scene("empty", served_empty, http, Invent(rng)),
            Scene("full", served_full, http, Invent(rng)),
        ]
        try:
            await prepare(scenes[0], None)
            await prepare(scenes[1], old_chat)
            for op in OPERATIONS:
                samples = opts.samples if op.cheap else opts.start_samples
                print(f"  {op.label}: {samples} samples each …", flush=True)
                rows.append(await measure(op, scenes[0], scenes[1], samples, opts.rounds))
        finally:
            for scene in scenes:
                await scene.close()
    print(f"  start-up: {opts.starts} starts each …", flush=True)
    rows += await measure_startup(empty, full, opts.starts)
    return rows


# -- the report ----------------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def table(results: Results) -> str:
    lines = [
        "| operation | empty p50 | empty p99 | full p50 | full p99 | full/empty (p50) | samples each |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results.rows:
        lines.append(
            f"| {row.label} | {_ms(row.empty.p50)} | {_ms(row.empty.p99)} | {_ms(row.full.p50)} | "
            f"{_ms(row.full.p99)} | {row.ratio:.2f} | {len(row.full.samples)} |"
        )
    return "\n".join(lines)


def targets(results: Results) -> list[tuple[str, bool]]:
    """Issue 11's "Done when" (stated for SQLite)."""
    by_key = {row.key: row for row in results.rows}
    checks = [
        (f"{row.label}: full/empty p50 {row.ratio:.2f} <= {TARGET_RATIO}", row.ratio <= TARGET_RATIO)
        for row in results.rows
    ]
    startup = by_key["startup"].full.p50
    checks.append(
        (
            f"start-up with {results.fill.counts['messages']:,} messages: p50 {startup * 1e3:.0f} ms < "
            f"{TARGET_STARTUP:g} s",
            startup < TARGET_STARTUP,
        )
    )
    sync = by_key["messages.sync"].full.p50
    checks.append(
        (
            f"messages.sync of a 40-message chat (full): p50 {sync * 1e3:.2f} ms < {TARGET_SYNC * 1e3:g} ms",
            sync < TARGET_SYNC,
        )
    )
    return checks


def summary(results: Results) -> str:
    fill = results.fill
    counts = fill.counts
    out = [
        f"backend: {results.backend}"
        + (
            " (embedded FerretDB: a scan engine, not MongoDB; these figures are FerretDB's, not MongoDB's)"
            if results.backend == "mongodb"
            else ""
        )
    ]
    if fill.reused:
        out.append(f"fill: reused a filled file with {counts['messages']:,} messages")
    else:
        out.append(
            f"fill: {counts['messages']:,} messages, {counts['visitors']:,} visitors/chats, "
            f"{counts['page_views']:,} page views, {counts['transitions']:,} transitions "
            f"in {fill.seconds:.1f} s = {fill.rate:,.0f} messages/s"
            + (" (messages with Database.load, see Filler)" if results.backend == "mongodb" else "")
        )
    if (per := results.bytes_per_message) is not None and results.size_bytes is not None:
        out.append(
            f"database size: {results.size_bytes / 2**20:,.1f} MiB = {per:,.0f} bytes per stored message "
            "(all tables and indexes)"
        )
    return "\n".join(out)


def to_json(results: Results, checks: list[tuple[str, bool]]) -> dict[str, Any]:
    shape = results.shape
    return {
        "backend": results.backend,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
        },
        "shape": {
            "messages": results.fill.counts["messages"],
            "chats": shape.chats,
            "tenants": shape.tenants,
            "messages_per_chat": MESSAGES_PER_CHAT,
            "agents_per_tenant": AGENTS_PER_TENANT,
        },
        "fill": {
            "reused": results.fill.reused,
            "seconds": results.fill.seconds,
            "counts": results.fill.counts,
            "messages_per_second": None if results.fill.reused else results.fill.rate,
        },
        "size": {"bytes": results.size_bytes, "bytes_per_message": results.bytes_per_message},
        "raised_limits": RAISED_LIMITS,
        "operations": {row.key: row.to_json() for row in results.rows},
        "targets": [{"target": text, "pass": ok} for text, ok in checks],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "mongodb"), default="sqlite")
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages to fill (40 per chat)")
    parser.add_argument("--keep", type=Path, help="SQLite: fill this file once and reuse it on later runs")
    parser.add_argument("--samples", type=int, help="samples per operation (default 200; mongodb 20)")
    parser.add_argument("--start-samples", type=int, help="chat.start samples (default 60; mongodb 10)")
    parser.add_argument("--starts", type=int, default=15, help="server starts per installation")
    parser.add_argument("--rounds", type=int, default=8, help="alternating blocks per operation")
    parser.add_argument("--concurrency", type=int, help="chats filled at once (default 256; mongodb 8)")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target fails")
    opts = parser.parse_args()
    mongo = opts.backend == "mongodb"
    if opts.keep and mongo:
        parser.error("--keep is for the SQLite backend")
    opts.samples = opts.samples or (20 if mongo else 200)
    opts.start_samples = opts.start_samples or (10 if mongo else 60)
    opts.concurrency = opts.concurrency or (8 if mongo else 256)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    try:
        results = uvloop.run(run(opts))
    except BenchError as e:
        sys.exit(f"growth benchmark: {e}")
    checks = targets(results)
    print()
    print(summary(results))
    print(table(results))
    print("\ntargets (issue 11, stated for SQLite):")
    for text, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"growth-{opts.backend}.json"
    out.write_text(json.dumps(to_json(results, checks), indent=2) + "\n")
    print(f"\nwritten: {out}")
    if opts.check and not all(ok for _, ok in checks):
        sys.exit(1)


if __name__ == "__main__":
    main()
