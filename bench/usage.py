"""Usage report benchmark: what ``wschat stats`` (and ``GET /api/operator/stats``) costs on a filled SQLite
installation. Fills one with ``growth_fill`` (40 messages per chat, 1,250 chats per tenant over 180 days,
so each tenant holds 50,000 messages and about a sixth of them are from the last 30 days), or reuses one
(``--keep FILE``), then times one tenant's figures (p50 of five) and the whole report.

    .venv/bin/python bench/usage.py --messages 200000 --keep /tmp/usage-200k.db
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from growth_fill import Shape, fill

from wschat.clock import utc_now
from wschat.database_url import DatabaseUrl
from wschat.storage import open_database
from wschat.usage.service import UsageService


async def main(path: Path, messages: int) -> None:
    db = await open_database(DatabaseUrl.parse(f"sqlite://{path}"), synchronous="NORMAL")
    try:
        if await db.count("messages") == 0:
            began = time.perf_counter()
            await fill(db, Shape(messages), concurrency=64, bulk_messages=True)
            print(f"filled in {time.perf_counter() - began:.0f} s")
        usage = UsageService(db.stores.tenants, db.stores.usage, utc_now)
        stored = await db.count("messages")
        first = sorted(await db.stores.tenants.all(), key=lambda t: t.slug)[0]
        rounds = []
        for _ in range(5):
            began = time.perf_counter()
            one = await usage.tenant(first.slug)
            rounds.append(time.perf_counter() - began)
        began = time.perf_counter()
        report = await usage.report()
        whole = time.perf_counter() - began
    finally:
        await db.close()
    print(f"{stored:,} messages stored, {len(report)} tenants")
    print(
        f"one tenant ({one.usage.messages:,} messages, {one.usage.recent_messages:,} in the last 30 days): "
        f"p50 {statistics.median(rounds) * 1000:.0f} ms"
    )
    print(f"the whole report: {whole * 1000:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="fill this file once and reuse it")
    opts = parser.parse_args()
    if opts.keep:
        asyncio.run(main(opts.keep, opts.messages))
    else:
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(main(Path(directory) / "usage.db", opts.messages))
