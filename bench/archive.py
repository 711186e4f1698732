"""Archive benchmark: full-text search and export with a million stored messages (SQLite, the default).

Fills an installation with ``growth_fill`` (the growth benchmark's shape: 40 messages per chat, 1,250
chats per tenant, made-up but realistic text), or reuses one (``--keep FILE``), then, in a fresh process so
that its peak memory is the measurement's own:

1. search: p50/p99 of one archive page (25 chats, newest first, with snippets) of the first tenant, for a
   common word, two words, a rarer word (a customer's name), a word and an agent filter, and no words;
2. export: every tenant's archive as JSONL and as CSV, streamed to /dev/null (all 1,000,000 messages):
   throughput, and the process's peak RSS before and after (``ru_maxrss``) and Python's own peak
   (``tracemalloc``).

    .venv/bin/python bench/archive.py --messages 1000000 --keep /tmp/archive-1m.db
    .venv/bin/python bench/archive.py --messages 100000             # a quicker run
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from growth_fill import Shape, fill

from wschat.accounts.models import Tenant
from wschat.archive.export import ArchiveExport, ExportFormat, ExportQuery
from wschat.archive.service import ArchiveService
from wschat.archive.store import ArchiveFilter
from wschat.audit.models import OPERATOR
from wschat.audit.service import AuditService
from wschat.clock import utc_now
from wschat.cursors import Cursors
from wschat.database_url import DatabaseUrl
from wschat.storage import Database, open_database

RUNS = 40


def _messages(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])


async def _open(path: Path) -> Database:
    return await open_database(DatabaseUrl.parse(f"sqlite://{path}"), synchronous="NORMAL")


async def do_fill(path: Path, messages: int) -> dict[str, float]:
    db = await _open(path)
    try:
        began = time.perf_counter()
        await fill(db, Shape(messages), concurrency=256, bulk_messages=False)
        seconds = time.perf_counter() - began
    finally:
        await db.close()
    return {"fill_seconds": seconds, "messages": _messages(path)}


def _service(db: Database) -> ArchiveService:
    s = db.stores
    cursors = Cursors(b"bench")
    audit = AuditService(s.audit, utc_now, cursors)
    return ArchiveService(
        s.archive,
        s.conversations,
        s.messages,
        s.visitors,
        s.pages,
        s.calls,
        s.users,
        cursors,
        audit,
        s.transcripts,
    )


async def _timed(db: Database, tenant: Tenant, query: ArchiveFilter) -> dict[str, float]:
    times = []
    found = 0
    for _ in range(RUNS):
        began = time.perf_counter()
        found = len(await db.stores.archive.page(tenant.id, query, 25))
        times.append(time.perf_counter() - began)
    times.sort()
    return {
        "p50_ms": statistics.median(times) * 1e3,
        "p99_ms": times[int(len(times) * 0.99) - 1] * 1e3,
        "rows": found,
    }


async def measure(path: Path) -> dict[str, object]:
    tracemalloc.start()
    db = await _open(path)
    try:
        tenants = sorted(await db.stores.tenants.all(), key=lambda t: t.slug)
        first = tenants[0]
        agent = (await db.stores.users.all(first.id))[-1]
        with contextlib.closing(sqlite3.connect(path)) as conn:
            name = conn.execute(
                "SELECT name FROM visitors WHERE tenant_id = ? AND name IS NOT NULL LIMIT 1", (first.id,)
            ).fetchone()[0]
        queries = {
            "first page, no words": ArchiveFilter(),
            "one common word (delivery)": ArchiveFilter(words=("delivery",)),
            "two words (parcel damaged)": ArchiveFilter(words=("parcel", "damaged")),
            f"a visitor's name ({name.split()[0]})": ArchiveFilter(words=(name.split()[0],)),
            "a word and an agent": ArchiveFilter(words=("refund",), agent_id=agent.id),
        }
        search = {label: await _timed(db, first, q) for label, q in queries.items()}
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.reset_peak()
        export = {}
        service = _service(db)
        exporter = ArchiveExport(service)
        for fmt in (ExportFormat.JSONL, ExportFormat.CSV):
            began, size, rows = time.perf_counter(), 0, 0
            query = ExportQuery(format=fmt)
            for tenant in tenants:
                found = service.whole_filter(query, None)
                async for chunk in exporter.stream_as(tenant.id, OPERATOR, query, found):
                    size += len(chunk)
                    rows += 1
            seconds = time.perf_counter() - began
            export[fmt.value] = {
                "seconds": seconds,
                "bytes": size,
                "chunks": rows,
                "mb_per_s": size / seconds / 1e6,
            }
        export["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        export["rss_before_mb"] = rss_before / 1024
        export["rss_after_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        await db.close()
    return {"messages": _messages(path), "search": search, "export": export}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="fill this file once and reuse it")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    path = opts.keep or Path(tempfile.mkdtemp(prefix="wschat-archive-")) / "wschat.db"
    if opts.measure_only:
        print(json.dumps(asyncio.run(measure(path))))
        return 0
    report: dict[str, object] = {}
    if not path.exists():
        print(f"filling {path} with {opts.messages:,} messages", flush=True)
        report["fill"] = asyncio.run(do_fill(path, opts.messages))
        print(json.dumps(report["fill"]), flush=True)
    # A fresh process: its peak memory is the measurement's, not the fill's.
    measured = subprocess.run(
        [sys.executable, __file__, "--keep", str(path), "--measure-only"],
        check=True,
        capture_output=True,
        text=True,
    )
    report |= json.loads(measured.stdout.splitlines()[-1])
    print(json.dumps(report, indent=2))
    out = Path(__file__).parent / "results" / "archive-sqlite.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
