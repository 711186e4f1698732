"""Nothing stays stuck: a chat left active under an agent who is offline goes back to the queue, and a
queued chat is offered again, whatever interrupted the step that should have done it. The janitor finds
both states and repairs them (every 30 s)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.chat.conftest import Team

#: The repairs read the stores' cross-tenant queries: both adapters.
pytestmark = pytest.mark.both_backends


async def test_a_hand_back_that_failed_halfway_is_finished_by_the_janitor(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = team.server
    runtime = s.app.runtime
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    await team.gone(bert, team.bert.id)

    # The grace period passes; the janitor sets Bert offline, then the database fails as it hands the
    # chat back: Bert is offline, his chat still active under him.
    store = runtime.conversations
    real = store.transition

    async def fails(*args: Any, **kwargs: Any) -> Any:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "transition", fails)
    s.clock.advance(seconds=31)
    await runtime.janitor.run_once()
    stuck = await store.get(team.tenant.id, cid)
    assert stuck is not None
    assert (stuck.status.value, stuck.agent_id) == ("active", team.bert.id)
    presence = await runtime.presence.store.get(team.tenant.id, team.bert.id)
    assert presence is not None
    assert presence.status.value == "offline"

    # The database answers again. The agents-gone step has nothing to do (Bert is offline already): the
    # repair finds the chat by its state.
    monkeypatch.setattr(store, "transition", real)
    s.clock.advance(seconds=31)
    await runtime.janitor.run_once()
    repaired = await store.get(team.tenant.id, cid)
    assert repaired is not None
    assert (repaired.status.value, repaired.agent_id) == ("queued", None)
    assert await visitor.wait("chat.assigned", lambda d: d["agent"] is None)


async def test_a_queued_chat_whose_routing_never_came_is_routed_by_the_janitor(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = team.server
    runtime = s.app.runtime
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]  # nobody online: queued

    async def lost(tenant_id: str) -> None:
        return None  # the routing that Bert's coming online starts is lost (a crash, a failed step)

    monkeypatch.setattr(runtime.chat, "route_queue", lost)
    await team.agent("bert")
    waiting = await runtime.conversations.get(team.tenant.id, cid)
    assert waiting is not None
    assert waiting.status.value == "queued"

    monkeypatch.undo()
    s.clock.advance(seconds=31)
    await runtime.janitor.run_once()
    routed = await runtime.conversations.get(team.tenant.id, cid)
    assert routed is not None
    assert (routed.status.value, routed.agent_id) == ("active", team.bert.id)
    assigned = await visitor.wait("chat.assigned", lambda d: d["agent"] is not None)
    assert assigned["conversation_id"] == cid
