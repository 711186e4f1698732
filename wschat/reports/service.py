"""The reports' reading: a period's daily rows beside the period before it, an admin's of everyone, an
agent's own (docs/reports.md). Counting is ``counting.py``."""

from __future__ import annotations

from typing import Any

from wschat.accounts.models import Principal
from wschat.accounts.store import UserStore
from wschat.errors import InvalidRange
from wschat.reports import figures
from wschat.reports.figures import Counts
from wschat.reports.models import LONGEST_DAYS, TOP_PAGES, Period, ReportQuery, summary
from wschat.reports.store import TENANT, DayRow, ReportStore


class ReportService:
    def __init__(self, store: ReportStore, users: UserStore) -> None:
        self.store = store
        self.users = users

    def check(self, query: ReportQuery) -> Period:
        """The period asked for. Raises InvalidRange (reversed, or longer than two years)."""
        if query.until < query.since:
            raise InvalidRange(
                "The period ends before it starts: 'to' must not be before 'from'.",
                details={"reason": "reversed"},
            )
        period = Period(query.since, query.until)
        if period.days > LONGEST_DAYS:
            raise InvalidRange(
                f"A report covers at most {LONGEST_DAYS} days; this period has {period.days}.",
                details={"reason": "too_long", "max_days": LONGEST_DAYS},
            )
        return period

    async def report(self, reader: Principal, query: ReportQuery) -> dict[str, Any]:
        """The period's figures and the previous period's: all of them for an admin, an agent's own
        chats for an agent. Raises as :meth:`check`."""
        period = self.check(query)
        previous = period.previous()
        tenant_id = reader.tenant.id
        own = None if reader.is_admin else reader.user.id
        rows = await self.store.rows(tenant_id, previous.since, period.until, own or TENANT)
        now_rows = [r for r in rows if r.day >= period.since]
        then_rows = [r for r in rows if r.day < period.since]
        body: dict[str, Any] = {
            "scope": "agent" if own else "tenant",
            "period": period.to_wire(),
            "previous_period": previous.to_wire(),
            "current": summary(
                figures.merged(r.counts for r in now_rows), await self._visitors(own, tenant_id, period)
            ),
            "previous": summary(
                figures.merged(r.counts for r in then_rows), await self._visitors(own, tenant_id, previous)
            ),
            "days": _days(period, now_rows),
            "hours": _hours(now_rows),
            "agents": await self._agents(reader, period, now_rows),
            "pages": [] if own else await self._pages(tenant_id, period),
        }
        return body

    async def _visitors(self, own: str | None, tenant_id: str, period: Period) -> int | None:
        if own is not None:
            return None
        return sum((await self.store.visitors(tenant_id, period.since, period.until)).values())

    async def _pages(self, tenant_id: str, period: Period) -> list[dict[str, Any]]:
        found = await self.store.pages(tenant_id, period.since, period.until, TOP_PAGES)
        return [{"path": path, "chats": chats} for path, chats in found]

    async def _agents(
        self, reader: Principal, period: Period, own_rows: list[DayRow]
    ) -> list[dict[str, Any]]:
        """Chats and median response per agent; an agent's report lists the agent alone."""
        tenant_id = reader.tenant.id
        if reader.is_admin:
            totals = await self.store.agent_totals(tenant_id, period.since, period.until)
        else:
            totals = {reader.user.id: figures.merged(r.counts for r in own_rows)}
        names = {user.id: user.display_name for user in await self.users.all(tenant_id)}
        listed = [_agent_line(agent_id, names.get(agent_id), counts) for agent_id, counts in totals.items()]
        return sorted(listed, key=lambda line: (-line["answered"], line["name"] or "", line["agent_id"]))


def _agent_line(agent_id: str, name: str | None, counts: Counts) -> dict[str, Any]:
    response = summary(counts, None)["first_response"]
    return {
        "agent_id": agent_id,
        # None: the agent was deleted since (their name went with them).
        "name": name,
        "answered": counts.get("answered", 0),
        "response_median": response["median"],
        "transfers": counts.get("transfers", 0),
    }


def _days(period: Period, rows: list[DayRow]) -> list[dict[str, Any]]:
    by_day = {r.day: r.counts for r in rows}
    return [
        {
            "day": day.isoformat(),
            "answered": by_day.get(day, {}).get("answered", 0),
            "missed": by_day.get(day, {}).get("missed", 0),
            "offline": by_day.get(day, {}).get("offline", 0),
        }
        for day in period.each_day()
    ]


def _hours(rows: list[DayRow]) -> list[list[int]]:
    """Chats started per weekday (Monday first) and UTC hour."""
    grid = [[0] * 24 for _ in range(7)]
    for row in rows:
        for hour, count in figures.histogram(row.counts, figures.HOUR).items():
            if 0 <= hour < 24:
                grid[row.day.weekday()][hour] += count
    return grid
