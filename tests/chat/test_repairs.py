"""Nothing stays stuck: a socket record whose socket is gone is finished, a chat left active under an agent
who is offline goes back to the queue, and a queued chat is offered again, whatever interrupted the step that
should have done it. The janitor finds these states and repairs them."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import pytest

from tests.chat.conftest import Team
from tests.support import stored

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

    monkeypatch.setattr(runtime.routing, "route_queue", lost)
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


async def test_a_disconnect_whose_clean_up_failed_leaves_no_ghost_agent(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bert closes the console while the database fails: his socket record stays. The janitor's next pass
    finds a record without a socket and finishes the disconnect, so Bert goes offline after the grace period
    and his chat goes back to the queue."""
    s = team.server
    runtime = s.app.runtime
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    real = runtime.presence.socket_closed

    failed = asyncio.Event()

    async def fails(sid: str) -> Any:
        failed.set()
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(runtime.presence, "socket_closed", fails)
    await bert.disconnect()
    await asyncio.wait_for(failed.wait(), 5)  # the disconnect handler ran, and its clean-up failed
    assert await runtime.presence.store.socket_count(team.tenant.id, team.bert.id) == 1  # a ghost
    monkeypatch.setattr(runtime.presence, "socket_closed", real)

    await runtime.janitor.run_once()
    assert await runtime.presence.store.socket_count(team.tenant.id, team.bert.id) == 0
    s.clock.advance(seconds=31)
    await runtime.janitor.run_once()
    presence = await runtime.presence.store.get(team.tenant.id, team.bert.id)
    assert presence is not None
    assert presence.status.value == "offline"
    chat = await runtime.conversations.get(team.tenant.id, cid)
    assert chat is not None
    assert chat.status.value == "queued"


async def test_a_connect_refused_after_its_socket_was_recorded_leaves_no_ghost(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The socket is recorded, then the connect fails (the database, for the next step): the record is not
    left to keep the visitor on the site."""
    s = team.server
    runtime = s.app.runtime
    visitor = await s.visitor()
    await visitor.ok("chat.start")

    async def fails(*args: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(runtime.conversations, "set_visitor_left", fails)
    refused = await s.refused("/visitor", {"tenant": "acme", "token": visitor.token})
    assert refused["code"] == "UNAVAILABLE"
    monkeypatch.undo()
    visitor_id = (await stored(runtime.db, "visitors"))[0]["_id"]
    assert await runtime.presence.store.socket_count(team.tenant.id, visitor_id) == 2  # one is a ghost

    await runtime.janitor.run_once()

    assert await runtime.presence.store.socket_count(team.tenant.id, visitor_id) == 1
    assert visitor.client.connected


async def test_a_reconnect_while_the_last_disconnect_was_recorded_keeps_the_agent_online(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bert's socket drops and his console reconnects at once, its new socket landing between the old
    socket's count of Bert's sockets (none left) and its mark "disconnected": the mark sits on a connected
    agent. After the grace period the janitor must not set him offline and hand his chat back."""
    s = team.server
    runtime = s.app.runtime
    store = runtime.presence.store
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")

    counted, reconnected = asyncio.Event(), asyncio.Event()
    real_count = store.socket_count

    async def count_then_wait(tenant_id: str, owner_id: str) -> int:
        n = await real_count(tenant_id, owner_id)
        if owner_id == team.bert.id and not counted.is_set():
            counted.set()
            await reconnected.wait()  # the new socket comes up now
        return n

    monkeypatch.setattr(store, "socket_count", count_then_wait)
    await bert.disconnect()
    await asyncio.wait_for(counted.wait(), 5)
    again = await team.agent("bert", online=False)
    reconnected.set()

    async def marked() -> bool:
        presence = await store.get(team.tenant.id, team.bert.id)
        return presence is not None and presence.disconnected_at is not None

    for _ in range(100):  # the old socket's disconnect finishes: the mark on a connected agent
        if await marked():
            break
        await asyncio.sleep(0.05)
    assert await marked()
    monkeypatch.setattr(store, "socket_count", real_count)

    s.clock.advance(seconds=31)
    await runtime.janitor.run_once()
    presence = await store.get(team.tenant.id, team.bert.id)
    assert presence is not None
    assert (presence.status.value, presence.disconnected_at) == ("online", None)
    assert [c["id"] for c in (await again.ok("chats.list"))["conversations"]] == [cid]
    chat = await runtime.conversations.get(team.tenant.id, cid)
    assert chat is not None
    assert (chat.status.value, chat.agent_id) == ("active", team.bert.id)


async def test_a_process_taken_for_dead_has_its_clients_reconnect_and_be_recorded_again(team: Team) -> None:
    """Another process took this one for dead (its heartbeat lapsed under load) and forgot its socket
    records: Bert, connected all along, would be a ghost the other way round (a socket without a record,
    gone offline after the grace period). The next heartbeat notices and closes this process's connections;
    Bert's console reconnects by itself and is recorded again, his chat still his."""
    s = team.server
    runtime = s.app.runtime
    store = runtime.presence.store
    bert = await team.agent("bert")
    bert.client.reconnection = True  # as the console: socket.io reconnects by itself
    bert.client.reconnection_delay = 0.2
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    first = bert.client.get_sid("/agent")

    await runtime.janitor.beat()  # a beat of a process still known changes nothing
    assert bert.client.get_sid("/agent") == first

    await store.forget_node(runtime.presence.node_id)
    assert await store.socket_count(team.tenant.id, team.bert.id) == 0
    await runtime.janitor.beat()

    async def recorded_again() -> str | None:
        sids = await store.sockets_of(team.bert.id, "agent")
        return sids[0] if sids and sids[0] != first else None

    again = None
    for _ in range(400):  # up to 20 s: the reconnect waits for the close, then its delay, on a busy machine
        if again := await recorded_again():
            break
        await asyncio.sleep(0.05)
    assert again is not None
    assert again == bert.client.get_sid("/agent")
    assert [c["id"] for c in (await bert.ok("chats.list"))["conversations"]] == [cid]
    s.clock.advance(seconds=31)
    await runtime.janitor.run_once()
    presence = await store.get(team.tenant.id, team.bert.id)
    assert presence is not None
    assert (presence.status.value, presence.disconnected_at) == ("online", None)


async def test_a_socket_that_goes_while_its_connect_is_recorded_leaves_no_ghost_agent(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bert's console gives up on a connect while the server is still recording it (the chaos soak found it):
    the disconnect runs in the middle of the connect's writes. Whatever the order, afterwards either a mark
    or a socket record is left for the janitor, and after the grace period Bert is offline and his chat is
    back in the queue — never online without a socket, receiving chats nobody answers."""
    s = team.server
    runtime = s.app.runtime
    presence = runtime.presence
    store = presence.store
    bert = await team.agent("bert")
    visitor = await s.visitor()
    cid = (await visitor.ok("chat.start"))["conversation"]["id"]
    await visitor.wait("chat.assigned")
    await team.gone(bert, team.bert.id)  # his only socket is gone; a new one is being recorded
    user = await runtime.accounts.users.by_id(team.tenant.id, team.bert.id)
    assert user is not None

    calls, halfway, go_on = 0, asyncio.Event(), asyncio.Event()

    def pausing(name: str) -> Any:
        real = getattr(store, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls == 2:  # the connect has written once: its socket disconnects now
                halfway.set()
                await go_on.wait()
            return await real(*args, **kwargs)

        return call

    for name in ("add_socket", "get", "update"):
        monkeypatch.setattr(store, name, pausing(name))
    connecting = asyncio.create_task(presence.agent_connected("sid-given-up", user, None))
    await asyncio.wait_for(halfway.wait(), 5)
    monkeypatch.undo()
    await presence.socket_closed("sid-given-up")  # the disconnect, complete
    go_on.set()
    await connecting

    state = await store.get(team.tenant.id, team.bert.id)
    assert state is not None
    recorded = await store.socket_count(team.tenant.id, team.bert.id)
    assert state.disconnected_at is not None or recorded == 1, "neither a mark nor a record: a ghost"
    await runtime.janitor.run_once()  # forgets the record of a socket this process does not hold
    s.clock.advance(seconds=31)
    await runtime.janitor.run_once()
    state = await store.get(team.tenant.id, team.bert.id)
    assert state is not None
    assert state.status.value == "offline"
    assert await store.socket_count(team.tenant.id, team.bert.id) == 0
    chat = await runtime.conversations.get(team.tenant.id, cid)
    assert chat is not None
    assert (chat.status.value, chat.agent_id) == ("queued", None)
