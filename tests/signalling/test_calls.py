"""Starting, answering, declining, leaving and ending calls; records and system messages."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.signalling.conftest import Chat, open_chat
from tests.support import stored, wait_for


async def _record(chat: Chat, call_id: str) -> dict[str, Any]:
    doc = (await stored(chat.team.server.app.runtime.db, "calls", _id=call_id))[0]
    assert doc is not None
    return doc


async def _system_texts(chat: Chat) -> list[str]:
    reply = await chat.visitor.ok("messages.sync", {"conversation_id": chat.conversation_id})
    return [m["text"] for m in reply["messages"] if m["kind"] == "system"]


async def test_call_start_invites_the_visitor_who_joins_and_either_side_ends_it(chat: Chat) -> None:
    started = await chat.start_call()
    call = started["call"]
    assert call["status"] == "ringing"
    assert call["mode"] == "p2p"
    assert call["recorded"] is False
    assert started["ice_servers"] == []
    invite = await chat.visitor.wait("call.invite")
    assert invite["call"]["id"] == call["id"]
    assert invite["ice_servers"] == []
    joined = await chat.visitor.ok("call.join", {"call_id": call["id"]})
    assert joined["call"]["status"] == "active"
    assert [p["side"] for p in joined["call"]["participants"]] == ["agent", "visitor"]
    await chat.bert.wait("call.joined", lambda d: d["participant"]["side"] == "visitor")
    chat.team.server.clock.advance(seconds=125)
    ended = await chat.visitor.ok("call.end", {"call_id": call["id"]})
    assert ended["call"]["status"] == "ended"
    assert ended["call"]["duration"] == 125
    assert ended["call"]["end_reason"] == "hangup"
    assert ended["call"]["ended_by"] == "visitor"
    for peer in (chat.bert, chat.visitor):
        await peer.wait("call.ended", lambda d: d["call"]["id"] == call["id"])
    record = await _record(chat, call["id"])
    assert record["recorded"] is False
    assert record["duration"] == 125
    assert record["conversation_id"] == chat.conversation_id
    assert record["kind"] == "video"
    assert all(p["left_at"] is not None for p in record["participants"])
    assert set(record) <= {
        "_id", "tenant_id", "conversation_id", "visitor_id", "agent_id", "kind", "mode", "room", "epoch",
        "started_by", "started_by_id", "created_at", "expires_at", "recorded", "status", "participants",
        "sids", "started_at", "ended_at", "end_reason", "ended_by", "duration", "open_key",
    }  # fmt: skip
    texts = await _system_texts(chat)
    assert "Bert started a video call." in texts
    assert "The video call ended (2:05)." in texts
    sync = await chat.visitor.ok("messages.sync", {"conversation_id": chat.conversation_id})
    started_message = next(m for m in sync["messages"] if m["event"] == "call_started")
    # The starter's name, so that the widget can word the message in the visitor's language.
    assert started_message["data"]["by"] == "Bert"


async def test_an_unanswered_invitation_expires(chat: Chat) -> None:
    call = (await chat.start_call())["call"]
    runtime = chat.team.server.app.runtime
    chat.team.server.clock.advance(seconds=59)
    assert await runtime.calls.expire_invitations() == 0
    chat.team.server.clock.advance(seconds=2)
    assert await runtime.calls.expire_invitations() == 1
    ended = await chat.bert.wait("call.ended")
    assert ended["call"]["end_reason"] == "expired"
    assert ended["call"]["duration"] == 0
    assert await chat.visitor.error("call.join", {"call_id": call["id"]}) == "CALL_ENDED"
    assert "The video call was not answered." in await _system_texts(chat)


async def test_the_visitor_declines(chat: Chat) -> None:
    call = (await chat.start_call())["call"]
    assert await chat.bert.error("call.decline", {"call_id": call["id"]}) == "CONFLICT"
    assert await chat.visitor.error("call.leave", {"call_id": call["id"]}) == "FORBIDDEN"
    unchanged = await _record(chat, call["id"])
    assert unchanged["status"] == "ringing"
    assert unchanged["epoch"] == 0
    assert chat.visitor.received("call.ended") == []
    declined = await chat.visitor.ok("call.decline", {"call_id": call["id"]})
    assert declined["call"]["end_reason"] == "declined"
    await chat.bert.wait("call.ended")
    assert "The video call was declined." in await _system_texts(chat)


async def test_closing_the_conversation_ends_its_call(chat: Chat) -> None:
    call = (await chat.start_call())["call"]
    await chat.visitor.ok("call.join", {"call_id": call["id"]})
    await chat.bert.ok("chat.close", {"conversation_id": chat.conversation_id})
    ended = await chat.visitor.wait("call.ended")
    assert ended["call"]["end_reason"] == "conversation_closed"
    assert (await _record(chat, call["id"]))["status"] == "ended"


async def test_handing_the_chat_over_ends_the_previous_agents_call(chat: Chat) -> None:
    """A transfer, and a re-queue when the agent goes offline: the call ends before the hand-over message."""
    carl = await chat.team.agent("carl")
    call = (await chat.start_call())["call"]
    await chat.visitor.ok("call.join", {"call_id": call["id"]})
    await chat.bert.ok(
        "chat.transfer", {"conversation_id": chat.conversation_id, "to_agent_id": chat.team.carl.id}
    )
    ended = await chat.visitor.wait("call.ended")
    assert (ended["call"]["end_reason"], ended["call"]["ended_by"]) == ("handed_over", None)
    assert (await _record(chat, call["id"]))["status"] == "ended"
    sync = await chat.visitor.ok("messages.sync", {"conversation_id": chat.conversation_id})
    events = [m["event"] for m in sync["messages"] if m["kind"] == "system"]
    assert events[-2:] == ["call_ended", "transferred"]

    # Carl calls, then goes offline while connected: the chat waits in the queue, his call is over.
    second = (await carl.ok("call.start", {"conversation_id": chat.conversation_id, "kind": "video"}))["call"]
    await chat.visitor.ok("call.join", {"call_id": second["id"]})
    await carl.ok("status.set", {"status": "offline"})
    ended = await chat.visitor.wait("call.ended", lambda e: e["call"]["id"] == second["id"])
    assert ended["call"]["end_reason"] == "handed_over"


async def test_one_call_at_a_time_and_leaving_ends_it_when_nobody_is_left(chat: Chat) -> None:
    call = (await chat.start_call())["call"]
    assert await chat.bert.error("call.start", {"conversation_id": chat.conversation_id}) == "CONFLICT"
    assert await chat.team.server.app.runtime.db.count("calls") == 1
    assert len(chat.visitor.received("call.invite")) == 1
    await chat.visitor.ok("call.join", {"call_id": call["id"]})
    left = await chat.visitor.ok("call.leave", {"call_id": call["id"]})
    assert left["call"]["status"] == "active"
    await chat.bert.wait("call.left")
    await chat.visitor.ok("call.join", {"call_id": call["id"]})  # a rejoin is a new stay
    await chat.bert.ok("call.leave", {"call_id": call["id"]})
    await chat.visitor.ok("call.leave", {"call_id": call["id"]})
    ended = await chat.bert.wait("call.ended")
    assert ended["call"]["end_reason"] == "left"
    assert [p["side"] for p in ended["call"]["participants"]] == ["agent", "visitor", "visitor"]


async def test_a_closed_socket_leaves_its_call(chat: Chat) -> None:
    call = (await chat.start_call())["call"]
    await chat.visitor.ok("call.join", {"call_id": call["id"]})
    await chat.visitor.disconnect()
    left = await chat.bert.wait("call.left")
    assert left["participant"]["side"] == "visitor"
    runtime = chat.team.server.app.runtime

    async def nobody_on_visitor_side() -> bool:
        latest = await runtime.calls.calls.get(chat.team.tenant.id, call["id"])
        return latest is not None and all(p.side.value == "agent" for p in latest.present)

    await wait_for(nobody_on_visitor_side)


async def test_visitor_started_calls_follow_the_tenant_settings(chat: Chat) -> None:
    start = {"conversation_id": chat.conversation_id, "kind": "video"}
    assert await chat.visitor.error("call.start", start) == "FORBIDDEN"
    await chat.video(allow_visitor_calls=True)
    screen = {**start, "kind": "screen"}
    assert await chat.visitor.error("call.start", screen) == "FORBIDDEN"
    assert await chat.team.server.app.runtime.db.count("calls") == 0
    call = (await chat.visitor.ok("call.start", start))["call"]
    assert call["started_by"] == "visitor"
    invite = await chat.bert.wait("call.invite")
    assert invite["call"]["id"] == call["id"]
    await chat.bert.ok("call.join", {"call_id": call["id"]})


async def test_participants_of_a_dead_process_leave_their_calls(chat: Chat) -> None:
    call = (await chat.start_call())["call"]
    await chat.visitor.ok("call.join", {"call_id": call["id"]})
    runtime = chat.team.server.app.runtime
    await runtime.calls.leave_dead_sockets()
    assert chat.bert.received("call.left") == []
    # As the janitor does for a process that stopped beating: its sockets are forgotten.
    visitor_sid = chat.visitor.client.get_sid("/visitor")
    await runtime.db.stores.presence.remove_socket(visitor_sid)
    await runtime.calls.leave_dead_sockets()
    left = await chat.bert.wait("call.left")
    assert left["participant"]["side"] == "visitor"


async def test_calls_started_at_once_leave_one_open_call(chat: Chat) -> None:
    await chat.video(allow_visitor_calls=True)
    second_tab = await chat.team.agent("bert")
    start = {"conversation_id": chat.conversation_id, "kind": "video"}
    replies = await asyncio.gather(
        chat.bert.call("call.start", start),
        second_tab.call("call.start", start),
        chat.visitor.call("call.start", start),
    )
    assert sorted(r["ok"] for r in replies) == [False, False, True]
    assert {r["error"]["code"] for r in replies if not r["ok"]} == {"CONFLICT"}
    calls = await stored(chat.team.server.app.runtime.db, "calls", conversation_id=chat.conversation_id)
    assert len(calls) == 1


async def test_a_screen_presentation_is_a_call_of_its_own_kind(chat: Chat) -> None:
    call = (await chat.start_call("screen"))["call"]
    assert call["kind"] == "screen"
    invite = await chat.visitor.wait("call.invite")
    assert invite["call"]["kind"] == "screen"
    await chat.visitor.ok("call.join", {"call_id": call["id"]})
    chat.team.server.clock.advance(seconds=40)
    await chat.bert.ok("call.end", {"call_id": call["id"]})
    texts = await _system_texts(chat)
    assert "Bert started sharing the screen." in texts
    assert "Screen sharing ended (0:40)." in texts


async def test_an_agent_in_a_call_is_busy_for_calls_of_other_chats(chat: Chat) -> None:
    """One call at a time: a visitor of another chat learns it at once instead of ringing for a minute."""
    await chat.video(allow_visitor_calls=True)
    other, other_id = await open_chat(chat.team)
    await chat.bert.wait("chat.assigned", lambda d: d["conversation"]["id"] == other_id)
    start = {"conversation_id": other_id, "kind": "video"}
    # Invitations to Bert do not make him busy: he may have several ringing and pick one; the others are
    # declined for him at once, so nobody rings on unanswered.
    ringing = (await other.ok("call.start", start))["call"]
    await chat.visitor.ok("call.start", {"conversation_id": chat.conversation_id, "kind": "video"})
    first = (await chat.visitor.ok("call.current", {"conversation_id": chat.conversation_id}))["call"]
    await chat.bert.ok("call.join", {"call_id": first["id"]})  # now he is in the first visitor's call
    declined = await other.wait("call.ended")
    assert declined["call"]["id"] == ringing["id"]
    assert (declined["call"]["end_reason"], declined["call"]["ended_by"]) == ("declined", "agent")

    reply = await other.call("call.start", start)
    assert reply["error"]["code"] == "AGENT_UNAVAILABLE"
    assert reply["error"]["message"].startswith("Your contact person is in another call right now.")
    assert await chat.bert.error("call.start", start) == "AGENT_UNAVAILABLE"
    runtime = chat.team.server.app.runtime
    assert await runtime.calls.calls.open_of_conversation(chat.team.tenant.id, other_id) is None
    await chat.bert.ok("call.end", {"call_id": first["id"]})
    assert (await other.ok("call.start", start))["call"]["started_by"] == "visitor"  # free again
