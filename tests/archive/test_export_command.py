"""``wschat export``: the operator streams a tenant's past chats to stdout or a file; bad input is refused
with the error's message and exit code 1, and leaves no audit record."""

from __future__ import annotations

import json
from pathlib import Path

from tests.storage.builders import new_tenant
from tests.storage.test_contract_archive import _closed_chat
from tests.test_cli import wschat
from wschat.audit.store import AuditFilter
from wschat.database_url import DatabaseUrl
from wschat.storage import open_database


async def _installation(data_dir: Path) -> list[str]:
    data_dir.mkdir()
    db = await open_database(DatabaseUrl.parse(f"sqlite://{data_dir}/wschat.db"))
    try:
        acme, other = new_tenant("acme"), new_tenant("globex")
        await db.stores.tenants.insert(acme)
        await db.stores.tenants.insert(other)
        made = [await _closed_chat(db.stores, acme, [f"Nachricht {n}"], closed=100 + n) for n in range(3)]
        await _closed_chat(db.stores, other, ["fremd"], closed=100)
        return [c.id for c in made]
    finally:
        await db.close()


async def test_export_command_streams_a_tenants_chats_and_is_audited(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    made = await _installation(data_dir)
    target = tmp_path / "out.jsonl"

    code, out, err = await wschat(
        data_dir,
        "export",
        "--tenant",
        "acme",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-03",
        "--format",
        "jsonl",
    )
    to_file = await wschat(data_dir, "export", "--tenant", "acme", "--format", "csv", "--output", str(target))

    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["conversation"]["id"] for line in lines] == made[::-1]
    assert [m["text"] for m in lines[0]["messages"]] == ["Nachricht 2"]
    assert to_file[0] == 0, to_file[2]
    assert len(target.read_text().splitlines()) == 1 + 3
    db = await open_database(DatabaseUrl.parse(f"sqlite://{data_dir}/wschat.db"))
    try:
        [tenant] = [t for t in await db.stores.tenants.all() if t.slug == "acme"]
        log = await db.stores.audit.page(tenant.id, AuditFilter(action="archive.exported"), 10)
    finally:
        await db.close()
    assert [(e["details"]["format"], e["details"]["rows"], e["actor_kind"], e["actor_id"]) for e in log] == [
        ("csv", 3, "operator", "operator"),
        ("jsonl", 3, "operator", "operator"),
    ]


async def test_export_command_refuses_a_reversed_or_wide_range(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    await _installation(data_dir)

    reversed_range = await wschat(
        data_dir, "export", "--tenant", "acme", "--from", "2026-03-03", "--to", "2026-03-01"
    )
    wide = await wschat(data_dir, "export", "--tenant", "acme", "--from", "2020-01-01", "--to", "2026-01-01")

    assert reversed_range[0] == 1
    assert "ends before it starts" in reversed_range[2]
    assert reversed_range[1] == ""
    assert wide[0] == 1
    assert "wider than a year" in wide[2]
