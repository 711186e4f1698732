"""What timing every store call costs (wschat.storage.timed): the wrapper's overhead per call, measured on a
real SQLite database, on a real read (a tenant by its slug, answered from the page cache) and on a method
that does no I/O at all (the wrapper's floor).

    .venv/bin/python bench/store_timing.py              # 20,000 calls of each
    .venv/bin/python bench/store_timing.py --calls 100000
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wschat.accounts.models import Plan, Tenant, TenantStatus
from wschat.clock import new_id, utc_now
from wschat.database_url import DatabaseUrl
from wschat.server.metrics import Metrics
from wschat.storage import open_database
from wschat.storage.timed import TimedStore


class _Idle:
    async def nothing(self) -> None:
        return None


async def _per_call(call: Callable[[], Awaitable[Any]], calls: int) -> float:
    """Microseconds per call, the median of five rounds."""
    rounds = []
    for _ in range(5):
        began = time.perf_counter()
        for _ in range(calls):
            await call()
        rounds.append((time.perf_counter() - began) / calls * 1e6)
    return statistics.median(rounds)


async def main(calls: int) -> None:
    metrics = Metrics(dict)
    with tempfile.TemporaryDirectory() as directory:
        db = await open_database(DatabaseUrl.parse(f"sqlite://{Path(directory)}/bench.db"))
        try:
            tenant = Tenant(
                id=new_id("ten"),
                slug="acme",
                name="Acme",
                plan=Plan.CONTRACT,
                status=TenantStatus.ACTIVE,
                created_at=utc_now(),
            )
            await db.stores.tenants.insert(tenant)
            plain = db.stores.tenants
            timed: Any = TimedStore(plain, "tenants", metrics.store_operation)
            read_plain = await _per_call(lambda: plain.by_slug("acme"), calls)
            read_timed = await _per_call(lambda: timed.by_slug("acme"), calls)
        finally:
            await db.close()
    idle, idle_timed = _Idle(), TimedStore(_Idle(), "idle", metrics.store_operation)
    floor_plain = await _per_call(idle.nothing, calls)
    floor_timed = await _per_call(lambda: idle_timed.nothing(), calls)  # type: ignore[attr-defined]
    print(f"{calls} calls, median of 5 rounds, microseconds per call")
    print(
        f"  tenants.by_slug (SQLite):  plain {read_plain:7.2f}  timed {read_timed:7.2f}  "
        f"overhead {read_timed - read_plain:5.2f}"
    )
    print(
        f"  a method without I/O:      plain {floor_plain:7.2f}  timed {floor_timed:7.2f}  "
        f"overhead {floor_timed - floor_plain:5.2f}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=20_000)
    asyncio.run(main(parser.parse_args().calls))
