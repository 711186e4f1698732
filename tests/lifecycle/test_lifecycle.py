"""A tenant's whole life on a fake clock, on both adapters: a demo that expires and is deleted, a contract
that ends, is held, released and deleted; at each step what the customer can do, what was mailed, and
a scan of every table that proves what is gone is gone — and that the other tenant kept everything."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.lifecycle.conftest import Seeded, mails_to, operator, seed, traces
from tests.mail.smtpd import SmtpServer
from tests.support import PASSWORD, LiveServer, stored, wait_for
from wschat.accounts.contract import add_months
from wschat.accounts.models import Plan
from wschat.storage import TABLES, Database


async def _run(server: LiveServer) -> None:
    """One pass of the lifecycle runner (its housekeeping step), now."""
    await server.app.runtime.lifecycle.run_once()


async def _login_code(server: LiveServer, slug: str) -> int:
    reply = await server.request(
        "POST", "/api/auth/login", json={"tenant": slug, "login": "anna", "password": PASSWORD}
    )
    return reply.status


async def _rows_of(server: LiveServer, tenant_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in TABLES:
        key = "_id" if table in ("tenants", "tenant_presence") else "tenant_id"
        if found := await stored(server.app.runtime.db, table, **{key: tenant_id}):
            counts[table] = len(found)
    return counts


async def _other_tenant(server: LiveServer) -> Seeded:
    other = await seed(server, "other", Plan.CONTRACT, "boss@other.example", "ottilie")
    assert await traces(server.app.runtime.db, ("ottilie",)) != {}, "the scan finds what is there"
    # Its console and widget have disconnected: the snapshot the tests compare with is taken once the server
    # has removed their sockets, not while it still may.
    db = server.app.runtime.db
    await wait_for(lambda: _no_sockets(db, other.tenant.id))
    return other


async def _no_sockets(db: Database, tenant_id: str) -> bool:
    return await stored(db, "sockets", tenant_id=tenant_id) == []


@pytest.mark.both_backends
async def test_a_demo_warns_expires_locks_and_is_deleted_without_a_trace(
    server: LiveServer, smtp: SmtpServer
) -> None:
    demo = await seed(server, "acme", Plan.DEMO, "chef@acme.example", "zebulon")
    other = await _other_tenant(server)
    before_other = await _rows_of(server, other.tenant.id)
    ends = demo.tenant.demo_ends_at
    assert ends is not None

    server.clock.now = ends - timedelta(days=2)
    await _run(server)
    await _run(server)  # a second pass mails nothing more
    assert await mails_to(smtp, "chef@acme.example", 1) == ["Ihre wsChat-Demo endet bald"]
    assert await _login_code(server, "acme") == 200

    server.clock.now = ends + timedelta(minutes=1)
    await _run(server)
    subjects = await mails_to(smtp, "chef@acme.example", 2)
    assert subjects[1] == "Ihre wsChat-Demo ist abgelaufen"
    assert await _login_code(server, "acme") == 403
    widget = await server.request("POST", "/api/widget/acme/session", json={"token": None})
    assert widget.code == "TENANT_LOCKED"
    assert (await _rows_of(server, demo.tenant.id))["messages"] > 0, "kept for 14 days after the end"

    server.clock.now = ends + timedelta(days=14, minutes=1)
    await _run(server)
    assert set(await _rows_of(server, demo.tenant.id)) <= {"tenants", "outbox", "outbox_transitions"}
    assert await traces(server.app.runtime.db, demo.personal) == {}
    assert (await mails_to(smtp, "chef@acme.example", 3))[2] == "Ihre wsChat-Chatdaten wurden gelöscht"

    server.clock.now = ends + timedelta(days=15, minutes=2)
    await _run(server)
    assert await _rows_of(server, demo.tenant.id) == {}
    assert await traces(server.app.runtime.db, (demo.tenant.id, "acme.example", *demo.personal)) == {}
    assert (await operator(server, "GET", "/acme")).code == "NOT_FOUND"
    assert await _rows_of(server, other.tenant.id) == before_other, "the other tenant lost nothing"


@pytest.mark.both_backends
async def test_a_contract_ends_is_held_released_and_deleted_in_two_steps(
    server: LiveServer, smtp: SmtpServer
) -> None:
    acme = await seed(server, "acme", Plan.CONTRACT, "chef@acme.example", "zebulon")
    other = await _other_tenant(server)
    before_other = await _rows_of(server, other.tenant.id)
    last_day = (server.clock.now + timedelta(days=10)).date()

    terminated = await operator(server, "POST", "/acme/terminate", {"last_day": last_day.isoformat()})
    assert terminated.status == 200, terminated.body
    shown = terminated.body["tenant"]
    assert shown["state"] == "terminated"
    ends = datetime.combine(last_day + timedelta(days=1), time(), tzinfo=UTC)
    assert shown["contract_ends_at"] == ends.isoformat()
    assert shown["chat_data_deleted_at"] == add_months(ends, 6).isoformat()
    assert shown["export_until"] == add_months(ends, 6).isoformat()
    assert shown["master_data_deleted_at"] == add_months(ends, 48).isoformat()
    assert await _login_code(server, "acme") == 200, "works until its last day"

    server.clock.now = ends + timedelta(minutes=1)
    await _run(server)
    assert await mails_to(smtp, "chef@acme.example", 1) == ["Ihr wsChat-Vertrag ist beendet"]
    assert await _login_code(server, "acme") == 403

    held = await operator(server, "POST", "/acme/hold", {"reason": "Rechtsstreit Az. 1 O 23/27"})
    assert held.body["tenant"]["legal_hold"]["reason"] == "Rechtsstreit Az. 1 O 23/27"
    server.clock.now = add_months(ends, 6) + timedelta(days=1)
    await _run(server)
    assert await traces(server.app.runtime.db, acme.personal) != {}, "a legal hold stops the deletion"

    assert (await operator(server, "POST", "/acme/release", {})).status == 200
    await _run(server)
    rows = await _rows_of(server, acme.tenant.id)
    assert set(rows) <= {"tenants", "outbox", "outbox_transitions"}, rows
    assert await traces(server.app.runtime.db, acme.personal) == {}
    assert (await mails_to(smtp, "chef@acme.example", 2))[1] == "Ihre wsChat-Chatdaten wurden gelöscht"
    kept = (await operator(server, "GET", "/acme")).body["tenant"]
    assert kept["name"] == "Acme GmbH", "master data is kept for 4 years"
    assert set(kept["done"]) == {"contract_ended", "chat_data_deleted"}

    server.clock.now = add_months(ends, 48) - timedelta(days=1)
    await _run(server)
    assert (await _rows_of(server, acme.tenant.id)).get("tenants") == 1
    server.clock.now = add_months(ends, 48) + timedelta(minutes=1)
    await _run(server)
    assert await _rows_of(server, acme.tenant.id) == {}
    assert await traces(server.app.runtime.db, (acme.tenant.id, "acme.example", *acme.personal)) == {}
    assert await _rows_of(server, other.tenant.id) == before_other


@pytest.mark.both_backends
async def test_a_demo_that_becomes_a_contract_is_unlocked_and_kept(server: LiveServer) -> None:
    demo = await seed(server, "acme", Plan.DEMO, "chef@acme.example", "zebulon")
    assert demo.tenant.demo_ends_at is not None
    server.clock.now = demo.tenant.demo_ends_at + timedelta(days=3)
    await _run(server)
    assert await _login_code(server, "acme") == 403

    made = await operator(server, "POST", "/acme/contract", {"contact_email": "einkauf@acme.example"})
    assert made.status == 200, made.body
    tenant = made.body["tenant"]
    assert (tenant["state"], tenant["plan"], tenant["demo_ends_at"]) == ("contract", "contract", None)
    assert tenant["contact_email"] == "einkauf@acme.example"
    assert tenant["chat_data_deleted_at"] is None
    assert await _login_code(server, "acme") == 200

    server.clock.now += timedelta(days=30)
    await _run(server)
    assert set(await traces(server.app.runtime.db, demo.personal)) >= {"messages", "visitors"}


async def test_the_runner_resumes_a_deletion_cut_short_by_its_time_budget(server: LiveServer) -> None:
    """A run that has used its time stops between batches; the next run goes on where it stopped."""
    demo = await seed(server, "acme", Plan.DEMO, "chef@acme.example", "zebulon")
    for n in range(3):  # more conversations than fit in one batch of one
        visitor = await server.visitor("acme")
        await visitor.ok("chat.start", {"alias": f"n{n}"})
        await visitor.disconnect()
    assert demo.tenant.demo_ends_at is not None
    server.clock.now = demo.tenant.demo_ends_at + timedelta(days=15)
    runtime = server.app.runtime
    ticks = iter(range(10_000))
    # Each look at the wall moves it 7 s: a run's 20 s budget lets it delete one batch.
    runtime.lifecycle._wall = lambda: server.clock.now + timedelta(seconds=7 * next(ticks))
    runtime.lifecycle.batch = 1
    await _run(server)
    assert (await _rows_of(server, demo.tenant.id)).get("conversations", 0) >= 2, "cut short"
    for _ in range(40):
        await _run(server)
    assert set(await _rows_of(server, demo.tenant.id)) <= {"tenants", "outbox", "outbox_transitions"}
