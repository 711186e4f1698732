"""Reports benchmark: a report over a year of daily rows (SQLite, the default), as ``GET /api/reports``
reads it.

Fills one tenant with 50 agents and two years of rows (the year asked for and the year before, its comparison
period): per day the tenant's row (about 200 chats: answered, missed, offline, three histograms, the hours,
transfers, calls), one row per agent (about 4 chats each: their histograms), 30 start pages and the
visitors; then times ``ReportService.report`` for the whole year as the admin (tenant and every agent's
rows, the pages, the visitors) and as one agent, ``--runs`` times each, and prints p50/p99.

    .venv/bin/python bench/reports.py                 # make bench-reports
    .venv/bin/python bench/reports.py --agents 200    # a bigger team
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from wschat.accounts.models import Plan, Principal, Role, Tenant, TenantStatus, User
from wschat.database_url import DatabaseUrl
from wschat.reports import figures
from wschat.reports.models import ReportQuery
from wschat.reports.service import ReportService
from wschat.storage import open_database
from wschat.storage.sqlite.reports import row_values

LAST = date(2026, 12, 31)
DAYS = 365


def _histogram(rng: random.Random, name: str, n: int, scale: float) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _ in range(n):
        key = figures.key(name, rng.lognormvariate(0, 1) * scale)
        counts[key] = counts.get(key, 0) + 1
    return counts


def _day_counts(rng: random.Random, chats: int) -> dict[str, int]:
    answered = int(chats * 0.9)
    counts = {
        "answered": answered,
        "missed": chats - answered,
        "offline": chats // 10,
        "transfers": chats // 20,
    }
    counts |= {"calls": chats // 30, "call_seconds": chats * 10, "chatted": chats}
    counts |= _histogram(rng, figures.WAIT, answered, 20)
    counts |= _histogram(rng, figures.FIRST_RESPONSE, answered, 40)
    counts |= _histogram(rng, figures.DURATION, answered, 400)
    for _ in range(chats):
        hour = f"{figures.HOUR}:{rng.randint(8, 19)}"
        counts[hour] = counts.get(hour, 0) + 1
    return {name: value for name, value in counts.items() if value}  # as counting stores them


def fill(path: Path, tenant_id: str, agents: list[str]) -> int:
    """Two years of rows, written straight into the reports step's tables; returns how many."""
    rng = random.Random(16)
    rows = 0
    with closing(sqlite3.connect(path)) as conn, conn:
        for n in range(2 * DAYS):
            day = (LAST - timedelta(days=n)).isoformat()
            batch = [row_values(tenant_id, day, "", _day_counts(rng, 200))]
            batch += [row_values(tenant_id, day, agent, _day_counts(rng, 4)) for agent in agents]
            conn.executemany("INSERT INTO report_days VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            pages = [(tenant_id, day, f"/products/{p}", rng.randint(1, 20)) for p in range(30)]
            conn.executemany("INSERT INTO report_pages VALUES (?, ?, ?, ?)", pages)
            conn.execute("INSERT INTO report_visitors VALUES (?, ?, ?)", (tenant_id, day, 3000))
            rows += len(batch) + len(pages) + 1
    return rows


def _user(tenant: Tenant, n: int, role: Role) -> User:
    now = datetime.now(UTC)
    return User(f"usr_{n:024x}", tenant.id, f"agent{n}", f"Agent {n}", role, "$argon2id$x", "pwv_1", now, now)


async def run(agents: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wschat.db"
        db = await open_database(DatabaseUrl.parse(f"sqlite://{path}"))
        tenant = Tenant(
            "ten_bench", "bench", "Bench GmbH", Plan.CONTRACT, TenantStatus.ACTIVE, datetime.now(UTC)
        )
        await db.stores.tenants.insert(tenant)
        users = [_user(tenant, n, Role.AGENT if n else Role.ADMIN) for n in range(agents + 1)]
        for user in users:
            await db.stores.users.insert(user)
        started = time.perf_counter()
        rows = await asyncio.to_thread(fill, path, tenant.id, [u.id for u in users[1:]])
        took = time.perf_counter() - started
        print(f"filled {rows:,} rows ({agents} agents, {2 * DAYS} days) in {took:.1f} s")
        service = ReportService(db.stores.reports, db.stores.users)
        query = ReportQuery.model_validate(
            {"from": (LAST - timedelta(days=DAYS - 1)).isoformat(), "to": LAST.isoformat()}
        )
        try:
            for name, reader in (("admin", users[0]), ("agent", users[1])):
                principal = Principal(reader, tenant)
                await service.report(principal, query)  # warm the page cache
                times = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    await service.report(principal, query)
                    times.append((time.perf_counter() - t0) * 1000)
                times.sort()
                p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
                p50 = statistics.median(times)
                print(f"a year's report as {name}: p50 {p50:.0f} ms, p99 {p99:.0f} ms ({runs} runs)")
        finally:
            await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(run(args.agents, args.runs))


if __name__ == "__main__":
    main()
