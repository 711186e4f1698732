"""Visitors cannot flood (security review, item 3): per visitor, over all their tabs, with RATE_LIMITED and
nothing stored beyond the limit; the limits are settings, small here so that the tests stay short."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from dataclasses import replace

import aiohttp
import pytest
import socketio

from tests.chat.conftest import Team
from tests.support import FakeClock, LiveServer, Peer, start_server, stored, wait_for
from wschat.accounts.models import Role
from wschat.config import Settings

BURST = 3
PER_MINUTE = 60  # so at most 3 messages within any 3 s
CHATS, CONTACTS, CALLS, SOCKETS = 3, 2, 2, 2


@pytest.fixture
async def team(settings: Settings, clock: FakeClock, http: aiohttp.ClientSession) -> AsyncIterator[Team]:
    chat = replace(
        settings.chat,
        visitor_message_burst=BURST,
        visitor_messages_per_minute=PER_MINUTE,
        visitor_chats_per_hour=CHATS,
        visitor_contacts_per_hour=CONTACTS,
        visitor_calls_per_hour=CALLS,
        sockets_per_visitor=SOCKETS,
    )
    async with start_server(replace(settings, chat=chat), clock, http) as server:
        tenant = await server.make_tenant("acme")
        users = [await server.make_user(tenant, name, role) for name, role in _PEOPLE]
        tokens = {name: await server.login("acme", name) for name, _ in _PEOPLE}
        yield Team(server, tenant, *users, tokens)
        await server.app.runtime.db.drop()


_PEOPLE = (("anna", Role.ADMIN), ("bert", Role.AGENT), ("carl", Role.AGENT))


async def _stored_texts(server: LiveServer) -> list[str]:
    messages = await stored(server.app.runtime.db, "messages", sender__kind="visitor")
    return [doc["text"] for doc in sorted(messages, key=lambda doc: (doc["created_at"], doc["seq"]))]


async def _refused(peer: Peer, event: str, payload: dict[str, object]) -> str:
    """The RATE_LIMITED refusal's human message."""
    reply = await peer.call(event, payload)
    assert reply["ok"] is False, reply
    assert reply["error"]["code"] == "RATE_LIMITED", reply
    message: str = reply["error"]["message"]
    return message


async def test_messages_past_the_burst_are_refused_and_not_stored_across_tabs(team: Team) -> None:
    sam = await team.server.visitor()
    second_tab = await team.server.visitor(token=sam.token)
    cid = (await sam.ok("chat.start", {"alias": "Sam", "text": "m0", "client_id": "c0"}))["conversation"][
        "id"
    ]
    await second_tab.ok("message.send", {"conversation_id": cid, "client_id": "c1", "text": "m1"})
    await sam.ok("message.send", {"conversation_id": cid, "client_id": "c2", "text": "m2"})
    for tab, n in ((sam, 3), (second_tab, 4)):  # the burst is the visitor's, whichever tab sends
        payload = {"conversation_id": cid, "client_id": f"c{n}", "text": f"m{n}"}
        assert "too fast" in await _refused(tab, "message.send", payload)
    assert sorted(await _stored_texts(team.server)) == ["m0", "m1", "m2"]
    # The window is BURST messages per BURST × 60 / PER_MINUTE seconds: once it has passed, sending works.
    team.server.clock.advance(seconds=BURST * 60 / PER_MINUTE + 0.01)
    await sam.ok("message.send", {"conversation_id": cid, "client_id": "c5", "text": "m5"})
    assert sorted(await _stored_texts(team.server)) == ["m0", "m1", "m2", "m5"]


async def test_chat_start_and_end_cycles_are_limited(team: Team) -> None:
    sam = await team.server.visitor()
    for _ in range(CHATS):
        cid = (await sam.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
        await sam.ok("chat.end", {"conversation_id": cid})
    assert "Too many new chats" in await _refused(sam, "chat.start", {"alias": "Sam"})
    assert await team.server.app.runtime.db.count("conversations") == CHATS
    team.server.clock.advance(hours=1)
    await sam.ok("chat.start", {"alias": "Sam"})
    # Another visitor is not affected by Sam's cycles.
    await (await team.server.visitor()).ok("chat.start", {"alias": "Kim"})


async def test_contact_data_changes_are_limited_and_the_last_accepted_stays(team: Team) -> None:
    sam = await team.server.visitor()
    for n in range(CONTACTS):
        await sam.ok("contact.submit", {"email": f"sam{n}@example.com"})
    assert "contact data" in await _refused(sam, "contact.submit", {"email": "flood@example.com"})
    visitor = (await stored(team.server.app.runtime.db, "visitors"))[0]
    assert visitor["contact"]["email"] == f"sam{CONTACTS - 1}@example.com"
    team.server.clock.advance(hours=1)
    await sam.ok("contact.submit", {"email": "sam@example.com"})


async def test_calls_a_visitor_starts_are_limited(team: Team) -> None:
    bert = await team.agent("bert")
    reply = await team.server.request(
        "PATCH", "/api/tenant/video", json={"allow_visitor_calls": True}, token=team.tokens["anna"]
    )
    assert reply.status == 200, reply.body
    sam = await team.server.visitor()
    cid = (await sam.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
    await bert.wait("chat.assigned")
    start = {"conversation_id": cid, "kind": "video"}
    for _ in range(CALLS):
        call = (await sam.ok("call.start", start))["call"]
        await sam.ok("call.end", {"call_id": call["id"]})
    assert "Too many calls" in await _refused(sam, "call.start", start)
    assert await team.server.app.runtime.db.count("calls") == CALLS
    team.server.clock.advance(hours=1)
    await sam.ok("call.start", start)
    assert await team.server.app.runtime.db.count("calls") == CALLS + 1


async def test_sockets_per_visitor_are_limited(team: Team) -> None:
    sam = await team.server.visitor()
    await team.server.visitor(token=sam.token)
    refused = await team.server.refused("/visitor", {"tenant": "acme", "token": sam.token})
    assert refused["code"] == "RATE_LIMITED"
    assert "Too many chat windows" in refused["message"]
    store = team.server.app.runtime.presence.store
    visitor = (await stored(team.server.app.runtime.db, "visitors"))[0]
    assert visitor is not None
    assert await store.socket_count(team.tenant.id, visitor["_id"]) == SOCKETS
    # Closing a tab makes room again; other visitors never shared the count.
    await sam.disconnect()
    await wait_for(lambda: _fewer(store.socket_count(team.tenant.id, visitor["_id"])))
    await team.server.visitor(token=sam.token)
    await team.server.visitor()


async def test_sockets_opened_at_once_never_exceed_the_limit(team: Team) -> None:
    sam = await team.server.visitor()
    auth = {"tenant": "acme", "token": sam.token}
    # Connects that all arrive before any is recorded must not each see room for one more.
    outcomes = await asyncio.gather(
        *(team.server.connect("/visitor", auth) for _ in range(4 * SOCKETS)), return_exceptions=True
    )
    accepted = [o for o in outcomes if isinstance(o, socketio.AsyncClient)]
    assert all(isinstance(o, socketio.exceptions.ConnectionError) for o in outcomes if o not in accepted)
    assert len(accepted) <= SOCKETS - 1
    visitor = (await stored(team.server.app.runtime.db, "visitors"))[0]
    assert visitor is not None
    store = team.server.app.runtime.presence.store
    assert await store.socket_count(team.tenant.id, visitor["_id"]) == 1 + len(accepted)


async def test_a_first_message_past_the_burst_starts_no_chat(team: Team) -> None:
    sam = await team.server.visitor()
    cid = (await sam.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
    for n in range(BURST):
        await sam.ok("message.send", {"conversation_id": cid, "client_id": f"c{n}", "text": f"m{n}"})
    await sam.ok("chat.end", {"conversation_id": cid})
    first = {"alias": "Sam", "text": "again", "client_id": "c-again"}
    assert "too fast" in await _refused(sam, "chat.start", first)
    assert await team.server.app.runtime.db.count("conversations") == 1
    assert "again" not in await _stored_texts(team.server)


async def _fewer(count: Awaitable[int]) -> bool:
    return await count < SOCKETS
