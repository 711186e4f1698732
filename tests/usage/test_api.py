"""``GET /api/operator/stats``: each tenant's state, dates, users, last 30 days and storage, after real
traffic through the product; for the bearer of the operator's token only, on both adapters."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from tests.support import FakeClock, LiveServer, Reply, start_server
from wschat.accounts.models import Plan, Role
from wschat.config import Secret, Settings
from wschat.storage import TABLES

TOKEN = secrets.token_urlsafe(32)

pytestmark = pytest.mark.both_backends


@pytest.fixture
async def live(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[LiveServer]:
    async with start_server(replace(settings, operator_token=Secret(TOKEN)), clock, http) as server:
        yield server
        if server.app.runtime.db.kind == "mongodb":
            await server.app.runtime.db.drop()


async def _stats(server: LiveServer, query: str = "", token: str = TOKEN) -> Reply:
    return await server.request("GET", f"/api/operator/stats{query}", token=token)


async def _chat(server: LiveServer, agent_token: str, texts: list[str]) -> None:
    agent = await server.agent(agent_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await server.visitor()
    chat = (await visitor.ok("chat.start"))["conversation"]["id"]
    for n, text in enumerate(texts):
        await visitor.ok("message.send", {"conversation_id": chat, "text": text, "client_id": f"c{n}"})


async def _stored(server: LiveServer) -> dict[str, int]:
    db = server.app.runtime.db
    return {table: await db.count(table) for table in TABLES}


async def test_stats_show_each_tenant_with_its_usage(live: LiveServer) -> None:
    acme = await live.make_tenant("acme")
    await live.make_tenant("beta", Plan.DEMO)
    await live.make_user(acme, "anna", Role.ADMIN)
    await live.make_user(acme, "bert")
    await _chat(live, await live.login("acme", "bert"), ["Guten Tag", "Eine Frage zur Rechnung"])

    reply = await _stats(live)

    assert reply.status == 200, reply.body
    shown: dict[str, Any] = {t["slug"]: t for t in reply.body["tenants"]}
    assert list(shown) == ["acme", "beta"]
    a, b = shown["acme"], shown["beta"]
    assert (a["name"], a["plan"], a["status"], a["state"]) == ("Acme GmbH", "contract", "active", "contract")
    assert a["users"] == {"admins": 1, "agents": 1}
    assert (a["last_30_days"]["chats"], a["last_30_days"]["messages"]) == (1, 2)
    assert a["stored"]["chats"] == 1
    assert a["stored"]["messages"] >= 2
    assert a["stored"]["bytes"] >= len("Guten Tag" + "Eine Frage zur Rechnung")
    assert a["created_at"]
    assert a["chat_data_deleted_at"] is None
    assert a["legal_hold"] is False
    assert (b["plan"], b["state"], b["users"]) == ("demo", "demo", {"admins": 0, "agents": 0})
    assert b["demo_ends_at"]
    assert b["chat_data_deleted_at"]
    assert b["last_30_days"] | {"since": None} == {"since": None, "chats": 0, "messages": 0}
    assert b["stored"] == {"chats": 0, "messages": 0, "bytes": 0}

    one = await _stats(live, "?tenant=beta")
    assert [t["slug"] for t in one.body["tenants"]] == ["beta"]


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("?tenant=nobody", 404, "NOT_FOUND"),
        ("?tenant=Not%20a%20slug!", 400, "VALIDATION_FAILED"),
        ("?tenants=acme", 400, "VALIDATION_FAILED"),
    ],
)
async def test_stats_refuse_a_bad_query(live: LiveServer, query: str, status: int, code: str) -> None:
    await live.make_tenant("acme")
    reply = await _stats(live, query)
    assert (reply.status, reply.code) == (status, code)
    assert reply.body["error"]["message"]


async def test_stats_are_for_the_operator_alone(live: LiveServer) -> None:
    acme = await live.make_tenant("acme")
    await live.make_user(acme, "anna", Role.ADMIN)
    admin = await live.login("acme", "anna")
    before = await _stored(live)

    for token in (admin, "", TOKEN[:-1], TOKEN + "x"):
        reply = await _stats(live, token=token)
        assert (reply.status, reply.code) == (401, "AUTH_INVALID"), "a tenant's admin is not the operator"
        assert "tenants" not in reply.body
    assert (await live.request("GET", "/api/operator/stats")).status == 401
    assert await _stored(live) == before


async def test_without_an_operator_token_there_are_no_stats(server: LiveServer) -> None:
    await server.make_tenant("acme")
    reply = await _stats(server)
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
