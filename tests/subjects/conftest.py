"""A live wsChat with mail (a real aiosmtpd) behind a trusted proxy, so that each visitor has an address of
its own, and a tenant with two people who chatted, filled through the product itself: a page trail,
contact data, a chat with a call, a transcript mailed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
import socketio

from tests.mail.conftest import serving_mail
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, LiveServer, Peer, stored
from wschat.accounts.models import Plan, Role, Tenant
from wschat.config import Settings


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    async with serving_mail(settings, clock, http, smtp, behind_proxy=True) as live:
        yield live


@dataclass
class Person:
    visitor_id: str
    token: str
    conversation_id: str
    #: Strings of this person as stored (name, alias, e-mail, phone, address, texts, pages).
    strings: tuple[str, ...]


@dataclass
class Company:
    tenant: Tenant
    admin_token: str
    agent_token: str


async def company(server: LiveServer, slug: str) -> Company:
    tenant = await server.accounts.create_tenant(
        slug, f"{slug.title()} GmbH", Plan.CONTRACT, f"info@{slug}.test"
    )
    await server.make_user(tenant, "anna", Role.ADMIN)
    await server.make_user(tenant, "bert")
    return Company(tenant, await server.login(slug, "anna"), await server.login(slug, "bert"))


async def widget(server: LiveServer, slug: str, address: str) -> Peer:
    """A visitor's widget whose browser is at ``address`` (as the trusted proxy says)."""
    forwarded = {"X-Forwarded-For": f"{address}, 127.0.0.1"}
    reply = await server.request(
        "POST", f"/api/widget/{slug}/session", json={"token": None}, headers=forwarded
    )
    assert reply.status == 201, reply.body
    client = socketio.AsyncClient(reconnection=False)
    server.clients.append(client)
    await client.connect(
        server.url,
        namespaces=["/visitor"],
        auth={"tenant": slug, "token": reply.body["token"]},
        transports=["websocket"],
        headers=forwarded,
        wait_timeout=5,
    )
    peer = Peer(client, "/visitor")
    peer.token = reply.body["token"]
    return peer


async def person(server: LiveServer, slug: str, agent_token: str, who: str, address: str) -> Person:
    """A visitor who looked at a page, chatted under an alias, left contact data, had a video call, ended
    the chat and had its transcript mailed. ``who`` makes every string of theirs unique."""
    agent = await server.agent(agent_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await widget(server, slug, address)
    await visitor.ok("page.view", {"url": f"https://www.{slug}.example/{who}seite", "title": f"{who}titel"})
    started = await visitor.ok("chat.start", {"alias": f"{who}alias"})
    cid = started["conversation"]["id"]
    await visitor.wait("chat.assigned")
    contact = {
        "conversation_id": cid,
        "name": f"{who}name",
        "email": f"{who}@example.org",
        "phone": _phone(address),
    }
    await visitor.ok("contact.submit", contact)
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v1", "text": f"Frage {who}text"})
    await agent.ok("message.send", {"conversation_id": cid, "client_id": "a1", "text": f"Antwort {who}reply"})
    call = await agent.ok("call.start", {"conversation_id": cid, "kind": "video"})
    await agent.ok("call.end", {"call_id": call["call"]["id"]})
    await visitor.ok("chat.end", {"conversation_id": cid})
    await visitor.ok("transcript.request", {"conversation_id": cid, "email": f"{who}@example.org"})
    await agent.disconnect()
    await visitor.disconnect()
    stored_ip = address.rsplit(".", 1)[0] + ".0"  # truncated to /24, as stored by default
    visitor_id = (
        await server.request("POST", f"/api/widget/{slug}/session", json={"token": visitor.token})
    ).body["visitor_id"]
    await _settled(server, visitor_id)
    strings = (
        f"{who}name",
        f"{who}alias",
        f"{who}@example.org",
        stored_ip,
        f"{who}text",
        f"{who}reply",
        f"{who}seite",
        f"{who}titel",
        _phone(address),
    )
    return Person(visitor_id, visitor.token, cid, strings)


def _phone(address: str) -> str:
    return f"+49 30 555 {address.rsplit('.', 1)[1]}"


async def _settled(server: LiveServer, visitor_id: str) -> None:
    """Once the widget's socket is gone, its page is closed (a write after the disconnect): wait for it,
    so that a test's "nothing changed" compares a settled state."""
    db = server.app.runtime.db

    async def closed() -> bool:
        views = await stored(db, "page_views", visitor_id=visitor_id)
        [visitor] = await stored(db, "visitors", _id=visitor_id)
        return visitor.get("current_page") is None and all(v.get("left_at") for v in views)

    for _ in range(250):
        if await closed():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the visitor's page was never closed")
