"""Presence: honest online state for visitors, coalesced; every console kept current."""

from __future__ import annotations

from tests.chat.conftest import Team
from tests.support import wait_for


async def test_visitors_hear_when_the_chat_comes_online_and_goes_offline(team: Team) -> None:
    visitor = await team.server.visitor()
    bert = await team.agent("bert")
    await visitor.wait("presence", lambda d: d == {"online": True})
    await bert.ok("status.set", {"status": "away"})
    await visitor.wait("presence", lambda d: d == {"online": False})
    config = await team.server.request("GET", "/api/widget/acme")
    assert config.body["online"] is False


async def test_presence_changes_are_coalesced(team: Team) -> None:
    """Twenty changes within the debounce window give one event, carrying the state at its end."""
    visitor = await team.server.visitor()
    await team.agent("bert", online=False)
    runtime = team.server.app.runtime
    await runtime.presence.settled()
    await visitor.barrier()
    before = len(visitor.received("presence"))
    await runtime.presence.store.update(team.tenant.id, team.bert.id, {"status": "online"})
    for _ in range(20):
        runtime.presence.changed(team.tenant.id)
    await visitor.wait("presence", lambda d: d == {"online": True})
    await runtime.presence.settled()
    await visitor.barrier()
    assert visitor.received("presence")[before:] == [{"online": True}]


async def test_a_visitor_told_a_passing_state_hears_that_it_passed(team: Team) -> None:
    """Bert is online for a moment only, shorter than the announcer's wait: a visitor who asked just then was
    told "online" and must hear "offline" afterwards, although nothing was ever announced in between (the
    announcer finds what it announced last, offline, and would have stayed silent)."""
    runtime = team.server.app.runtime
    bert = await team.agent("bert")
    await bert.ok("status.set", {"status": "away"})
    await runtime.presence.settled()
    assert await runtime.presence.store.announced(team.tenant.id) is False
    visitor = await team.server.visitor()
    await bert.ok("status.set", {"status": "online"})  # announced after the wait …
    current = await visitor.ok("chat.current")
    assert current["online"] is True
    await bert.ok("status.set", {"status": "away"})  # … and back before it is over
    await runtime.presence.settled()
    await visitor.wait("presence", lambda d: d == {"online": False})
    # The widget's first load counts alike.
    await bert.ok("status.set", {"status": "online"})
    assert (await team.server.request("GET", "/api/widget/acme")).body["online"] is True
    await bert.ok("status.set", {"status": "away"})
    await runtime.presence.settled()
    await visitor.barrier()
    assert visitor.received("presence")[-1] == {"online": False}


async def test_consoles_see_every_agent_s_status_and_load(team: Team) -> None:
    anna = await team.agent("anna", online=False)
    bert = await team.agent("bert")
    update = await anna.wait(
        "agents.presence", lambda d: d["agent_id"] == team.bert.id and d["status"] == "online"
    )
    assert update["available"] is True
    assert update["open_chats"] == 0
    listed = await anna.ok("agents.list")
    by_name = {a["display_name"]: a for a in listed["agents"]}
    assert by_name["Bert"]["status"] == "online"
    assert by_name["Carl"]["status"] == "offline"
    assert "login" not in str(listed)
    await bert.ok("status.set", {"status": "away"})
    await anna.wait("agents.presence", lambda d: d["agent_id"] == team.bert.id and d["status"] == "away")


async def test_status_values_are_validated(team: Team) -> None:
    bert = await team.agent("bert", online=False)
    for bad in ["busy", "", 1, None, {"$ne": "x"}]:
        assert await bert.error("status.set", {"status": bad}) == "VALIDATION_FAILED"
    assert (await bert.ok("agents.list"))["agents"][1]["status"] == "offline"


async def test_consoles_see_the_load_change_with_each_chat(team: Team) -> None:
    anna = await team.agent("anna", online=False)
    await team.agent("bert")
    visitor = await team.server.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await anna.wait("agents.presence", lambda d: d["agent_id"] == team.bert.id and d["open_chats"] == 1)
    seen = len(anna.received("agents.presence"))
    await visitor.ok("chat.end", {"conversation_id": cid})

    def freed() -> bool:
        later = anna.received("agents.presence")[seen:]
        return any(d["agent_id"] == team.bert.id and d["open_chats"] == 0 for d in later)

    await wait_for(freed)
