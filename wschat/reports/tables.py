"""A report's tables as CSV files, one per chart (the console's "Download CSV" beside each table)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from wschat.spreadsheet import csv_line

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SPREADS = ("wait", "first_response", "duration")
_COUNTS = ("chats", "answered", "missed", "offline", "transfers", "calls", "call_minutes")


class Table(StrEnum):
    SUMMARY = "summary"
    DAYS = "days"
    HOURS = "hours"
    AGENTS = "agents"
    PAGES = "pages"


def _cell(value: object) -> object:
    return "" if value is None else value


def _summary(report: dict[str, Any]) -> Iterator[list[object]]:
    yield ["figure", "current", "previous"]
    now, then = report["current"], report["previous"]
    for name in (*_COUNTS, "visitors", "visitors_chatted"):
        yield [name, _cell(now[name]), _cell(then[name])]
    for name in _SPREADS:
        for part in ("count", "median", "p90"):
            label = f"{name}_{part}" if part == "count" else f"{name}_{part}_seconds"
            yield [label, _cell(now[name][part]), _cell(then[name][part])]


def _rows(report: dict[str, Any], table: Table) -> Iterator[list[object]]:
    if table is Table.SUMMARY:
        yield from _summary(report)
    elif table is Table.DAYS:
        yield ["day", "answered", "missed", "offline"]
        yield from ([d["day"], d["answered"], d["missed"], d["offline"]] for d in report["days"])
    elif table is Table.HOURS:
        yield ["weekday", *(f"{hour:02d}:00" for hour in range(24))]
        yield from ([WEEKDAYS[n], *counts] for n, counts in enumerate(report["hours"]))
    elif table is Table.AGENTS:
        yield ["agent_id", "agent", "answered", "response_median_seconds", "transfers"]
        for a in report["agents"]:
            yield [
                a["agent_id"],
                _cell(a["name"]),
                a["answered"],
                _cell(a["response_median"]),
                a["transfers"],
            ]
    else:
        yield ["page", "chats"]
        yield from ([p["path"], p["chats"]] for p in report["pages"])


def csv_table(report: dict[str, Any], table: Table) -> bytes:
    """One table of ``report`` as CSV (UTF-8, RFC 4180, every cell formula-safe)."""
    return b"".join(csv_line(row) for row in _rows(report, table))
