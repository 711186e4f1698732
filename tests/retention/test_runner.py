"""Retention inside a running tenant on a fake clock, on both adapters: a chat closed N+1 days ago is gone
with everything on it (every table scanned for its strings), one closed N−1 days ago and an open one are
kept; addresses are deleted or shortened; sent mails go, pending ones stay; a legal hold and a locked tenant
stop it; a run cut short by its budget is resumed; of two runners on one database one runs."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta

import pytest

from tests.lifecycle.conftest import traces
from tests.retention.conftest import DAY, mails_sent, rows_of, run, set_retention
from tests.storage.builders import new_mail
from tests.subjects.conftest import company, person, widget
from tests.support import LiveServer, stored
from wschat.accounts.models import TenantStatus
from wschat.audit.models import OPERATOR, Action
from wschat.lifecycle.models import HoldRequest
from wschat.retention.runner import RetentionRunner
from wschat.retention.store import Swept
from wschat.storage import open_database


@pytest.mark.both_backends
async def test_a_tenants_retention_deletes_what_is_due_and_keeps_the_rest(
    server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    acme, other = await company(server, "acme"), await company(server, "other")
    chosen = await set_retention(server, acme.admin_token, {"days": {"chat": 30, "ip": 7, "mail": 10}})
    assert {name: c["days"] for name, c in chosen["categories"].items()} == {
        "chat": 30,
        "ip": 7,
        "mail": 10,
        "audit": 1095,
    }
    db = server.app.runtime.db
    t0 = server.clock.now
    old = await person(server, "acme", acme.agent_token, "zebulon", "198.51.100.7")
    await person(server, "other", other.agent_token, "ottilie", "203.0.113.9")
    server.clock.now = t0 + 2 * DAY
    bert = await server.login("acme", "bert")  # the first token has expired
    recent = await person(server, "acme", bert, "yolanda", "192.0.2.8")
    waiting = await widget(server, "acme", "192.0.2.10")  # stays connected: its chat stays open
    opened = (await waiting.ok("chat.start", {"alias": "xaver"}))["conversation"]["id"]
    await waiting.ok("message.send", {"conversation_id": opened, "client_id": "x1", "text": "xavertext"})
    await mails_sent(db, acme.tenant.id)
    pending = new_mail(acme.tenant, to="wilma@example.org")
    pending = replace(pending, created_at=t0, next_attempt_at=t0 + 365 * DAY)  # never due in this test
    await server.app.runtime.db.stores.outbox.insert(pending)
    before_other = await rows_of(db, other.tenant.id)

    server.clock.now = t0 + 31 * DAY  # the old chat closed 31 days ago, the recent one 29
    with caplog.at_level(logging.INFO, logger="wschat.retention"):
        report = await run(server)

    assert report.finished
    assert await traces(db, old.strings) == {}, "the old chat, its visitor and mails are nowhere"
    done = report.counts["acme"]
    assert done["chat"]["conversations"] == 1
    assert done["chat"]["visitors"] == 1
    assert done["ip"]["addresses deleted"] == 2, "the recent visitor's and the waiting one's"
    assert done["mail"]["outbox"] == 2, "both transcripts, sent more than 10 days ago"
    assert {"yolandatext", "yolandaalias"} <= set().union(*(await traces(db, recent.strings)).values())
    assert await stored(db, "messages", conversation_id=opened), "an open chat is never deleted"
    assert [m["_id"] for m in await stored(db, "outbox", tenant_id=acme.tenant.id)] == [pending.id]
    assert all(v.get("ip") is None for v in await stored(db, "visitors", tenant_id=acme.tenant.id))
    assert await rows_of(db, other.tenant.id) == before_other, "the other tenant keeps 365 days"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "acme: chat: " in logged
    for secret in (*old.strings, old.visitor_id, old.conversation_id):
        assert secret not in logged, "counts only, never an id, a name or a text"

    again = await run(server)
    assert again.counts == {}, "nothing more is due"


@pytest.mark.both_backends
async def test_addresses_are_shortened_when_the_tenant_chose_so(server: LiveServer) -> None:
    acme = await company(server, "acme")
    await set_retention(server, acme.admin_token, {"days": {"ip": 7}, "ip_action": "shorten"})
    t0 = server.clock.now
    for address in ("198.51.100.7", "2001:db8:1:2::5"):
        visitor = await widget(server, "acme", address)
        # A chat (kept 365 days) keeps the visitor: housekeeping deletes page visitors who never chatted.
        cid = (await visitor.ok("chat.start", {}))["conversation"]["id"]
        await visitor.ok("chat.end", {"conversation_id": cid})
        await visitor.disconnect()
    db = server.app.runtime.db

    server.clock.now = t0 + 6 * DAY
    assert "ip" not in (await run(server)).counts.get("acme", {})
    server.clock.now = t0 + 8 * DAY
    report = await run(server)

    assert report.counts["acme"]["ip"] == {"addresses shortened": 2}
    ips = sorted(v["ip"] for v in await stored(db, "visitors", tenant_id=acme.tenant.id))
    assert ips == ["198.51.0.0", "2001:db8::"]


@pytest.mark.both_backends
async def test_audit_entries_go_after_the_tenants_days_and_the_others_stay(server: LiveServer) -> None:
    acme, other = await company(server, "acme"), await company(server, "other")
    await set_retention(server, acme.admin_token, {"days": {"audit": 30}})
    audit = server.app.runtime.audit
    t0 = server.clock.now
    old = await audit.record(acme.tenant.id, OPERATOR, Action.CONTRACT_HOLD)
    theirs = await audit.record(other.tenant.id, OPERATOR, Action.CONTRACT_HOLD)
    server.clock.now = t0 + 2 * DAY
    recent = await audit.record(acme.tenant.id, OPERATOR, Action.CONTRACT_RELEASE)
    db = server.app.runtime.db

    server.clock.now = t0 + 29 * DAY
    assert "audit" not in (await run(server)).counts.get("acme", {})
    server.clock.now = t0 + 31 * DAY
    report = await run(server)

    assert report.counts["acme"]["audit"] == {"audit_log": 1}
    kept = {e["_id"] for e in await stored(db, "audit_log")}
    assert old.id not in kept
    assert {recent.id, theirs.id} <= kept, "a newer entry, and the other tenant's (1,095 days)"


@pytest.mark.both_backends
async def test_a_legal_hold_and_a_locked_tenant_stop_retention(server: LiveServer) -> None:
    acme = await company(server, "acme")
    await set_retention(server, acme.admin_token, {"days": {"chat": 1}})
    old = await person(server, "acme", acme.agent_token, "zebulon", "198.51.100.7")
    db = server.app.runtime.db
    lifecycle = server.app.runtime.lifecycle
    await lifecycle.hold("acme", HoldRequest(reason="Rechtsstreit Az. 1 O 23/27"))
    server.clock.now += 3 * DAY

    assert (await run(server)).counts == {}
    assert await traces(db, old.strings) != {}, "a legal hold stops every deletion"
    await lifecycle.release("acme")
    await server.accounts.set_tenant_status("acme", TenantStatus.LOCKED)
    assert (await run(server)).counts == {}, "a locked tenant is the lifecycle's"

    await server.accounts.set_tenant_status("acme", TenantStatus.ACTIVE)
    assert (await run(server)).counts["acme"]["chat"]["conversations"] == 1
    assert set(await traces(db, old.strings)) <= {"outbox"}, "only the mail to them is left (90 days)"


async def test_a_run_cut_short_by_its_budget_is_resumed_by_the_next(server: LiveServer) -> None:
    acme = await company(server, "acme")
    await set_retention(server, acme.admin_token, {"days": {"chat": 1}})
    for n in range(4):  # more chats than one run's budget lets it take, a chat per batch
        visitor = await server.visitor("acme")
        cid = (await visitor.ok("chat.start", {"alias": f"n{n}"}))["conversation"]["id"]
        await visitor.ok("chat.end", {"conversation_id": cid})
        await visitor.disconnect()
    server.clock.now += 2 * DAY
    runner = server.app.runtime.retention_runner
    ticks = iter(range(10_000))
    # Each look at the wall moves it 7 s: a run's 20 s budget lets it take about one batch.
    runner._wall = lambda: server.clock.now + timedelta(seconds=7 * next(ticks))
    runner.batch = 1

    first = await run(server)
    assert not first.finished
    assert len(await stored(server.app.runtime.db, "conversations", tenant_id=acme.tenant.id)) >= 2
    for _ in range(20):
        if (await run(server)).finished:
            break
    assert await stored(server.app.runtime.db, "conversations", tenant_id=acme.tenant.id) == []


@pytest.mark.both_backends
async def test_of_two_runners_on_one_database_only_one_runs(server: LiveServer) -> None:
    """Two processes (two handles on the database): while one runs, the other's run does nothing."""
    acme = await company(server, "acme")
    await set_retention(server, acme.admin_token, {"days": {"chat": 1}})
    await person(server, "acme", acme.agent_token, "zebulon", "198.51.100.7")
    server.clock.now += 2 * DAY
    first = server.app.runtime.retention_runner
    inside, go_on = asyncio.Event(), asyncio.Event()
    store = first.store

    class Held:
        """The first runner's store, holding its first batch until told to go on."""

        def __getattr__(self, name: str) -> object:
            return getattr(store, name)

        async def delete_chats(self, *args: object) -> Swept:
            inside.set()
            await go_on.wait()
            return await store.delete_chats(*args)  # type: ignore[arg-type]

    first.store = Held()  # type: ignore[assignment]
    settings = server.settings
    async with asyncio.timeout(20):
        other = await open_database(settings.database_url, mongo_database=settings.database.mongo_database)
        try:
            stores = other.stores
            second = RetentionRunner(
                stores.tenants,
                stores.retention,
                stores.leases,
                settings.retention,
                server.clock,
                holder="node_second",
                compact=stores.tenant_data.compact,
                audit=stores.audit,
                appointments=stores.appointments,
            )
            running = asyncio.create_task(first.run_once())
            await inside.wait()
            assert await second.run_once() is None, "the lease is held: the second does nothing"
            assert await stored(server.app.runtime.db, "conversations", tenant_id=acme.tenant.id)
            go_on.set()
            report = await running
            assert report is not None
            assert report.counts["acme"]["chat"]["conversations"] == 1
            assert await second.run_once() is not None, "the lease was let go"
        finally:
            go_on.set()
            await other.close()
