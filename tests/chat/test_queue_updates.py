"""queue.updated says what joined and what left the queue, never the whole queue."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.support import Peer

#: The chat rules are the stores' rules too: both adapters keep them.
pytestmark = [pytest.mark.timeout(60), pytest.mark.both_backends]


def _updates(peer: Peer) -> list[Any]:
    return peer.received("queue.updated")


async def _next_update(peer: Peer, seen: int) -> Any:
    """The queue.updated after the first ``seen`` ones."""
    await peer.wait("queue.updated", lambda _: len(_updates(peer)) > seen)
    return _updates(peer)[seen]


async def test_queue_updated_carries_only_the_chat_that_was_queued_accepted_or_closed(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    bert = await team.agent("bert")
    carl = await team.agent("carl", online=False)  # watches the queue
    first, second = await s.visitor(), await s.visitor()
    one = (await first.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
    update = await _next_update(carl, 0)
    assert [c["id"] for c in update["added"]] == [one]
    assert update["added"][0]["status"] == "queued"
    assert update["added"][0]["visitor"]["display_name"] == "Sam"
    assert update["removed"] == []

    two = (await second.ok("chat.start", {"alias": "Kim"}))["conversation"]["id"]
    update = await _next_update(carl, 1)
    assert ([c["id"] for c in update["added"]], update["removed"]) == ([two], [])

    await bert.ok("chat.accept", {"conversation_id": one})
    assert await _next_update(carl, 2) == {"added": [], "removed": [one]}

    await second.ok("chat.end", {"conversation_id": two})
    assert await _next_update(carl, 3) == {"added": [], "removed": [two]}

    # Closing a chat that was not queued leaves the queue as it was: no queue.updated at all. The next
    # change is the next event (one process sends in order).
    await bert.ok("chat.close", {"conversation_id": one})
    await first.wait("chat.ended")
    three = (await (await s.visitor()).ok("chat.start"))["conversation"]["id"]
    update = await _next_update(carl, 4)
    assert ([c["id"] for c in update["added"]], update["removed"]) == ([three], [])
    assert len(_updates(carl)) == 5
    assert [c["id"] for c in (await carl.ok("queue.list"))["conversations"]] == [three]


async def test_queue_updated_adds_the_chats_of_an_agent_who_went_offline(team: Team) -> None:
    s = team.server
    bert = await team.agent("bert")
    anna = await team.agent("anna", online=False)
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await anna.wait("queue.updated", lambda d: d == {"added": [], "removed": [cid]})
    seen = len(_updates(anna))
    await bert.ok("status.set", {"status": "offline"})
    update = await _next_update(anna, seen)
    assert [(c["id"], c["status"], c["agent"]) for c in update["added"]] == [(cid, "queued", None)]
    assert update["removed"] == []


async def test_a_queue_update_does_not_grow_with_the_queue(team: Team) -> None:
    s = team.server
    await team.set_tenant(auto_assign=False)
    anna = await team.agent("anna", online=False)
    sizes = []
    for n in range(12):
        await (await s.visitor()).ok("chat.start", {"alias": "Sam"})
        update = await _next_update(anna, n)
        assert len(update["added"]) == 1
        sizes.append(len(json.dumps(update)))
    assert len((await anna.ok("queue.list"))["conversations"]) == 12
    assert max(sizes) == min(sizes), sizes
