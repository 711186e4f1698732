"""Handing a live chat to a colleague."""

from __future__ import annotations

import pytest

from tests.chat.conftest import Team
from tests.support import Peer

#: The chat rules are the stores' rules too: both adapters keep them.
pytestmark = pytest.mark.both_backends


async def _bert_holds_a_chat(team: Team) -> tuple[Peer, Peer, Peer, str]:
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid = (await visitor.wait("chat.assigned"))["conversation_id"]
    await visitor.ok(
        "message.send", {"conversation_id": cid, "client_id": "v1", "text": "I need help with my order"}
    )
    carl = await team.agent("carl")
    return visitor, bert, carl, cid


async def test_transfer_moves_the_chat_with_history_and_a_private_note(team: Team) -> None:
    visitor, bert, carl, cid = await _bert_holds_a_chat(team)
    reply = await bert.ok(
        "chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id, "note": "Order #42, VIP"}
    )
    assert reply["conversation"]["agent"]["display_name"] == "Carl"
    on_widget = await visitor.wait("chat.assigned", lambda d: d["agent"]["display_name"] == "Carl")
    assert on_widget["agent"] == {
        "id": team.carl.id,
        "display_name": "Carl",
        "photo_url": team.carl.photo_url,
    }
    handed = await carl.wait("chat.assigned")
    texts = [m["text"] for m in handed["messages"]]
    assert "I need help with my order" in texts
    assert "Order #42, VIP" in texts, "the receiving agent sees the note"
    assert (await bert.wait("chat.transferred")) == {
        "conversation_id": cid,
        "to": {"id": team.carl.id, "display_name": "Carl", "photo_url": team.carl.photo_url},
    }
    assert "Order #42" not in str(visitor.events)
    history = await carl.ok("chat.history", {"conversation_id": cid})
    kinds = [(h["kind"], h["from_agent_id"], h["to_agent_id"]) for h in history["assignments"]]
    assert kinds == [("auto", None, team.bert.id), ("transfer", team.bert.id, team.carl.id)]
    assert history["assignments"][1]["note"] == "Order #42, VIP"
    # The new holder can write, the old one cannot.
    await carl.ok("message.send", {"conversation_id": cid, "client_id": "c1", "text": "Carl here"})
    assert (
        await bert.error("message.send", {"conversation_id": cid, "client_id": "b9", "text": "x"})
        == "FORBIDDEN"
    )


async def test_only_the_holder_or_an_admin_may_transfer(team: Team) -> None:
    _, _, carl, cid = await _bert_holds_a_chat(team)
    code = await carl.error("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id})
    assert code == "FORBIDDEN"
    anna = await team.agent("anna")
    reply = await anna.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id})
    assert reply["conversation"]["agent"]["id"] == team.carl.id


async def test_transfer_to_an_unavailable_agent_is_refused(team: Team) -> None:
    _, bert, carl, cid = await _bert_holds_a_chat(team)
    await carl.ok("status.set", {"status": "away"})
    assert (
        await bert.error("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id})
        == "AGENT_UNAVAILABLE"
    )
    await carl.ok("status.set", {"status": "online"})
    await team.server.request(
        "PATCH", f"/api/agents/{team.carl.id}", json={"max_chats": 1}, token=team.tokens["anna"]
    )
    other = await team.server.visitor()
    await other.ok("chat.start")
    await other.wait("chat.assigned")  # Carl is now full
    assert (
        await bert.error("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id})
        == "AGENT_UNAVAILABLE"
    )
    assert (
        await bert.error("chat.transfer", {"conversation_id": cid, "to_agent_id": team.bert.id})
        == "AGENT_UNAVAILABLE"
    )
    anna_offline = team.anna.id
    assert (
        await bert.error("chat.transfer", {"conversation_id": cid, "to_agent_id": anna_offline})
        == "AGENT_UNAVAILABLE"
    )
    sync = await bert.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
    assert sync["conversation"]["agent"]["id"] == team.bert.id
    assert [m.get("event") for m in sync["messages"]].count("transferred") == 0


async def test_transfer_note_is_cleaned_and_an_empty_note_is_none(team: Team) -> None:
    _, bert, carl, cid = await _bert_holds_a_chat(team)
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": team.carl.id, "note": " \t\x07 "})
    history = await carl.ok("chat.history", {"conversation_id": cid})
    assert history["assignments"][-1]["note"] is None
    handed = await carl.wait("chat.assigned")
    assert not [m for m in handed["messages"] if m["event"] == "transfer_note"]
