"""``GET /api/reports`` and ``GET /api/reports.csv`` through a live server: a stored history counted by a
rebuild (every figure as written beside the history), the same again after a second rebuild, chats and
visitors counted live as they happen (once, however often offered), an agent's own figures, the CSV
tables, and every bad period refused with its code, storing nothing."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest

from tests.reports.history import MONDAY, store_history
from tests.support import LiveServer, Reply
from wschat.accounts.models import Role, Tenant, User
from wschat.reports.figures import bucket, bucket_value
from wschat.reports.store import TENANT, ReportStore

pytestmark = pytest.mark.both_backends

DAY = MONDAY.date().isoformat()


async def _report(server: LiveServer, token: str, csv_table: str | None = None, **query: str) -> Reply:
    path = "/api/reports.csv" if csv_table else "/api/reports"
    params = query | ({"table": csv_table} if csv_table else {})
    return await server.request("GET", f"{path}?{urlencode(params)}", token=token)


async def _shop(server: LiveServer) -> tuple[Tenant, dict[str, User], dict[str, str]]:
    tenant = await server.make_tenant("acme")
    users = {
        "anna": await server.make_user(tenant, "anna", Role.ADMIN),
        "bert": await server.make_user(tenant, "bert"),
        "carl": await server.make_user(tenant, "carl"),
    }
    tokens = {name: await server.login("acme", name) for name in users}
    return tenant, users, tokens


async def _rebuild(server: LiveServer, tenant: Tenant) -> int:
    """Count the stored history (Sunday and Monday)."""
    sunday = MONDAY.date() - timedelta(days=1)
    return await server.app.runtime.report_counting.rebuild(tenant.id, sunday, MONDAY.date())


def _approx(seconds: int) -> int:
    """What a duration over a minute reads as: its histogram bucket's middle (docs/reports.md)."""
    return round(bucket_value(bucket(seconds)))


async def test_reports_show_a_stored_history_counted_by_a_rebuild(server: LiveServer) -> None:
    tenant, users, tokens = await _shop(server)
    await store_history(server.app.runtime.db.stores, tenant, users)
    sunday = MONDAY.date() - timedelta(days=1)
    assert await server.app.runtime.report_counting.rebuild(tenant.id, sunday, MONDAY.date()) == 6

    reply = await _report(server, tokens["anna"], **{"from": DAY, "to": DAY})

    assert reply.status == 200, reply.body
    body = reply.body
    assert body["period"] == {"from": DAY, "to": DAY, "days": 1}
    assert body["previous_period"] == {"from": sunday.isoformat(), "to": sunday.isoformat(), "days": 1}
    now = body["current"]
    assert (now["chats"], now["answered"], now["missed"], now["offline"]) == (4, 3, 1, 1)
    assert now["wait"] == {"count": 3, "median": 20, "p90": 40}
    assert now["first_response"] == {"count": 3, "median": 30, "p90": 45}
    assert now["duration"] == {"count": 3, "median": _approx(600), "p90": _approx(900)}
    assert (now["transfers"], now["calls"], now["call_minutes"]) == (1, 0, 0)
    assert now["visitors_chatted"] == 4
    then = body["previous"]
    assert (then["answered"], then["missed"], then["wait"]["median"]) == (1, 0, 50)
    assert body["days"] == [{"day": DAY, "answered": 3, "missed": 1, "offline": 1}]
    monday = body["hours"][0]
    assert {hour: n for hour, n in enumerate(monday) if n} == {10: 1, 11: 1, 13: 1, 14: 1}
    assert sum(map(sum, body["hours"])) == 4
    agents = [(a["name"], a["answered"], a["response_median"], a["transfers"]) for a in body["agents"]]
    assert agents == [("Bert", 2, 15, 0), ("Carl", 1, 45, 1)]
    # Query string and fragment gone: only the path is kept.
    assert body["pages"] == [{"path": "/pricing", "chats": 3}, {"path": "/", "chats": 1}]

    # A second rebuild replaces the days: the same figures, nothing counted twice.
    await server.app.runtime.report_counting.rebuild(tenant.id, sunday, MONDAY.date())
    assert (await _report(server, tokens["anna"], **{"from": DAY, "to": DAY})).body == body


async def test_reports_of_an_agent_hold_their_own_chats_alone(server: LiveServer) -> None:
    tenant, users, tokens = await _shop(server)
    await store_history(server.app.runtime.db.stores, tenant, users)
    await server.app.runtime.report_counting.rebuild(
        tenant.id, MONDAY.date() - timedelta(days=1), MONDAY.date()
    )

    body = (await _report(server, tokens["bert"], **{"from": DAY, "to": DAY})).body

    assert body["scope"] == "agent"
    now = body["current"]
    assert (now["answered"], now["missed"], now["offline"], now["visitors"]) == (2, None, None, None)
    assert now["wait"] == {"count": 2, "median": 10, "p90": 20}
    assert [(a["name"], a["answered"]) for a in body["agents"]] == [("Bert", 2)]
    assert body["pages"] == []
    assert body["previous"]["answered"] == 1


async def test_reports_count_chats_and_visitors_live_and_once(server: LiveServer) -> None:
    server.clock.now = server.clock.now.replace(hour=12, minute=0)  # every step on the same day
    tenant, _, tokens = await _shop(server)
    await server.request("PATCH", "/api/tenant", json={"auto_assign": False}, token=tokens["anna"])
    # Nobody online: an offline message.
    leaving = await server.visitor("acme")
    await leaving.ok("page.view", {"url": "https://shop.example/contact"})
    await leaving.ok(
        "offline.leave", {"email": "sam@example.com", "text": "Rückruf bitte", "client_id": "o-1"}
    )
    bert = await server.agent(tokens["bert"])
    await bert.ok("status.set", {"status": "online"})
    sam = await server.visitor("acme")
    await sam.ok("page.view", {"url": "https://shop.example/pricing?coupon=SAM"})
    server.clock.advance(seconds=3)
    await sam.ok("page.view", {"url": "https://shop.example/pricing/pro"})  # the same visitor, the same day
    server.clock.advance(seconds=3)
    started = await sam.ok("chat.start", {"text": "Hallo", "client_id": "s-1"})
    cid = started["conversation"]["id"]
    server.clock.advance(seconds=12)
    await bert.ok("chat.accept", {"conversation_id": cid})
    server.clock.advance(seconds=5)
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "b-1", "text": "Guten Tag"})
    server.clock.advance(seconds=100)
    closed = await bert.ok("chat.close", {"conversation_id": cid})
    today = server.clock.now.date().isoformat()

    body = (await _report(server, tokens["anna"], **{"from": today, "to": today})).body

    now = body["current"]
    assert (now["answered"], now["missed"], now["offline"], now["visitors"]) == (1, 0, 1, 2)
    assert now["wait"]["median"] == 12
    assert now["first_response"]["median"] == 17
    assert now["duration"]["median"] == _approx(105)
    assert body["pages"] == [{"path": "/pricing/pro", "chats": 1}]
    # Offered again (a repeated close, a rebuild racing it): not counted twice.
    conversation = await server.app.runtime.conversations.get(tenant.id, closed["conversation"]["id"])
    assert conversation is not None
    assert await server.app.runtime.report_counting.chat_closed(conversation) is False
    assert (await _report(server, tokens["anna"], **{"from": today, "to": today})).body == body


async def test_reports_count_a_transferred_and_a_missed_chat_as_they_happen(server: LiveServer) -> None:
    server.clock.now = server.clock.now.replace(hour=12, minute=0)
    _, users, tokens = await _shop(server)
    await server.request("PATCH", "/api/tenant", json={"auto_assign": False}, token=tokens["anna"])
    bert, carl = await server.agent(tokens["bert"]), await server.agent(tokens["carl"])
    for agent in (bert, carl):
        await agent.ok("status.set", {"status": "online"})
    sam, kim = await server.visitor("acme"), await server.visitor("acme")
    cid = (await sam.ok("chat.start", {"text": "Hallo", "client_id": "s-1"}))["conversation"]["id"]
    missed = (await kim.ok("chat.start", {"text": "Hallo?", "client_id": "k-1"}))["conversation"]["id"]
    server.clock.advance(seconds=8)
    await bert.ok("chat.accept", {"conversation_id": cid})
    await bert.ok(
        "chat.transfer", {"conversation_id": cid, "to_agent_id": users["carl"].id, "note": "Billing"}
    )
    server.clock.advance(seconds=4)
    await carl.ok("message.send", {"conversation_id": cid, "client_id": "c-1", "text": "Carl here"})
    await carl.ok("chat.close", {"conversation_id": cid})
    await kim.ok("chat.end", {"conversation_id": missed})
    today = server.clock.now.date().isoformat()

    body = (await _report(server, tokens["anna"], **{"from": today, "to": today})).body

    now = body["current"]
    assert (now["chats"], now["answered"], now["missed"], now["transfers"]) == (2, 1, 1, 1)
    assert (now["wait"]["median"], now["first_response"]["median"]) == (8, 12)
    assert [(a["name"], a["answered"], a["transfers"]) for a in body["agents"]] == [("Carl", 1, 1)]
    # The chat is Carl's own now, not Bert's.
    berts = (await _report(server, tokens["bert"], **{"from": today, "to": today})).body
    assert (berts["current"]["answered"], [(a["name"], a["answered"]) for a in berts["agents"]]) == (
        0,
        [("Bert", 0)],
    )


async def test_reports_csv_tables_are_the_reports(server: LiveServer) -> None:
    tenant, users, tokens = await _shop(server)
    await store_history(server.app.runtime.db.stores, tenant, users)
    await server.app.runtime.report_counting.rebuild(
        tenant.id, MONDAY.date() - timedelta(days=1), MONDAY.date()
    )
    query = {"from": DAY, "to": DAY}

    async def table(name: str) -> list[list[str]]:
        async with server.http.get(
            f"{server.url}/api/reports.csv?{urlencode(query | {'table': name})}",
            headers={"Authorization": f"Bearer {tokens['anna']}"},
        ) as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/csv")
            assert f"wschat-report-{name}-{DAY}-{DAY}.csv" in r.headers["Content-Disposition"]
            return list(csv.reader(io.StringIO(await r.text())))

    summary = {row[0]: row[1:] for row in await table("summary")}
    assert summary["answered"] == ["3", "1"]
    assert summary["wait_median_seconds"] == ["20", "50"]
    assert await table("days") == [["day", "answered", "missed", "offline"], [DAY, "3", "1", "1"]]
    assert (await table("agents"))[1][1:] == ["Bert", "2", "15", "0"]
    assert (await table("pages"))[1] == ["/pricing", "3"]
    hours = await table("hours")
    assert hours[1][0] == "Monday"
    assert hours[1][11] == "1"


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ({"from": "2026-03-02", "to": "2026-03-01"}, "INVALID_RANGE", "ends before it starts"),
        ({"from": "2024-01-01", "to": "2026-01-02"}, "INVALID_RANGE", "at most 732 days"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "VALIDATION_FAILED", None),
        ({"from": "yesterday", "to": "2026-03-01"}, "VALIDATION_FAILED", None),
        ({"from": "2026-03-01"}, "VALIDATION_FAILED", None),
        ({"from": "2026-03-01", "to": "2026-03-02", "agent": "x"}, "VALIDATION_FAILED", None),
    ],
)
async def test_reports_refuse_bad_periods_and_store_nothing(
    server: LiveServer, query: dict[str, str], code: str, message: str | None
) -> None:
    tenant, _, tokens = await _shop(server)
    stores = server.app.runtime.db.stores
    wide = (date(2020, 1, 1), date(2030, 1, 1))

    for csv_table in (None, "days"):
        reply = await _report(server, tokens["anna"], csv_table, **query)
        assert (reply.status, reply.code) == (400, code), reply.body
        if message:
            assert message in reply.body["error"]["message"]

    assert await stores.reports.rows(tenant.id, *wide, None) == []
    assert await stores.reports.visitors(tenant.id, *wide) == {}
    assert await stores.reports.rows(tenant.id, *wide, TENANT) == []


async def test_reports_need_a_signed_in_user(server: LiveServer) -> None:
    await _shop(server)
    reply = await server.request("GET", f"/api/reports?from={DAY}&to={DAY}")
    assert reply.status == 401


class _BrokenStore:
    """Fault injection (a database failing only for the reports' writes, which cannot be staged otherwise):
    every other method is the real store's."""

    def __init__(self, real: ReportStore) -> None:
        self.real = real

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)

    async def count(self, tenant_id: str, conversation_id: str, facts: object) -> bool:
        raise sqlite3.OperationalError("disk I/O error")


async def test_reports_failing_to_count_never_fails_the_chats_close(server: LiveServer) -> None:
    tenant, _, tokens = await _shop(server)
    counting = server.app.runtime.report_counting
    real = counting.store
    counting.store = _BrokenStore(real)  # type: ignore[assignment]
    bert = await server.agent(tokens["bert"])
    await bert.ok("status.set", {"status": "online"})
    sam = await server.visitor("acme")
    cid = (await sam.ok("chat.start", {"text": "Hallo", "client_id": "s-1"}))["conversation"]["id"]
    await bert.wait("chat.assigned")

    closed = await bert.ok("chat.close", {"conversation_id": cid})

    assert closed["conversation"]["status"] == "closed"
    await sam.wait("chat.ended")
    today = server.clock.now.date()
    assert await real.rows(tenant.id, today, today, None) == []
    # A rebuild counts what was missed.
    counting.store = real
    assert await counting.rebuild(tenant.id, today, today) == 1
    assert (await real.rows(tenant.id, today, today, TENANT))[0].counts["answered"] == 1
