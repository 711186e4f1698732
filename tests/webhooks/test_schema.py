"""The webhooks step of the SQLite schema: what the foreign keys' cascades read (SQLite looks up a deleted
parent's children by the child key, which ``EXPLAIN QUERY PLAN`` of the scenario's statements never shows)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from wschat.database_url import DatabaseUrl
from wschat.storage import open_database

CHILD_KEYS = {
    "endpoint_id": "SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ?",
    "tenant_id": "SELECT 1 FROM webhook_deliveries WHERE tenant_id = ?",
    "endpoints of a tenant": "SELECT 1 FROM webhook_endpoints WHERE tenant_id = ?",
}


@pytest.mark.parametrize("key", CHILD_KEYS)
async def test_deleting_an_endpoint_or_a_tenant_finds_the_children_through_an_index(
    tmp_path: Path, key: str
) -> None:
    path = tmp_path / "wschat.db"
    db = await open_database(DatabaseUrl.parse(f"sqlite://{path}"))
    await db.close()

    with closing(sqlite3.connect(path)) as conn:
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {CHILD_KEYS[key]}", ("x",))]

    assert len(plan) == 1, plan
    assert plan[0].startswith("SEARCH webhook_"), plan
    assert "USING" in plan[0], plan
