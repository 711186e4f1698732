"""A long conversation is handed over as its newest page; the console pages back with messages.before."""

from __future__ import annotations

from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.support import Peer
from wschat.chat.models import HISTORY_PAGE, Party, SenderKind

#: The chat rules are the stores' rules too: both adapters keep them.
pytestmark = [pytest.mark.timeout(60), pytest.mark.both_backends]

FLOOD = 300


async def _flooded_chat(team: Team) -> tuple[str, int]:
    """A queued chat whose visitor wrote FLOOD messages; its id and its last seq."""
    visitor = await team.server.visitor()
    cid = (await visitor.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
    runtime = team.server.app.runtime
    conversation = await runtime.conversations.get(team.tenant.id, cid)
    assert conversation is not None
    sam = Party(SenderKind.VISITOR, conversation.visitor_id, "Sam")
    # Through the message service: the visitor's rate limit would refuse 300 message.send events in a row.
    for n in range(1, FLOOD + 1):
        await runtime.messages.send(conversation, sam, f"c-{n}", f"message {n}")
    return cid, FLOOD


async def _page_back(peer: Peer, cid: str, newest: list[dict[str, Any]], limit: int) -> list[int]:
    """Every seq from the first message to the newest page, following messages.before."""
    pages = [newest]
    earlier = True
    while earlier:
        payload = {"conversation_id": cid, "before_seq": pages[0][0]["seq"], "limit": limit}
        reply = await peer.ok("messages.before", payload)
        assert 0 < len(reply["messages"]) <= limit
        pages.insert(0, reply["messages"])
        earlier = reply["has_earlier"]
    return [m["seq"] for page in pages for m in page]


async def test_an_assignment_sends_the_last_page_and_the_agent_pages_back_to_seq_1(team: Team) -> None:
    cid, last = await _flooded_chat(team)
    bert = await team.agent("bert")  # routing gives Bert the waiting chat
    assigned = await bert.wait("chat.assigned", timeout=10)
    seqs = [m["seq"] for m in assigned["messages"]]
    assert seqs == list(range(last - HISTORY_PAGE + 1, last + 1))
    assert assigned["has_earlier"] is True
    assert assigned["messages"][-1]["text"] == f"message {FLOOD}"
    # "Bert joined the chat." ends the assignment's aftermath (wschat.chat.markers): it follows.
    joined = await bert.wait("message.new", lambda d: d["message"]["event"] == "assigned")
    assert joined["message"]["seq"] == last + 1
    # Pages of 64 do not line up with the 50 of the first page: no gap, no duplicate all the same.
    assert await _page_back(bert, cid, assigned["messages"], 64) == list(range(1, last + 1))


async def test_a_transfer_sends_the_last_page_with_the_agents_only_note(team: Team) -> None:
    cid, last = await _flooded_chat(team)
    bert = await team.agent("bert")
    await bert.wait("chat.assigned", timeout=10)
    carl = await team.agent("carl")
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id, "note": "VIP"})
    handed = await carl.wait("chat.assigned", timeout=10)
    last += 2  # "Bert joined the chat.", the note; "Carl has taken over the chat." follows
    assert [m["seq"] for m in handed["messages"]] == list(range(last - HISTORY_PAGE + 1, last + 1))
    assert handed["has_earlier"] is True
    note = handed["messages"][-1]
    assert (note["event"], note["visibility"], note["text"]) == ("transfer_note", "agents", "VIP")
    assert await _page_back(carl, cid, handed["messages"], 100) == list(range(1, last + 1))
    taken = await carl.wait("message.new", lambda d: d["message"]["event"] == "transferred")
    assert taken["message"]["seq"] == last + 1


async def test_a_short_chat_is_handed_over_whole_and_says_there_is_nothing_earlier(team: Team) -> None:
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    cid = (await visitor.ok("chat.start", {"text": "Hello?", "client_id": "c-1"}))["conversation"]["id"]
    assigned = await bert.wait("chat.assigned")
    assert assigned["messages"] == []  # "Bert joined the chat." follows as message.new
    assert assigned["has_earlier"] is False
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "c-2", "text": "Anyone?"})
    newest = await bert.ok("messages.before", {"conversation_id": cid})
    assert [(m["seq"], m["text"]) for m in newest["messages"]] == [
        (1, "Bert joined the chat."),
        (2, "Hello?"),
        (3, "Anyone?"),
    ]
    assert newest["has_earlier"] is False
    two = await bert.ok("messages.before", {"conversation_id": cid, "limit": 2})
    assert ([m["seq"] for m in two["messages"]], two["has_earlier"]) == ([2, 3], True)
    nothing = await bert.ok("messages.before", {"conversation_id": cid, "before_seq": 1})
    assert nothing == {"ok": True, "messages": [], "has_earlier": False}


@pytest.mark.parametrize(
    "bad",
    [
        {"before_seq": 0},
        {"before_seq": -1},
        {"before_seq": "5"},
        {"before_seq": 5.0},
        {"before_seq": True},
        {"before_seq": {"$gt": 0}},
        {"before_seq": 2**53 + 1},
        {"before_seq": 5, "limit": 0},
        {"before_seq": 5, "limit": 1001},
        {"before_seq": 5, "after_seq": 0},
    ],
)
async def test_a_bad_before_seq_is_refused_and_changes_nothing(team: Team, bad: dict[str, Any]) -> None:
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    cid = (await visitor.ok("chat.start", {"text": "Hello?", "client_id": "c-1"}))["conversation"]["id"]
    await bert.wait("chat.assigned")
    db = team.server.app.runtime.db
    stored = await db.count("messages")
    reply = await bert.call("messages.before", {"conversation_id": cid, **bad})
    assert reply["ok"] is False
    assert reply["error"]["code"] == "VALIDATION_FAILED"
    assert "messages" not in reply
    assert await db.count("messages") == stored
    answer = await bert.ok("messages.before", {"conversation_id": cid, "before_seq": 3})
    assert [m["text"] for m in answer["messages"]] == ["Bert joined the chat.", "Hello?"]


async def test_messages_before_is_for_agents_of_the_tenant_only(team: Team) -> None:
    s = team.server
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start", {"text": "Hello?", "client_id": "c-1"}))["conversation"]["id"]
    await bert.wait("chat.assigned")
    assert len((await bert.ok("messages.before", {"conversation_id": cid}))["messages"]) == 2
    # The widget has no such event: a visitor reads their chat with messages.sync.
    assert await visitor.error("messages.before", {"conversation_id": cid}) == "NOT_FOUND"
    globex = await s.make_tenant("globex")
    await s.make_user(globex, "gina")
    gina = await s.agent(await s.login("globex", "gina"))
    assert await gina.error("messages.before", {"conversation_id": cid}) == "NOT_FOUND"
