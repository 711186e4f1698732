"""A transition whose aftermath was interrupted is completed by housekeeping, exactly once (issue 17.3).

The interruption is the database going away right after the transition was claimed: the first step of
the aftermath raises the error the adapter would. The conversation is then in its new state without its
events and its marker message; once the transition is 30 s old the janitor completes it, and a second
round changes nothing. Run on both adapters.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.support import Peer, stored
from wschat.chat.models import Conversation

pytestmark = pytest.mark.both_backends


def fail_once(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> Callable[[], int]:
    """``owner.name`` raises a database error the first time; returns how often it was called."""
    real = getattr(owner, name)
    calls = 0

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return await real(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return lambda: calls


async def _messages(team: Team, conversation_id: str, client_id: str) -> list[Any]:
    db = team.server.app.runtime.db
    return await stored(db, "messages", conversation_id=conversation_id, client_id=client_id)


async def _stored(team: Team, conversation_id: str) -> Conversation:
    """The conversation as the database has it now."""
    conversation = await team.server.app.runtime.conversations.get(team.tenant.id, conversation_id)
    assert conversation is not None
    return conversation


async def _housekeeping(team: Team) -> None:
    """The janitor's round once the transition is past its grace, as every process runs it."""
    team.server.clock.advance(seconds=31)
    await team.server.app.runtime.janitor.run_once()


async def _again_changes_nothing(team: Team, peer: Peer, event: str, cid: str, marker: str) -> None:
    """Another housekeeping round sends ``event`` to ``peer`` no second time and writes no second marker."""
    before = len(peer.received(event))
    await _housekeeping(team)
    await peer.barrier()
    assert len(peer.received(event)) == before, "completed once"
    assert len(await _messages(team, cid, marker)) == 1


async def _assigned_chat(team: Team) -> tuple[Peer, Peer, str]:
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    cid: str = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    return visitor, bert, cid


async def test_an_interrupted_assignment_is_announced_by_housekeeping_once(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = team.server.app.runtime
    bert = await team.agent("bert")
    visitor = await team.server.visitor()
    fail_once(monkeypatch, runtime.routing, "announce_assignment")
    assert await visitor.error("chat.start") == "UNAVAILABLE"
    cid = (await visitor.ok("chat.current"))["conversation"]["id"]
    conversation = await _stored(team, cid)
    assert conversation.agent_id == team.bert.id, "the assignment itself was stored"
    assert visitor.received("chat.assigned") == []
    marker = f"sys:assign:{conversation.epoch}"
    assert await _messages(team, cid, marker) == []

    await _housekeeping(team)
    assert (await visitor.wait("chat.assigned"))["agent"]["id"] == team.bert.id
    await bert.wait("chat.assigned", lambda d: d["conversation"]["id"] == cid)
    assert len(await _messages(team, cid, marker)) == 1
    await _again_changes_nothing(team, visitor, "chat.assigned", cid, marker)


async def test_an_interrupted_close_is_finished_by_housekeeping_once(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = team.server.app.runtime
    visitor, bert, cid = await _assigned_chat(team)
    fail_once(monkeypatch, runtime.chat.parts.events, "publish")  # the aftermath's first step
    assert await bert.error("chat.close", {"conversation_id": cid}) == "UNAVAILABLE"
    closed = await _stored(team, cid)
    assert closed.status.value == "closed"
    marker = f"sys:close:{closed.epoch}"
    assert await _messages(team, cid, marker) == []

    await _housekeeping(team)
    assert await visitor.wait("chat.ended") == {"conversation_id": cid, "by": "agent"}
    [message] = await _messages(team, cid, marker)
    assert message["event"] == "closed_by_agent"
    assert message["text"] == "Bert closed the chat."
    await _again_changes_nothing(team, visitor, "chat.ended", cid, marker)


async def test_an_interrupted_transfer_is_completed_by_housekeeping_once(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = team.server.app.runtime
    _, bert, cid = await _assigned_chat(team)
    carl = await team.agent("carl")
    fail_once(monkeypatch, runtime.routing, "handed_over")
    transfer = {"conversation_id": cid, "to_agent_id": team.carl.id, "note": "Wants a refund."}
    assert await bert.error("chat.transfer", transfer) == "UNAVAILABLE"
    moved = await _stored(team, cid)
    assert moved.agent_id == team.carl.id

    await _housekeeping(team)
    await carl.wait("chat.assigned", lambda d: d["conversation"]["id"] == cid)
    await bert.wait("chat.transferred", lambda d: d["conversation_id"] == cid)
    assert len(await _messages(team, cid, f"sys:transfer:{moved.epoch}")) == 1
    [note] = await _messages(team, cid, f"sys:transfer-note:{moved.epoch}")
    assert note["text"] == "Wants a refund."
    await _again_changes_nothing(team, bert, "chat.transferred", cid, f"sys:transfer:{moved.epoch}")


async def test_an_interrupted_requeue_is_completed_by_housekeeping_once(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = team.server.app.runtime
    visitor, bert, cid = await _assigned_chat(team)
    fail_once(monkeypatch, runtime.routing, "handed_over")
    assert await bert.error("status.set", {"status": "offline"}) == "UNAVAILABLE"
    requeued = await _stored(team, cid)
    assert requeued.status.value == "queued"

    await _housekeeping(team)
    await visitor.wait("chat.assigned", lambda d: d["agent"] is None)
    [message] = await _messages(team, cid, f"sys:requeue:{requeued.epoch}")
    assert message["event"] == "requeued"
    await _again_changes_nothing(team, visitor, "chat.assigned", cid, f"sys:requeue:{requeued.epoch}")
