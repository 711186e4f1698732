"""The reports' query and what a report says: a period's figures beside the period before it of equal
length (docs/reports.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from wschat.reports import figures
from wschat.reports.figures import Counts
from wschat.reports.tables import Table
from wschat.wire import WireModel

#: The longest period a report covers (two years; its comparison period doubles what is read).
LONGEST_DAYS = 366 * 2
#: Page paths listed in a report.
TOP_PAGES = 10
#: ``YYYY-MM-DD`` exactly: a date, never a time.
_DAY = r"^\d{4}-\d{2}-\d{2}$"


class ReportQuery(WireModel):
    """``GET /api/reports`` and ``GET /api/reports.csv``: the days ``from`` to ``to``, both included."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False, "populate_by_name": True})

    since: Annotated[date, Field(alias="from")]
    until: Annotated[date, Field(alias="to")]


@dataclass(frozen=True)
class Period:
    since: date
    until: date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        return Period(self.since - timedelta(days=self.days), self.since - timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range(self.days)]

    def to_wire(self) -> dict[str, Any]:
        return {"from": self.since.isoformat(), "to": self.until.isoformat(), "days": self.days}


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def spread(counts: Mapping[str, int], name: str) -> dict[str, int | None]:
    """How many durations a histogram holds, their median and 90th percentile in whole seconds."""
    buckets = figures.histogram(counts, name)
    return {
        "count": sum(buckets.values()),
        "median": _seconds(figures.percentile(buckets, 0.5)),
        "p90": _seconds(figures.percentile(buckets, 0.9)),
    }


def summary(counts: Counts, visitors: int | None) -> dict[str, Any]:
    """A period's totals; ``visitors`` None where the reader may not see them (an agent's report)."""
    answered, missed = counts.get("answered", 0), counts.get("missed", 0)
    return {
        "chats": answered + missed,
        "answered": answered,
        "missed": missed if visitors is not None else None,
        "offline": counts.get("offline", 0) if visitors is not None else None,
        "wait": spread(counts, figures.WAIT),
        "first_response": spread(counts, figures.FIRST_RESPONSE),
        "duration": spread(counts, figures.DURATION),
        "transfers": counts.get("transfers", 0),
        "calls": counts.get("calls", 0),
        "call_minutes": round(counts.get("call_seconds", 0) / 60),
        "visitors": visitors,
        "visitors_chatted": counts.get("chatted", 0) if visitors is not None else None,
    }


class ReportCsvQuery(ReportQuery):
    """``GET /api/reports.csv``: one of the report's tables."""

    table: Table = Table.SUMMARY
