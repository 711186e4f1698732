"""The SQLite adapter for reports (wschat/reports/store.py), over the tables of the reports step.

Counting a chat is one writer job: the conversation's mark (unique per tenant and conversation) and the
additions to its day's rows commit together or not at all, so a chat closing twice, or a rebuild racing
the live count, adds once. Reads go through ``report_days``'s unique index (the tenant, a range of days)
or ``report_days_agent`` (one agent's days); the rebuild's walk through ``conversations_status``.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import orjson

from wschat.chat.models import Conversation
from wschat.reports import figures
from wschat.reports.chats import ChatFacts
from wschat.reports.figures import Counts
from wschat.reports.store import TENANT, DayRow
from wschat.storage.documents import conversation_from
from wschat.storage.sqlite.base import SqliteStore, fetch_all
from wschat.storage.sqlite.tables import CONVERSATIONS
from wschat.storage.sqlite.values import to_time

_MARK = "INSERT OR IGNORE INTO report_counted (tenant_id, conversation_id, day, path) VALUES (?, ?, ?, ?)"
_ROW = "SELECT counts FROM report_days WHERE tenant_id = ? AND day = ? AND agent_id = ?"
_SET_ROW = (
    "INSERT INTO report_days (tenant_id, day, agent_id, counts, answered, transfers, first)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, day, agent_id) DO UPDATE SET"
    " counts = excluded.counts, answered = excluded.answered, transfers = excluded.transfers,"
    " first = excluded.first"
)
_ADD_PAGE = (
    "INSERT INTO report_pages (tenant_id, day, path, chats) VALUES (?, ?, ?, 1)"
    " ON CONFLICT (tenant_id, day, path) DO UPDATE SET chats = chats + 1"
)
_TAKE_PAGE = "UPDATE report_pages SET chats = chats - 1 WHERE tenant_id = ? AND day = ? AND path = ?"
_EMPTY_PAGE = "DELETE FROM report_pages WHERE tenant_id = ? AND day = ? AND path = ? AND chats <= 0"
_ADD_VISITOR = (
    "INSERT INTO report_visitors (tenant_id, day, visitors) VALUES (?, ?, 1)"
    " ON CONFLICT (tenant_id, day) DO UPDATE SET visitors = visitors + 1"
)
_PAGES = (
    "SELECT path, sum(chats) AS chats FROM report_pages WHERE tenant_id = ? AND day BETWEEN ? AND ?"
    " GROUP BY path ORDER BY chats DESC, path LIMIT ?"
)
# The days' range of the tenant's unique index, named: the planner would take the agents' index for the
# GROUP BY and read every day of the tenant.
_AGENTS = "WHERE tenant_id = ? AND day BETWEEN ? AND ? AND agent_id != ''"
_AGENT_TOTALS = (
    f"SELECT agent_id, answered, transfers, first FROM report_days INDEXED BY report_days_day {_AGENTS}"
)
_CLOSED = (
    f"{CONVERSATIONS.select_sql()} WHERE tenant_id = ? AND status = 'closed' AND created_at >= ?"
    " AND created_at < ? AND (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?"
)
_EARLIER = (
    "SELECT 1 FROM conversations WHERE tenant_id = ? AND visitor_id = ? AND created_at >= ?"
    " AND (created_at, id) < (?, ?) AND origin != 'offline_form' LIMIT 1"
)
_FORGET = (
    "DELETE FROM report_days WHERE tenant_id = ? AND day BETWEEN ? AND ?",
    "DELETE FROM report_pages WHERE tenant_id = ? AND day BETWEEN ? AND ?",
    "DELETE FROM report_counted WHERE tenant_id = ? AND day BETWEEN ? AND ?",
)


def row_values(tenant_id: str, day: str, agent_id: str, counts: Counts) -> tuple[object, ...]:
    """A ``report_days`` row: the counts, and the copies the table of agents reads."""
    first = {k: v for k, v in counts.items() if k.startswith(f"{figures.FIRST_RESPONSE}:")}
    answered, transfers = counts.get("answered", 0), counts.get("transfers", 0)
    return (tenant_id, day, agent_id, _json(counts), answered, transfers, _json(first))


def _json(counts: Counts) -> str:
    return orjson.dumps(counts).decode()


def _add(conn: sqlite3.Connection, tenant_id: str, day: str, agent_id: str, counts: Counts) -> None:
    row = conn.execute(_ROW, (tenant_id, day, agent_id)).fetchone()
    total = figures.merged([orjson.loads(row[0]) if row else {}, counts])
    conn.execute(_SET_ROW, row_values(tenant_id, day, agent_id, total))


class SqliteReportStore(SqliteStore):
    async def count(self, tenant_id: str, conversation_id: str, facts: ChatFacts) -> bool:
        day = facts.day.isoformat()

        def count(conn: sqlite3.Connection) -> bool:
            if conn.execute(_MARK, (tenant_id, conversation_id, day, facts.page)).rowcount == 0:
                return False
            _add(conn, tenant_id, day, TENANT, facts.counts)
            if facts.agent_id:
                _add(conn, tenant_id, day, facts.agent_id, facts.agent_counts)
            if facts.page is not None:
                conn.execute(_ADD_PAGE, (tenant_id, day, facts.page))
            return True

        return await self._db.write(count)

    async def forget_pages(self, tenant_id: str, conversation_ids: list[str]) -> int:
        among = ", ".join("?" * len(conversation_ids))
        counted = (
            "SELECT day, path FROM report_counted"
            f" WHERE tenant_id = ? AND conversation_id IN ({among}) AND path IS NOT NULL"
        )
        forgotten = (
            f"UPDATE report_counted SET path = NULL WHERE tenant_id = ? AND conversation_id IN ({among})"
        )

        def forget(conn: sqlite3.Connection) -> int:
            found = conn.execute(counted, (tenant_id, *conversation_ids)).fetchall()
            for day, path in found:
                conn.execute(_TAKE_PAGE, (tenant_id, day, path))
                conn.execute(_EMPTY_PAGE, (tenant_id, day, path))
            conn.execute(forgotten, (tenant_id, *conversation_ids))
            return len(found)

        return await self._db.write(forget) if conversation_ids else 0

    async def add_visitor(self, tenant_id: str, day: date) -> None:
        params = (tenant_id, day.isoformat())
        await self._db.write(lambda conn: conn.execute(_ADD_VISITOR, params).rowcount)

    async def rows(self, tenant_id: str, since: date, until: date, agent_id: str | None) -> list[DayRow]:
        sql = "SELECT day, agent_id, counts FROM report_days WHERE tenant_id = ?"
        params: list[object] = [tenant_id]
        if agent_id is not None:
            sql += " AND agent_id = ?"
            params.append(agent_id)
        sql += " AND day BETWEEN ? AND ?"
        params += [since.isoformat(), until.isoformat()]

        def read(conn: sqlite3.Connection) -> list[DayRow]:
            return [
                DayRow(date.fromisoformat(day), agent, orjson.loads(counts))
                for day, agent, counts in conn.execute(sql, params)
            ]

        return await self._db.read(read)

    async def agent_totals(self, tenant_id: str, since: date, until: date) -> dict[str, Counts]:
        params = (tenant_id, since.isoformat(), until.isoformat())

        def read(conn: sqlite3.Connection) -> dict[str, Counts]:
            totals: dict[str, Counts] = {}
            for agent_id, answered, transfers, first in conn.execute(_AGENT_TOTALS, params):
                total = totals.setdefault(agent_id, {"answered": 0, "transfers": 0})
                total["answered"] += answered
                total["transfers"] += transfers
                for name, value in orjson.loads(first).items():
                    total[name] = total.get(name, 0) + value
            return totals

        return await self._db.read(read)

    async def visitors(self, tenant_id: str, since: date, until: date) -> dict[date, int]:
        sql = "SELECT day, visitors FROM report_visitors WHERE tenant_id = ? AND day BETWEEN ? AND ?"
        params = (tenant_id, since.isoformat(), until.isoformat())
        found = await self._db.read(lambda conn: conn.execute(sql, params).fetchall())
        return {date.fromisoformat(day): visitors for day, visitors in found}

    async def pages(self, tenant_id: str, since: date, until: date, limit: int) -> list[tuple[str, int]]:
        params = (tenant_id, since.isoformat(), until.isoformat(), limit)
        found = await self._db.read(lambda conn: conn.execute(_PAGES, params).fetchall())
        return [(path, int(chats)) for path, chats in found]

    async def forget(self, tenant_id: str, since: date, until: date) -> None:
        params = (tenant_id, since.isoformat(), until.isoformat())

        def forget(conn: sqlite3.Connection) -> int:
            return sum(conn.execute(sql, params).rowcount for sql in _FORGET)

        await self._db.write(forget)

    async def closed_chats(
        self, tenant_id: str, since: datetime, until: datetime, after: Conversation | None, limit: int
    ) -> list[Conversation]:
        last = (to_time(after.created_at), after.id) if after else (to_time(since), "")
        params = (tenant_id, to_time(since), to_time(until), *last, limit)
        docs = await self._db.read(lambda conn: fetch_all(conn, CONVERSATIONS, _CLOSED, params))
        return [conversation_from(doc) for doc in docs]

    async def earlier_chat(
        self, tenant_id: str, visitor_id: str, since: datetime, before: Conversation
    ) -> bool:
        params = (tenant_id, visitor_id, to_time(since), to_time(before.created_at), before.id)
        return await self._db.read(lambda conn: conn.execute(_EARLIER, params).fetchone() is not None)
