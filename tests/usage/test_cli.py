"""``wschat stats`` as an operator uses it: a real subprocess on a real data dir, as a table and as JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from tests.storage.builders import T0, message_builder, new_conversation, new_tenant, new_user, new_visitor
from tests.test_cli import wschat
from wschat.accounts.models import Plan, Role
from wschat.clock import utc_now
from wschat.database_url import DatabaseUrl
from wschat.server import stats_command
from wschat.storage import open_database


async def _installation(data_dir: Path) -> None:
    """Tenant acme with an admin, two agents and a chat of three messages an hour ago; demo tenant beta."""
    data_dir.mkdir(parents=True)
    db = await open_database(DatabaseUrl.parse(f"sqlite://{data_dir}/wschat.db"))
    try:
        stores = db.stores
        acme, beta = new_tenant("acme"), new_tenant("beta", plan=Plan.DEMO, demo_ends_at=utc_now())
        for tenant in (acme, beta):
            await stores.tenants.insert(tenant)
        for login, role in (("anna", Role.ADMIN), ("bert", Role.AGENT), ("carl", Role.AGENT)):
            await stores.users.insert(new_user(acme, login, role))
        an_hour_ago = (utc_now() - timedelta(hours=1) - T0).total_seconds()
        visitor = new_visitor(acme, seen=an_hour_ago)
        await stores.visitors.insert(visitor, "token-hash")
        chat = new_conversation(acme, visitor.id, created=an_hour_ago)
        assert await stores.conversations.insert(chat)
        for n in range(3):
            build = message_builder(chat, f"c{n}", "x" * 1500, created=an_hour_ago + n)
            await stores.messages.append(acme.id, chat.id, f"c{n}", build)
    finally:
        await db.close()


async def test_stats_print_a_line_per_tenant(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    await _installation(data_dir)

    code, out, err = await wschat(data_dir, "stats")

    assert code == 0, err
    header, acme, beta, *notes = out.splitlines()
    assert tuple(header.split()) == stats_command.HEADER
    assert acme.split()[:3] == ["acme", "Acme", "GmbH"]
    # No end, no deletion date; 1 admin, 2 agents, 1 chat with 3 messages; 4,500 bytes of text and their data.
    assert acme.split()[-7:] == ["-", "1", "2", "1", "3", "4.7", "KB"]
    assert beta.split()[0] == "beta"
    assert "demo_expired" in beta
    assert "CHATS, MESSAGES: the last 30 days" in notes[0]


async def test_stats_as_json_and_for_one_tenant(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    await _installation(data_dir)

    code, out, err = await wschat(data_dir, "stats", "--json", "--tenant", "acme")

    assert code == 0, err
    [acme] = json.loads(out)["tenants"]
    assert acme["slug"] == "acme"
    assert acme["users"] == {"admins": 1, "agents": 2}
    assert (acme["last_30_days"]["chats"], acme["last_30_days"]["messages"]) == (1, 3)
    assert acme["stored"]["messages"] == 3
    assert acme["stored"]["bytes"] >= 4500


async def test_stats_of_an_unknown_or_malformed_tenant_fail_clearly(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    await _installation(data_dir)

    code, out, err = await wschat(data_dir, "stats", "--tenant", "nobody")
    assert (code, out) == (1, "")
    assert err.strip() == "wschat: No such tenant."
    code, out, err = await wschat(data_dir, "stats", "--tenant", "Not a slug!")
    assert (code, out) == (1, "")
    assert "tenant" in err
    assert "Traceback" not in err
