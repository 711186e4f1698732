"""Starting, routing, accepting, ending and closing conversations, through real sockets."""

from __future__ import annotations

import asyncio

import pytest

from tests.chat.conftest import Team

#: The chat rules are the stores' rules too: both adapters keep them.
pytestmark = pytest.mark.both_backends


async def test_chat_waits_in_the_queue_while_nobody_is_online(team: Team) -> None:
    s = team.server
    config = await s.request("GET", "/api/widget/acme")
    assert config.body["online"] is False
    bert = await team.agent("bert", online=False)
    visitor = await s.visitor()
    reply = await visitor.ok("chat.start", {"alias": "Sam"})
    conversation = reply["conversation"]
    assert conversation["status"] == "queued"
    assert conversation["agent"] is None
    update = await bert.wait("queue.updated", lambda d: d["added"])
    [queued] = update["added"]
    assert queued["id"] == conversation["id"]
    assert queued["visitor"]["display_name"] == "Sam"
    listed = await bert.ok("queue.list")
    assert [c["id"] for c in listed["conversations"]] == [conversation["id"]]


async def test_agent_going_online_gets_the_waiting_chat(team: Team) -> None:
    s = team.server
    visitor = await s.visitor()
    conversation = (await visitor.ok("chat.start", {"name": "Sam Smith"}))["conversation"]
    bert = await team.agent("bert")
    assigned = await visitor.wait("chat.assigned")
    assert assigned == {
        "conversation_id": conversation["id"],
        "agent": {"id": team.bert.id, "display_name": "Bert", "photo_url": team.bert.photo_url},
    }
    assert "bert" not in str(assigned).replace("Bert", ""), "the login never reaches a visitor"
    mine = await bert.wait("chat.assigned")
    assert mine["conversation"]["id"] == conversation["id"]
    assert mine["messages"] == []  # the "joined" message ends the assignment's aftermath: it follows
    joined = await bert.wait("message.new", lambda d: d["message"]["event"] == "assigned")
    assert joined["message"]["conversation_id"] == conversation["id"]
    config = await s.request("GET", "/api/widget/acme")
    assert config.body["online"] is True


async def test_auto_assignment_prefers_the_least_busy_then_the_longest_idle(team: Team) -> None:
    s = team.server
    await team.agent("bert")
    await team.agent("carl")
    owners = []
    for _ in range(4):
        visitor = await s.visitor()
        await visitor.ok("chat.start")
        assigned = await visitor.wait("chat.assigned")
        owners.append(assigned["agent"]["display_name"])
    # Equal load alternates: whoever got a chat last is not idle longest.
    assert sorted(owners[:2]) == ["Bert", "Carl"]
    assert owners[2] == owners[0]
    assert owners[3] == owners[1]


async def test_full_agents_leave_chats_in_the_queue_and_the_widget_offline(team: Team) -> None:
    s = team.server
    await s.request("PATCH", f"/api/agents/{team.bert.id}", json={"max_chats": 1}, token=team.tokens["anna"])
    await team.agent("bert")
    first = await s.visitor()
    second = await s.visitor()  # connected before Bert is full, so it hears the tenant go offline
    await first.ok("chat.start")
    await first.wait("chat.assigned")
    reply = await second.ok("chat.start")
    assert reply["conversation"]["status"] == "queued"
    assert (await s.request("GET", "/api/widget/acme")).body["online"] is False
    await second.wait("presence", lambda d: d == {"online": False})


async def test_fifty_concurrent_starts_give_one_conversation(team: Team) -> None:
    s = team.server
    first = await s.visitor()
    tabs = [first] + [await s.visitor(token=first.token) for _ in range(4)]
    replies = await asyncio.gather(*(tab.call("chat.start") for tab in tabs for _ in range(10)))
    ids = {reply["conversation"]["id"] for reply in replies if reply["ok"]}
    assert len(ids) == 1
    # Past the visitor's chat.start limit the rest are refused (test_visitor_limits.py), never a second chat.
    accepted = [reply for reply in replies if reply["ok"]]
    assert len(accepted) == s.settings.chat.visitor_chats_per_hour
    assert all(reply["error"]["code"] == "RATE_LIMITED" for reply in replies if not reply["ok"])
    count = await s.app.runtime.db.count("conversations")
    assert count == 1


async def test_manual_accept_race_has_one_winner(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    bert = await team.agent("bert")
    carl = await team.agent("carl")
    visitor = await s.visitor()
    conversation = (await visitor.ok("chat.start"))["conversation"]
    assert conversation["status"] == "queued"
    replies = await asyncio.gather(
        *(peer.call("chat.accept", {"conversation_id": conversation["id"]}) for peer in (bert, carl))
    )
    winners = [r for r in replies if r["ok"]]
    losers = [r for r in replies if not r["ok"]]
    assert len(winners) == 1
    assert [r["error"]["code"] for r in losers] == ["ALREADY_ASSIGNED"]
    assigned = await visitor.wait("chat.assigned")
    assert assigned["agent"]["id"] == winners[0]["conversation"]["agent"]["id"]
    # Exactly one "joined" message, whoever won.
    sync = await visitor.ok("messages.sync", {"conversation_id": conversation["id"], "after_seq": 0})
    assert [m["event"] for m in sync["messages"]] == ["assigned"]


async def test_accept_of_a_closed_chat_is_refused(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    bert = await team.agent("bert")
    visitor = await s.visitor()
    conversation = (await visitor.ok("chat.start"))["conversation"]
    await visitor.ok("chat.end", {"conversation_id": conversation["id"]})
    assert await bert.error("chat.accept", {"conversation_id": conversation["id"]}) == "CONVERSATION_CLOSED"


async def test_visitor_ends_a_queued_chat(team: Team) -> None:
    s = team.server
    bert = await team.agent("bert", online=False)
    visitor = await s.visitor()
    conversation = (await visitor.ok("chat.start"))["conversation"]
    ended = await visitor.ok("chat.end", {"conversation_id": conversation["id"]})
    assert ended["conversation"]["status"] == "closed"
    assert ended["conversation"]["closed_by"] == "visitor"
    assert await visitor.wait("chat.ended") == {"conversation_id": conversation["id"], "by": "visitor"}
    await bert.wait("queue.updated", lambda d: d == {"added": [], "removed": [conversation["id"]]})
    code = await visitor.error(
        "message.send", {"conversation_id": conversation["id"], "client_id": "c1", "text": "hi"}
    )
    assert code == "CONVERSATION_CLOSED"
    assert await visitor.error("chat.end", {"conversation_id": conversation["id"]}) == "CONVERSATION_CLOSED"
    # A new start after the end opens a new conversation.
    again = await visitor.ok("chat.start")
    assert again["conversation"]["id"] != conversation["id"]


async def test_agent_closes_and_every_agent_event_on_a_closed_chat_is_refused(team: Team) -> None:
    s = team.server
    peers = {team.bert.id: await team.agent("bert"), team.carl.id: await team.agent("carl")}
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    holder_id = (await visitor.wait("chat.assigned"))["agent"]["id"]
    holder = peers[holder_id]
    other_id = next(agent_id for agent_id in peers if agent_id != holder_id)
    closed = await holder.ok("chat.close", {"conversation_id": cid})
    assert closed["conversation"]["closed_by"] == "agent"
    assert await visitor.wait("chat.ended") == {"conversation_id": cid, "by": "agent"}
    for event, payload in [
        ("message.send", {"conversation_id": cid, "client_id": "x1", "text": "still there?"}),
        ("typing", {"conversation_id": cid, "typing": True}),
        ("chat.close", {"conversation_id": cid}),
        ("chat.transfer", {"conversation_id": cid, "to_agent_id": other_id}),
        ("chat.accept", {"conversation_id": cid}),
    ]:
        assert await holder.error(event, payload) == "CONVERSATION_CLOSED", event


async def test_going_offline_hands_chats_back_to_the_queue(team: Team) -> None:
    s = team.server
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned", lambda d: d["agent"] is not None)
    await bert.ok("status.set", {"status": "offline"})
    await visitor.wait("chat.assigned", lambda d: d["agent"] is None)
    sync = await visitor.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
    assert [m["event"] for m in sync["messages"]] == ["assigned", "requeued"]
    assert sync["messages"][1]["data"] == {"agent": "Bert"}
    assert sync["conversation"]["status"] == "queued"
    # A colleague coming online picks it up.
    await team.agent("carl")
    assigned = await visitor.wait(
        "chat.assigned", lambda d: d["agent"] and d["agent"]["display_name"] == "Carl"
    )
    assert assigned["conversation_id"] == cid


async def test_a_reload_within_the_grace_period_keeps_the_agent_and_the_chats(team: Team) -> None:
    s = team.server
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    await team.gone(bert, team.bert.id)
    s.clock.advance(seconds=20)
    await s.app.runtime.janitor.run_once()
    reloaded = await team.agent("bert", online=False)
    mine = await reloaded.ok("chats.list")
    assert [c["id"] for c in mine["conversations"]] == [cid]
    s.clock.advance(seconds=60)
    await s.app.runtime.janitor.run_once()
    assert [c["id"] for c in (await reloaded.ok("chats.list"))["conversations"]] == [cid]


async def test_agent_gone_longer_than_the_grace_period_goes_offline(team: Team) -> None:
    s = team.server
    bert = await team.agent("bert")
    carl = await team.agent("carl", online=False)
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    await team.gone(bert, team.bert.id)
    s.clock.advance(seconds=31)
    await s.app.runtime.janitor.run_once()
    presence = await carl.wait(
        "agents.presence", lambda d: d["agent_id"] == team.bert.id and d["status"] == "offline"
    )
    assert presence["connected"] is False
    await visitor.wait("chat.assigned", lambda d: d["agent"] is None)
    assert (await carl.ok("queue.list"))["conversations"][0]["id"] == cid
    await visitor.wait("presence", lambda d: d == {"online": False})


async def test_abandoned_conversation_closes_after_the_visitor_timeout(team: Team) -> None:
    s = team.server
    await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await team.gone(visitor, await _visitor_id(team, cid), cid)
    s.clock.advance(minutes=29)
    await s.app.runtime.janitor.run_once()
    still = await s.app.runtime.conversations.get(team.tenant.id, cid)
    assert still is not None
    assert still.status.value == "active"
    s.clock.advance(minutes=2)
    await s.app.runtime.janitor.run_once()
    conversation = await s.app.runtime.conversations.get(team.tenant.id, cid)
    assert conversation is not None
    assert conversation.status.value == "closed"
    back = await s.visitor(token=visitor.token)
    sync = await back.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
    assert sync["messages"][-1]["event"] == "visitor_gone"


async def test_a_returning_visitor_keeps_the_conversation_open(team: Team) -> None:
    s = team.server
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await team.gone(visitor, await _visitor_id(team, cid), cid)
    s.clock.advance(minutes=20)
    back = await s.visitor(token=visitor.token)
    s.clock.advance(minutes=20)
    await s.app.runtime.janitor.run_once()
    current = await back.ok("chat.current")
    assert current["conversation"]["id"] == cid
    assert current["conversation"]["status"] == "queued"


async def _visitor_id(team: Team, conversation_id: str) -> str:
    conversation = await team.server.app.runtime.conversations.get(team.tenant.id, conversation_id)
    assert conversation is not None
    return conversation.visitor_id


async def test_chats_of_a_deleted_agent_go_back_to_the_queue(team: Team) -> None:
    s = team.server
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    reply = await s.request("DELETE", f"/api/agents/{team.bert.id}", token=team.tokens["anna"])
    assert reply.status == 204
    await team.gone(bert, team.bert.id)
    s.clock.advance(seconds=31)
    await s.app.runtime.janitor.run_once()
    await visitor.wait("chat.assigned", lambda d: d["agent"] is None)
    anna = await team.agent("anna", online=False)
    assert [c["id"] for c in (await anna.ok("queue.list"))["conversations"]] == [cid]
    sync = await visitor.ok("messages.sync", {"conversation_id": cid, "after_seq": 0})
    requeued = next(m for m in sync["messages"] if m["event"] == "requeued")
    # The deleted agent's alias is gone with them; clients word "the agent" in the visitor's language.
    assert requeued["data"] == {"agent": None}
    assert requeued["text"].startswith("The agent is no longer available.")


async def test_a_full_agent_cannot_accept_more(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    await s.request("PATCH", f"/api/agents/{team.bert.id}", json={"max_chats": 1}, token=team.tokens["anna"])
    bert = await team.agent("bert")
    first, second = await s.visitor(), await s.visitor()
    one = (await first.ok("chat.start"))["conversation"]["id"]
    two = (await second.ok("chat.start"))["conversation"]["id"]
    await bert.ok("chat.accept", {"conversation_id": one})
    assert await bert.error("chat.accept", {"conversation_id": two}) == "AGENT_UNAVAILABLE"
    assert [c["id"] for c in (await bert.ok("queue.list"))["conversations"]] == [two]


async def test_switching_auto_assignment_on_routes_the_waiting_chats(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    await team.agent("bert")
    visitor = await s.visitor()
    await visitor.ok("chat.start")
    await team.set_tenant(auto_assign=True)
    assigned = await visitor.wait("chat.assigned")
    assert assigned["agent"]["display_name"] == "Bert"


async def test_an_offline_agent_cannot_accept(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    bert = await team.agent("bert", online=False)
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    assert await bert.error("chat.accept", {"conversation_id": cid}) == "AGENT_UNAVAILABLE"
    await bert.ok("status.set", {"status": "away"})
    accepted = await bert.ok("chat.accept", {"conversation_id": cid})
    assert accepted["conversation"]["agent"]["id"] == team.bert.id


async def test_concurrent_starts_never_give_an_agent_more_than_max_chats(team: Team) -> None:
    s = team.server
    await s.request("PATCH", f"/api/agents/{team.bert.id}", json={"max_chats": 2}, token=team.tokens["anna"])
    await team.agent("bert")
    visitors = [await s.visitor() for _ in range(6)]
    replies = await asyncio.gather(*(v.ok("chat.start") for v in visitors))
    statuses = sorted(reply["conversation"]["status"] for reply in replies)
    active = await s.app.runtime.conversations.active_of_agent(team.tenant.id, team.bert.id)
    assert len(active) == 2, statuses
    assert len(await s.app.runtime.conversations.queued(team.tenant.id)) == 4


async def test_a_burst_of_starts_is_shared_out_least_busy_first_and_all_assigned(team: Team) -> None:
    """Starts that queue up behind the assignment lock are decided together (one read of the loads for all
    of them): the agents' seats fill evenly, none beyond max_chats, and those left over wait in the queue."""
    s = team.server
    for agent in (team.bert, team.carl):
        body = {"max_chats": 5}
        await s.request("PATCH", f"/api/agents/{agent.id}", json=body, token=team.tokens["anna"])
    await team.agent("bert")
    await team.agent("carl")
    visitors = [await s.visitor() for _ in range(12)]
    replies = await asyncio.gather(*(v.ok("chat.start") for v in visitors))
    statuses = [reply["conversation"]["status"] for reply in replies]
    assert statuses.count("active") == 10
    assert statuses.count("queued") == 2
    runtime = s.app.runtime
    for agent in (team.bert, team.carl):
        assert len(await runtime.conversations.active_of_agent(team.tenant.id, agent.id)) == 5
    assert len(await runtime.conversations.queued(team.tenant.id)) == 2
    # Every assignment was announced to its visitor and recorded with its system message.
    for visitor, reply in zip(visitors, replies, strict=True):
        if reply["conversation"]["status"] == "active":
            assigned = await visitor.wait("chat.assigned")
            assert assigned["conversation_id"] == reply["conversation"]["id"]
            history = await visitor.ok("messages.sync", {"conversation_id": assigned["conversation_id"]})
            assert [m["event"] for m in history["messages"] if m["kind"] == "system"] == ["assigned"]


async def test_concurrent_accepts_never_give_an_agent_more_than_max_chats(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    await s.request("PATCH", f"/api/agents/{team.bert.id}", json={"max_chats": 1}, token=team.tokens["anna"])
    bert = await team.agent("bert")
    visitors = [await s.visitor() for _ in range(3)]
    ids = [(await v.ok("chat.start"))["conversation"]["id"] for v in visitors]
    replies = await asyncio.gather(*(bert.call("chat.accept", {"conversation_id": cid}) for cid in ids))
    assert sorted(reply["ok"] for reply in replies) == [False, False, True]
    assert {reply["error"]["code"] for reply in replies if not reply["ok"]} == {"AGENT_UNAVAILABLE"}
    assert len(await s.app.runtime.conversations.active_of_agent(team.tenant.id, team.bert.id)) == 1
    assert len((await bert.ok("queue.list"))["conversations"]) == 2
