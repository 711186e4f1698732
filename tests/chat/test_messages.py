"""Messages: stored before the ack, never lost, never doubled, in order; read receipts, typing, contact."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.support import Peer, stored
from wschat.config import Settings

#: The chat rules are the stores' rules too: both adapters keep them.
pytestmark = pytest.mark.both_backends


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Some of these tests send far faster than a person types, as a load test would: the visitor message
    limit is raised here, as an operator can (tests/chat/test_visitor_limits.py tests the limit itself)."""
    chat = replace(settings.chat, visitor_message_burst=10_000, visitor_messages_per_minute=1_000_000)
    return replace(settings, chat=chat)


async def _chat(team: Team) -> tuple[Peer, Peer, str]:
    """A visitor and Bert in an active conversation."""
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    assigned = await visitor.wait("chat.assigned")
    await bert.wait("chat.assigned")
    return visitor, bert, assigned["conversation_id"]


async def _stored(team: Team, cid: str) -> list[dict[str, Any]]:
    found = await stored(team.server.app.runtime.db, "messages", conversation_id=cid)
    return sorted(found, key=lambda doc: doc["seq"])


async def test_messages_flow_both_ways_with_increasing_seq(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    sent = await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v1", "text": "Hello?"})
    message = sent["message"]
    assert (message["seq"], message["text"], message["sender"]["kind"]) == (2, "Hello?", "visitor")
    assert message["sender"]["display_name"] == "Sam"
    received = await bert.wait("message.new", lambda d: d["message"]["client_id"] == "v1")
    assert received["message"] == message
    reply = await bert.ok("message.send", {"conversation_id": cid, "client_id": "a1", "text": "Hi Sam!"})
    assert reply["message"]["seq"] == 3
    on_widget = await visitor.wait("message.new", lambda d: d["message"]["client_id"] == "a1")
    assert on_widget["message"]["sender"] == {
        "kind": "agent",
        "id": team.bert.id,
        "display_name": "Bert",
        "photo_url": team.bert.photo_url,
    }
    # Every tab of the visitor gets it too.
    second_tab = await team.server.visitor(token=visitor.token)
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "a2", "text": "Both tabs"})
    await second_tab.wait("message.new", lambda d: d["message"]["client_id"] == "a2")
    # The tab that sends has its message in the ack; the other tab and the agent get the event.
    mine = await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v2", "text": "From tab 1"})
    assert (await second_tab.wait("message.new", lambda d: d["message"]["client_id"] == "v2"))["message"] == (
        mine["message"]
    )
    await bert.wait("message.new", lambda d: d["message"]["client_id"] == "v2")
    await visitor.barrier()
    assert "v2" not in [d["message"]["client_id"] for d in visitor.received("message.new")]
    # Likewise for an agent's own message on the agent's tab.
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "a3", "text": "From Bert"})
    await visitor.wait("message.new", lambda d: d["message"]["client_id"] == "a3")
    await bert.barrier()
    assert "a3" not in [d["message"]["client_id"] for d in bert.received("message.new")]


async def test_text_is_cleaned_and_bad_text_is_refused(team: Team) -> None:
    visitor, _, cid = await _chat(team)
    sent = await visitor.ok(
        "message.send",
        {"conversation_id": cid, "client_id": "c1", "text": "  line one\x07\r\nline\u202e two\t "},
    )
    assert sent["message"]["text"] == "line one\nline two"
    before = await _stored(team, cid)
    for text in ["", "   \n\t ", "\x00\x01", "x" * 4001]:
        reply = await visitor.call("message.send", {"conversation_id": cid, "client_id": "c2", "text": text})
        assert reply["error"]["code"] == "VALIDATION_FAILED", repr(text[:10])
    assert await _stored(team, cid) == before
    ok = await visitor.ok("message.send", {"conversation_id": cid, "client_id": "c3", "text": "y" * 4000})
    assert len(ok["message"]["text"]) == 4000


async def test_same_client_id_stores_once_and_acks_the_same(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    payload = {"conversation_id": cid, "client_id": "dup-1", "text": "only once"}
    first = await visitor.ok("message.send", payload)
    late = await visitor.ok("message.send", payload)
    assert late["message"] == first["message"]
    other_tab = await team.server.visitor(token=visitor.token)
    concurrent = await asyncio.gather(
        *(
            peer.call("message.send", {**payload, "client_id": "dup-2"})
            for peer in (visitor, other_tab)
            for _ in range(5)
        )
    )
    assert all(r["ok"] for r in concurrent)
    assert len({r["message"]["id"] for r in concurrent}) == 1
    conflict = await visitor.call("message.send", {**payload, "text": "something else"})
    assert conflict["error"]["code"] == "CONFLICT"
    stored = await _stored(team, cid)
    assert [m["client_id"] for m in stored].count("dup-1") == 1
    assert [m["client_id"] for m in stored].count("dup-2") == 1
    # Each resend is delivered again (the process that stored it may have died before it delivered it),
    # always as the one stored message: consoles keep it once by its seq.
    await bert.barrier()
    delivered = [d["message"] for d in bert.received("message.new") if d["message"]["client_id"] == "dup-2"]
    assert len(delivered) == 10
    assert {(m["id"], m["seq"]) for m in delivered} == {
        (concurrent[0]["message"]["id"], concurrent[0]["message"]["seq"])
    }


async def test_messages_sent_in_a_row_are_stored_in_order(team: Team) -> None:
    visitor, _, cid = await _chat(team)
    acks: list[asyncio.Future[Any]] = []
    loop = asyncio.get_running_loop()
    for i in range(40):
        future: asyncio.Future[Any] = loop.create_future()
        acks.append(future)
        await visitor.client.emit(
            "message.send",
            {"conversation_id": cid, "client_id": f"o{i}", "text": f"message {i}"},
            namespace="/visitor",
            callback=lambda reply, f=future: f.set_result(reply),
        )
    replies = await asyncio.wait_for(asyncio.gather(*acks), 30)
    assert all(r["ok"] for r in replies)
    texts = [m["text"] for m in await _stored(team, cid) if m["kind"] == "text"]
    assert texts == [f"message {i}" for i in range(40)]


async def test_concurrent_senders_get_distinct_gapless_seqs(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    tabs = [visitor, await team.server.visitor(token=visitor.token)]
    sends = [
        p.call("message.send", {"conversation_id": cid, "client_id": f"v{i}-{n}", "text": "v"})
        for n, p in enumerate(tabs)
        for i in range(15)
    ]
    sends += [
        bert.call("message.send", {"conversation_id": cid, "client_id": f"a{i}", "text": "a"})
        for i in range(15)
    ]
    replies = await asyncio.gather(*sends)
    assert all(r["ok"] for r in replies)
    seqs = [m["seq"] for m in await _stored(team, cid)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 1 + 45


async def test_reconnect_and_sync_returns_every_missed_message_once_in_order(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    sent = await visitor.ok("message.send", {"conversation_id": cid, "client_id": "before", "text": "before"})
    last_seen = sent["message"]["seq"]  # the sending tab has its own message from the ack
    await visitor.disconnect()
    carl = await team.agent("carl")
    for i in range(200):
        await bert.ok("message.send", {"conversation_id": cid, "client_id": f"m{i}", "text": f"missed {i}"})
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id, "note": "VIP"})
    await carl.ok("message.send", {"conversation_id": cid, "client_id": "after", "text": "Carl here"})
    back = await team.server.visitor(token=visitor.token)
    synced: list[dict[str, Any]] = []
    after = last_seen
    while True:
        page = await back.ok("messages.sync", {"conversation_id": cid, "after_seq": after, "limit": 64})
        if not page["messages"]:
            break
        synced += page["messages"]
        after = page["messages"][-1]["seq"]
    visible = [
        m["seq"] for m in await _stored(team, cid) if m["seq"] > last_seen and m["visibility"] == "all"
    ]
    assert [m["seq"] for m in synced] == visible, "every missed message exactly once, in order"
    assert len(visible) == 200 + 1 + 1  # the 200, "Carl has taken over", Carl's; the note is not visible
    texts = [m["text"] for m in synced if m["kind"] == "text"]
    assert texts == [f"missed {i}" for i in range(200)] + ["Carl here"]
    assert "VIP" not in str(synced), "the transfer note is for agents only"
    assert page["conversation"]["agent"]["display_name"] == "Carl"
    assert page["conversation"]["status"] == "active"


async def test_read_markers_give_read_receipts(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    sent = await bert.ok("message.send", {"conversation_id": cid, "client_id": "a1", "text": "Read me"})
    await visitor.ok("messages.read", {"conversation_id": cid, "seq": sent["message"]["seq"]})
    assert await bert.wait("messages.read") == {
        "conversation_id": cid,
        "by": "visitor",
        "seq": sent["message"]["seq"],
    }
    await bert.ok("messages.read", {"conversation_id": cid, "seq": 1})
    assert await visitor.wait("messages.read") == {"conversation_id": cid, "by": "agent", "seq": 1}
    # Markers only move forward.
    await visitor.ok("messages.read", {"conversation_id": cid, "seq": 1})
    sync = await bert.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
    assert sync["conversation"]["visitor_read_seq"] == sent["message"]["seq"]


async def test_typing_is_relayed_not_stored_and_rate_limited(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    before = await _stored(team, cid)
    await visitor.ok("typing", {"conversation_id": cid, "typing": True})
    relayed = await bert.wait("typing")
    assert relayed == {"conversation_id": cid, "typing": True, "by": {"display_name": "Sam"}}
    await bert.ok("typing", {"conversation_id": cid, "typing": True})
    assert (await visitor.wait("typing"))["by"] == {"display_name": "Bert"}
    codes = [
        (await visitor.call("typing", {"conversation_id": cid, "typing": i % 2 == 0}))
        .get("error", {})
        .get("code")
        for i in range(8)
    ]
    assert "RATE_LIMITED" in codes
    assert await _stored(team, cid) == before


async def test_contact_data_reaches_the_agents(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    reply = await visitor.ok(
        "contact.submit",
        {
            "conversation_id": cid,
            "name": "Sam Smith",
            "email": "sam@example.com",
            "phone": "+49 (30) 123-4567",
        },
    )
    assert reply["visitor"]["contact"] == {
        "name": "Sam Smith",
        "email": "sam@example.com",
        "phone": "+49 (30) 123-4567",
    }
    update = await bert.wait("visitor.updated", lambda d: d["visitor"]["contact"]["email"])
    assert update["visitor"]["contact"]["phone"] == "+49 (30) 123-4567"


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "not-an-address"},
        {"email": "a@b"},
        {"phone": "1234"},
        {"phone": "call me maybe"},
        {"phone": "1" * 21},
        {"name": ""},
        {},
        {"email": {"$ne": None}},
        {"email": ["a@example.com"]},
        {"phone": "+49 30 1234", "extra": 1},
    ],
)
async def test_contact_data_is_validated(team: Team, payload: dict[str, Any]) -> None:
    visitor, bert, _ = await _chat(team)
    assert await visitor.error("contact.submit", payload) == "VALIDATION_FAILED"
    visitors = await stored(team.server.app.runtime.db, "visitors", tenant_id=team.tenant.id)
    assert all(doc["contact"] == {} for doc in visitors)
    await bert.barrier()
    updates = [d["visitor"]["contact"] for d in bert.received("visitor.updated")]
    assert all(contact == {"name": None, "email": None, "phone": None} for contact in updates)


async def test_clients_cannot_use_the_system_prefix(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    before = await _stored(team, cid)
    for peer in (visitor, bert):
        code = await peer.error(
            "message.send", {"conversation_id": cid, "client_id": "sys:close:2", "text": "x"}
        )
        assert code == "VALIDATION_FAILED"
    assert await _stored(team, cid) == before


async def test_chat_start_checks_the_first_message_before_it_changes_anything(team: Team) -> None:
    visitor = await team.server.visitor()
    assert await visitor.error("chat.start", {"alias": "Sam", "text": "hello"}) == "VALIDATION_FAILED"
    assert await visitor.error("chat.start", {"text": "x" * 4001, "client_id": "c1"}) == "VALIDATION_FAILED"
    db = team.server.app.runtime.db
    assert await db.count("conversations") == 0
    assert (await stored(db, "visitors"))[0]["alias"] is None
    started = await visitor.ok("chat.start", {"alias": "Sam", "text": "hello", "client_id": "c1"})
    sync = await visitor.ok(
        "messages.sync", {"conversation_id": started["conversation"]["id"], "after_seq": 0}
    )
    first = next(m for m in sync["messages"] if m["kind"] == "text")
    assert first["sender"]["display_name"] == "Sam", "the first message already carries the new alias"


async def test_read_markers_are_clamped_and_only_announced_when_they_move(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    await visitor.ok("messages.read", {"conversation_id": cid, "seq": 2**40})
    assert await bert.wait("messages.read") == {"conversation_id": cid, "by": "visitor", "seq": 1}
    await visitor.ok("messages.read", {"conversation_id": cid, "seq": 1})
    await visitor.ok("messages.read", {"conversation_id": cid, "seq": 0})
    await bert.barrier()
    assert len(bert.received("messages.read")) == 1


async def test_an_agent_resending_after_the_close_gets_the_stored_message(team: Team) -> None:
    visitor, bert, cid = await _chat(team)
    sent = await bert.ok("message.send", {"conversation_id": cid, "client_id": "late-ack", "text": "Bye!"})
    await visitor.ok("chat.end", {"conversation_id": cid})
    again = await bert.ok("message.send", {"conversation_id": cid, "client_id": "late-ack", "text": "Bye!"})
    assert again["message"] == sent["message"]
    code = await bert.error(
        "message.send", {"conversation_id": cid, "client_id": "new-one", "text": "Hello?"}
    )
    assert code == "CONVERSATION_CLOSED"


async def test_system_messages_of_a_held_chat_reach_only_its_agent(team: Team) -> None:
    _, bert, cid = await _chat(team)
    carl = await team.agent("carl")
    await bert.ok("chat.close", {"conversation_id": cid})
    closed = await bert.wait("message.new", lambda d: d["message"]["event"] == "closed_by_agent")
    assert closed["message"]["data"] == {"agent": "Bert"}
    await carl.barrier()
    assert [d for d in carl.received("message.new") if d["message"]["conversation_id"] == cid] == []
