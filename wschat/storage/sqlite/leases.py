"""The SQLite adapter for leases: the lease's name is the primary key, so one holder has it at a time."""

from __future__ import annotations

from datetime import datetime

from wschat.storage.sqlite.base import SqliteStore
from wschat.storage.sqlite.values import to_time

# A new lease, or one whose time ran out, goes to the caller; one still held stays (the WHERE of the upsert).
_ACQUIRE = (
    "INSERT INTO leases (id, holder, until) VALUES (:name, :holder, :until)"
    " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until = excluded.until WHERE until < :now"
)


class SqliteLeaseStore(SqliteStore):
    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        params = {"name": name, "holder": holder, "until": to_time(until), "now": to_time(now)}
        changed = await self._db.write(lambda conn: conn.execute(_ACQUIRE, params).rowcount)
        return changed == 1

    async def release(self, name: str, holder: str) -> None:
        sql = "DELETE FROM leases WHERE id = ? AND holder = ?"
        await self._db.write(lambda conn: conn.execute(sql, (name, holder)).rowcount)
