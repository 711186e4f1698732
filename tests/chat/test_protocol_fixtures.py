"""The JSON fixtures in tests/fixtures/protocol/ are what the server really sends and accepts.

The front end tests against the same files, so a change of the wire format shows up on both sides.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.chat.conftest import Team
from tests.mail.smtpd import SmtpServer
from tests.support import LiveServer
from wschat.wire import parse

FIXTURES = Path(__file__).parent.parent / "fixtures" / "protocol"


def _load(direction: str) -> dict[tuple[str, str], dict[str, Any]]:
    found = {}
    for path in sorted((FIXTURES / direction).rglob("*.json")):
        doc = json.loads(path.read_text())
        found[(doc["namespace"], doc["event"])] = doc
    return found


CLIENT = _load("client")
SERVER = _load("server")
#: Call events have their own traffic test: tests/signalling/test_protocol_fixtures.py; appointment events
#: theirs: tests/appointments/test_protocol_fixtures.py.
CALL_EVENTS = ("call.", "rtc.")
#: Events whose traffic tests live elsewhere (calls, appointments): this file's checks leave them out.
OTHER_EVENTS = (*CALL_EVENTS, "appointment.")


def same_shape(real: Any, fixture: Any, where: str = "$") -> None:
    """Same keys at every level and the same JSON types."""
    if real is None or fixture is None or where.endswith(".data"):
        return  # null matches anything; a system message's data depends on its event
    if isinstance(fixture, dict):
        assert isinstance(real, dict), where
        assert set(real) == set(fixture), f"{where}: {sorted(set(real) ^ set(fixture))}"
        for key in fixture:
            same_shape(real[key], fixture[key], f"{where}.{key}")
    elif isinstance(fixture, list):
        assert isinstance(real, list), where
        for item in real:
            if fixture:
                same_shape(item, fixture[0], f"{where}[]")
    else:
        assert type(real) is type(fixture), f"{where}: {type(real).__name__} vs {type(fixture).__name__}"


def test_every_client_event_has_a_fixture_that_validates(server: LiveServer) -> None:
    models = server.app.realtime.models
    assert set(CLIENT) == set(models), "fixtures and registered events differ"
    for key, doc in CLIENT.items():
        parse(models[key], doc["payload"])


async def test_real_traffic_matches_the_fixtures(team: Team) -> None:
    s = team.server
    visitor = await s.visitor()
    anna = await team.agent("anna", online=False)
    bert = await team.agent("bert")
    carl = await team.agent("carl")
    await visitor.wait("presence")
    acks: dict[tuple[str, str], dict[str, Any]] = {}

    async def v(event: str, payload: dict[str, Any]) -> dict[str, Any]:
        acks[("/visitor", event)] = reply = await visitor.ok(event, payload)
        return reply

    async def a(peer: Any, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        acks[("/agent", event)] = reply = await peer.ok(event, payload)
        return reply

    await v("page.view", {"url": "https://www.acme.example/", "title": "Acme"})
    await v("chat.start", {"alias": "Sam", "text": "Hello?", "client_id": "c-1"})
    cid = (await visitor.wait("chat.assigned"))["conversation_id"]
    holder, other, other_id = (
        (bert, carl, team.carl.id)
        if (await visitor.wait("chat.assigned"))["agent"]["id"] == team.bert.id
        else (carl, bert, team.bert.id)
    )
    await v("chat.current", {})
    await v("message.send", {"conversation_id": cid, "client_id": "c-2", "text": "Anyone?"})
    await a(holder, "message.send", {"conversation_id": cid, "client_id": "a-1", "text": "Yes!"})
    await v("messages.sync", {"conversation_id": cid, "after_seq": 0})
    await a(holder, "messages.sync", {"conversation_id": cid, "after_seq": 0})
    await a(holder, "messages.before", {"conversation_id": cid, "before_seq": 3, "limit": 1})
    await v("messages.read", {"conversation_id": cid, "seq": 3})
    await a(holder, "messages.read", {"conversation_id": cid, "seq": 2})
    await v("typing", {"conversation_id": cid, "typing": True})
    await a(holder, "typing", {"conversation_id": cid, "typing": True})
    await v("contact.submit", {"conversation_id": cid, "email": "sam@example.com"})
    await a(anna, "status.set", {"status": "away"})
    await a(anna, "agents.list", {})
    await a(anna, "queue.list", {})
    live = await a(anna, "visitors.live", {})
    await a(anna, "visitor.pages", {"visitor_id": live["visitors"][0]["id"]})
    await a(holder, "chats.list", {})
    await a(holder, "chat.transfer", {"conversation_id": cid, "to_agent_id": other_id, "note": "VIP"})
    await a(other, "chat.history", {"conversation_id": cid})
    await a(other, "chat.close", {"conversation_id": cid})
    await team.set_tenant(auto_assign=False)
    await v("chat.start", {})
    queued = (await anna.ok("queue.list"))["conversations"]
    await a(other, "chat.accept", {"conversation_id": queued[0]["id"]})
    await v("chat.end", {"conversation_id": queued[0]["id"]})
    smtp = SmtpServer()
    await smtp.start()
    try:
        mail = {"smtp_url": smtp.url, "from_address": "chat@acme.example"}
        saved = await s.request("PUT", "/api/mail/settings", json=mail, token=team.tokens["anna"])
        assert saved.status == 200
        await v("transcript.request", {"conversation_id": queued[0]["id"], "email": "sam@example.com"})
        for agent in (anna, bert, carl):
            await a(agent, "status.set", {"status": "offline"})
        await v("offline.leave", {"email": "sam@example.com", "text": "Please call me back."})
    finally:
        await smtp.stop()

    chat_events = {key for key in CLIENT if not key[1].startswith(OTHER_EVENTS)}
    assert set(acks) == chat_events, f"not exercised: {chat_events - set(acks)}"
    for key, reply in acks.items():
        same_shape(reply, CLIENT[key]["ack"], f"{key[1]} ack")

    received = {("/visitor", e): d for e, d in visitor.events}
    for peer in (anna, bert, carl):
        received |= {("/agent", e): d for e, d in peer.events}
    chat_sent = {key for key in SERVER if not key[1].startswith(OTHER_EVENTS)}
    assert chat_sent <= set(received), f"never sent: {chat_sent - set(received)}"
    for key, payload in received.items():
        assert key in SERVER, f"undocumented event {key}"
        same_shape(payload, SERVER[key]["payload"], f"{key[1]} event")
