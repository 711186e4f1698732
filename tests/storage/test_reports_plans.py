"""The SQLite adapter's report statements each search a range of the tenant's days through an index (the
query-plan scenario runs them on a day of data; this names the index each must use, whatever the planner's
statistics): a year's report reads a year of rows, never every day the tenant has."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from wschat.database_url import DatabaseUrl
from wschat.storage import open_database
from wschat.storage.sqlite import reports

RANGE = "(tenant_id=? AND day>? AND day<?)"
STATEMENTS = [
    (reports._AGENT_TOTALS, f"report_days_day {RANGE}"),
    (reports._PAGES, f"sqlite_autoindex_report_pages_1 {RANGE}"),
    (reports._FORGET[0], f"report_days_day {RANGE}"),
    (reports._FORGET[2], f"report_counted_day {RANGE}"),
    (reports._ROW, "report_days_day (tenant_id=? AND day=? AND agent_id=?)"),
    (reports._EARLIER, "conversations_visitor (tenant_id=? AND visitor_id=? AND created_at>?"),
    (reports._CLOSED, "conversations_status (tenant_id=? AND status=? AND created_at>? AND created_at<?)"),
]


@pytest.mark.parametrize(("statement", "index"), STATEMENTS)
async def test_report_statements_search_a_range_of_days_through_their_index(
    tmp_path: Path, statement: str, index: str
) -> None:
    path = tmp_path / "wschat.db"
    db = await open_database(DatabaseUrl.parse(f"sqlite://{path}"))
    await db.close()
    with closing(sqlite3.connect(path)) as conn:
        plan = [
            row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", ["x"] * statement.count("?"))
        ]

    assert any(f"USING INDEX {index}" in line or f"USING COVERING INDEX {index}" in line for line in plan), (
        plan
    )
    assert not [line for line in plan if line.startswith("SCAN") and "json_each" not in line], plan
