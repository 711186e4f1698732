"""``wschat reports rebuild`` as an operator runs it (a real subprocess on a real SQLite file): it counts a
tenant's stored chats into its days; a reversed period, a malformed date or an unknown tenant are refused
with a clear line, storing nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.reports.history import MONDAY, store_history
from tests.storage.builders import new_tenant, new_user
from tests.test_cli import wschat
from wschat.accounts.models import Role
from wschat.database_url import DatabaseUrl
from wschat.reports.store import TENANT
from wschat.storage import open_database

WIDE = (date(2020, 1, 1), date(2030, 1, 1))


async def _installation(data_dir: Path) -> str:
    """A data dir with tenant acme and its stored history; returns the tenant's id."""
    data_dir.mkdir()
    db = await open_database(DatabaseUrl.parse(f"sqlite://{data_dir}/wschat.db"))
    try:
        tenant = new_tenant("acme")
        await db.stores.tenants.insert(tenant)
        users = {name: new_user(tenant, name) for name in ("bert", "carl")}
        users["anna"] = new_user(tenant, "anna", Role.ADMIN)
        for user in users.values():
            await db.stores.users.insert(user)
        await store_history(db.stores, tenant, users)
    finally:
        await db.close()
    return tenant.id


async def _days(data_dir: Path, tenant_id: str) -> dict[date, dict[str, int]]:
    db = await open_database(DatabaseUrl.parse(f"sqlite://{data_dir}/wschat.db"))
    try:
        return {row.day: row.counts for row in await db.stores.reports.rows(tenant_id, *WIDE, TENANT)}
    finally:
        await db.close()


@pytest.mark.timeout(120)
async def test_reports_rebuild_command_counts_the_stored_chats(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    tenant_id = await _installation(data_dir)

    code, out, err = await wschat(data_dir, "reports", "rebuild", "--tenant", "acme", "--from", "2026-03-01")

    assert (code, err) == (0, "")
    assert "6 chats counted" in out
    days = await _days(data_dir, tenant_id)
    assert days[MONDAY.date()]["answered"] == 3
    assert days[MONDAY.date()]["missed"] == 1
    assert days[MONDAY.date()]["offline"] == 1
    assert days[date(2026, 3, 1)]["answered"] == 1


@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--tenant", "acme", "--from", "2026-03-02", "--to", "2026-03-01"), "ends before it starts"),
        (("--tenant", "acme", "--from", "2026-13-01"), "--from must be a date as YYYY-MM-DD"),
        (("--tenant", "acme", "--to", "monday"), "--to must be a date as YYYY-MM-DD"),
        (
            (
                "--tenant",
                "nope",
            ),
            "no tenant",
        ),
    ],
)
async def test_reports_rebuild_command_refuses_bad_input_storing_nothing(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    data_dir = tmp_path / "data"
    tenant_id = await _installation(data_dir)

    code, _, err = await wschat(data_dir, "reports", "rebuild", *args)

    assert code != 0
    assert said in err.lower() or said in err
    assert "Traceback" not in err
    assert await _days(data_dir, tenant_id) == {}
