"""Store contract: conversations and their claimed transitions (``wschat/chat/conversation_store.py``),
on both adapters."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.storage.builders import agent_party, at, message_builder, new_conversation, new_user
from tests.storage.conftest import TwoTenants
from wschat.chat.conversation_store import Superseded
from wschat.chat.models import SYSTEM, Conversation, ConversationStatus
from wschat.storage import Stores

#: How often a race is run: one that only luck settles would pass a single run now and then.
RACE_ROUNDS = 50
QUEUED, ACTIVE, CLOSED = ConversationStatus.QUEUED, ConversationStatus.ACTIVE, ConversationStatus.CLOSED


async def _stored(stores: Stores, conversation: Conversation) -> Conversation:
    assert await stores.conversations.insert(conversation) is True
    return conversation


async def _close(stores: Stores, conversation: Conversation, now: float = 100) -> Conversation:
    return await stores.conversations.transition(
        conversation,
        "close",
        {"status": CLOSED.value, "closed_at": at(now), "closed_by": SYSTEM.to_doc()},
        {"by": SYSTEM.to_doc(), "from_agent_id": conversation.agent_id},
        at(now),
    )


async def _assign(stores: Stores, conversation: Conversation, agent_id: str, now: float = 10) -> Conversation:
    return await stores.conversations.transition(
        conversation,
        "assign",
        {"status": ACTIVE.value, "agent_id": agent_id, "assigned_at": at(now)},
        {"to_agent_id": agent_id},
        at(now),
    )


async def test_conversations_insert_round_trips_every_field(stores: Stores, two: TwoTenants) -> None:
    conversation = new_conversation(
        two.a,
        "vis_1",
        status=ACTIVE,
        agent_id="usr_1",
        visitor_read_seq=3,
        agent_read_seq=2,
        visitor_left_at=at(30),
    )
    await _stored(stores, conversation)

    assert await stores.conversations.get(two.a.id, conversation.id) == conversation
    assert await stores.conversations.get(two.a.id, "cnv_000000000000000000000000") is None


async def test_conversations_one_open_per_visitor(stores: Stores, two: TwoTenants) -> None:
    first = await _stored(stores, new_conversation(two.a, "vis_1"))

    assert await stores.conversations.insert(new_conversation(two.a, "vis_1", created=5)) is False
    assert await stores.conversations.open_of_visitor(two.a.id, "vis_1") == first
    # Another visitor, and the same visitor id in another tenant, are not affected.
    assert await stores.conversations.insert(new_conversation(two.a, "vis_2")) is True
    assert await stores.conversations.insert(new_conversation(two.b, "vis_1")) is True

    await _close(stores, first)
    assert await stores.conversations.open_of_visitor(two.a.id, "vis_1") is None
    second = new_conversation(two.a, "vis_1", created=200)
    assert await stores.conversations.insert(second) is True
    assert await stores.conversations.open_of_visitor(two.a.id, "vis_1") == second
    assert await stores.conversations.insert(new_conversation(two.a, "vis_1", created=300)) is False


async def test_conversations_of_one_tenant_are_invisible_to_another(stores: Stores, two: TwoTenants) -> None:
    conversation = await _stored(stores, new_conversation(two.a, "vis_1", status=ACTIVE, agent_id="usr_1"))
    await stores.conversations.set_visitor_left(two.a.id, "vis_1", at(5))
    conversation = replace(conversation, visitor_left_at=at(5))

    assert await stores.conversations.get(two.b.id, conversation.id) is None
    assert await stores.conversations.open_of_visitor(two.b.id, "vis_1") is None
    assert await stores.conversations.open_of_visitors(two.b.id, ["vis_1"]) == {}
    assert await stores.conversations.queued(two.b.id) == []
    assert await stores.conversations.active_of_agent(two.b.id, "usr_1") == []
    assert await stores.conversations.open_load(two.b.id) == {}
    assert await stores.conversations.history(two.b.id, conversation.id) == []
    await stores.conversations.raise_read_marker(two.b.id, conversation.id, "agent", 99)
    await stores.conversations.set_visitor_left(two.b.id, "vis_1", None)

    assert await stores.conversations.get(two.a.id, conversation.id) == conversation


async def test_conversations_open_of_visitors_in_one_call(stores: Stores, two: TwoTenants) -> None:
    one = await _stored(stores, new_conversation(two.a, "vis_1"))
    two_ = await _stored(stores, new_conversation(two.a, "vis_2", status=ACTIVE, agent_id="usr_1"))
    closed = await _stored(stores, new_conversation(two.a, "vis_3"))
    await _close(stores, closed)
    await _stored(stores, new_conversation(two.b, "vis_4"))

    found = await stores.conversations.open_of_visitors(
        two.a.id, ["vis_1", "vis_2", "vis_3", "vis_4", "vis_5"]
    )

    assert found == {"vis_1": one, "vis_2": two_}
    assert await stores.conversations.open_of_visitors(two.a.id, []) == {}


async def test_conversations_queued_oldest_first(stores: Stores, two: TwoTenants) -> None:
    for n in (3, 1, 2):
        await _stored(stores, new_conversation(two.a, f"vis_{n}", created=n))
    await _stored(stores, new_conversation(two.a, "vis_0", created=0, status=ACTIVE, agent_id="usr_1"))
    await _close(stores, await _stored(stores, new_conversation(two.a, "vis_9", created=-5)))
    await _stored(stores, new_conversation(two.b, "vis_b", created=-10))

    queued = await stores.conversations.queued(two.a.id)

    assert [(c.visitor_id, c.status) for c in queued] == [
        ("vis_1", QUEUED),
        ("vis_2", QUEUED),
        ("vis_3", QUEUED),
    ]


async def test_conversations_active_of_agent_oldest_first(stores: Stores, two: TwoTenants) -> None:
    for n in (2, 0, 1):
        await _stored(stores, new_conversation(two.a, f"vis_{n}", created=n, status=ACTIVE, agent_id="usr_1"))
    await _stored(stores, new_conversation(two.a, "vis_x", created=-1, status=ACTIVE, agent_id="usr_2"))
    await _stored(stores, new_conversation(two.a, "vis_q", created=-2))
    done = await _stored(
        stores, new_conversation(two.a, "vis_c", created=-3, status=ACTIVE, agent_id="usr_1")
    )
    await _close(stores, done)

    active = await stores.conversations.active_of_agent(two.a.id, "usr_1")

    assert [c.visitor_id for c in active] == ["vis_0", "vis_1", "vis_2"]
    assert all(c.agent_id == "usr_1" and c.status is ACTIVE for c in active)


async def test_conversations_open_load_counts_active_chats_per_agent(stores: Stores, two: TwoTenants) -> None:
    for n in range(3):
        await _stored(stores, new_conversation(two.a, f"vis_a{n}", status=ACTIVE, agent_id="usr_1"))
    await _stored(stores, new_conversation(two.a, "vis_b", status=ACTIVE, agent_id="usr_2"))
    await _stored(stores, new_conversation(two.a, "vis_q"))
    await _close(
        stores, await _stored(stores, new_conversation(two.a, "vis_c", status=ACTIVE, agent_id="usr_3"))
    )
    await _stored(stores, new_conversation(two.b, "vis_d", status=ACTIVE, agent_id="usr_1"))

    assert await stores.conversations.open_load(two.a.id) == {"usr_1": 3, "usr_2": 1}


async def test_conversations_agents_with_active_and_tenants_with_queue_across_tenants(
    stores: Stores, two: TwoTenants
) -> None:
    await _stored(stores, new_conversation(two.a, "vis_1", status=ACTIVE, agent_id="usr_1"))
    await _stored(stores, new_conversation(two.a, "vis_2", status=ACTIVE, agent_id="usr_1"))
    await _stored(stores, new_conversation(two.b, "vis_3", status=ACTIVE, agent_id="usr_2"))
    await _stored(stores, new_conversation(two.b, "vis_4"))
    await _close(
        stores, await _stored(stores, new_conversation(two.a, "vis_5", status=ACTIVE, agent_id="usr_3"))
    )
    await _close(stores, await _stored(stores, new_conversation(two.a, "vis_6")))

    assert await stores.conversations.agents_with_active() == {(two.a.id, "usr_1"), (two.b.id, "usr_2")}
    assert await stores.conversations.tenants_with_queue() == {two.b.id}


async def test_conversations_abandoned_across_tenants(stores: Stores, two: TwoTenants) -> None:
    gone_a = await _stored(stores, new_conversation(two.a, "vis_1"))
    gone_b = await _stored(stores, new_conversation(two.b, "vis_2", status=ACTIVE, agent_id="usr_1"))
    recently = await _stored(stores, new_conversation(two.a, "vis_3"))
    here = await _stored(stores, new_conversation(two.a, "vis_4"))
    closed = await _stored(stores, new_conversation(two.a, "vis_5"))
    await stores.conversations.set_visitor_left(two.a.id, "vis_1", at(10))
    await stores.conversations.set_visitor_left(two.b.id, "vis_2", at(20))
    await stores.conversations.set_visitor_left(two.a.id, "vis_3", at(100))
    await stores.conversations.set_visitor_left(two.a.id, "vis_5", at(10))
    await _close(stores, closed)

    found = await stores.conversations.abandoned(at(50))

    assert sorted(found, key=lambda c: c.id) == sorted(
        [replace(gone_a, visitor_left_at=at(10)), replace(gone_b, visitor_left_at=at(20))], key=lambda c: c.id
    )
    assert {c.id for c in await stores.conversations.abandoned(at(200))} == {
        gone_a.id,
        gone_b.id,
        recently.id,
    }
    assert here.id not in {c.id for c in await stores.conversations.abandoned(at(10_000))}


async def test_conversations_set_visitor_left_only_on_the_open_one(stores: Stores, two: TwoTenants) -> None:
    old = await _close(stores, await _stored(stores, new_conversation(two.a, "vis_1")))
    current = await _stored(stores, new_conversation(two.a, "vis_1", created=200))

    await stores.conversations.set_visitor_left(two.a.id, "vis_1", at(300))
    assert await stores.conversations.get(two.a.id, current.id) == replace(current, visitor_left_at=at(300))
    assert await stores.conversations.get(two.a.id, old.id) == old

    await stores.conversations.set_visitor_left(two.a.id, "vis_1", None)  # back on the site
    assert await stores.conversations.get(two.a.id, current.id) == current
    await stores.conversations.set_visitor_left(two.a.id, "vis_nobody", at(1))  # no open chat: no error


async def test_conversations_transition_applies_state_and_records_it(stores: Stores, two: TwoTenants) -> None:
    anna = new_user(two.a, "anna")
    conversation = await _stored(stores, new_conversation(two.a, "vis_1"))

    assigned = await stores.conversations.transition(
        conversation,
        "assign",
        {"status": ACTIVE.value, "agent_id": anna.id, "assigned_at": at(10)},
        {"by": agent_party(anna).to_doc(), "to_agent_id": anna.id, "note": None},
        at(10),
    )

    expected = replace(conversation, status=ACTIVE, agent_id=anna.id, assigned_at=at(10), epoch=1)
    assert assigned == expected
    assert await stores.conversations.get(two.a.id, conversation.id) == expected

    closed = await _close(stores, assigned, now=60)
    assert closed == replace(expected, status=CLOSED, closed_at=at(60), closed_by=SYSTEM, epoch=2)
    assert await stores.conversations.get(two.a.id, conversation.id) == closed

    history = await stores.conversations.history(two.a.id, conversation.id)
    assert [(h["epoch"], h["kind"], h["at"]) for h in history] == [
        (1, "assign", at(10)),
        (2, "close", at(60)),
    ]
    assert history[0]["by"] == agent_party(anna).to_doc()
    assert history[0]["to_agent_id"] == anna.id
    assert history[0].get("note") is None
    assert history[0]["state"] == {"status": "active", "agent_id": anna.id, "assigned_at": at(10)}
    assert history[1]["by"] == SYSTEM.to_doc()
    assert history[1]["from_agent_id"] == anna.id
    assert history[1]["state"]["status"] == "closed"
    assert history[1]["state"]["closed_at"] == at(60)


async def test_conversations_transition_from_a_stale_epoch_is_superseded(
    stores: Stores, two: TwoTenants
) -> None:
    conversation = await _stored(stores, new_conversation(two.a, "vis_1"))
    assigned = await _assign(stores, conversation, "usr_1")

    with pytest.raises(Superseded):
        await _assign(stores, conversation, "usr_2")

    assert await stores.conversations.get(two.a.id, conversation.id) == assigned
    assert [h["epoch"] for h in await stores.conversations.history(two.a.id, conversation.id)] == [1]


async def test_conversations_two_transitions_at_once_one_wins(stores: Stores, two: TwoTenants) -> None:
    conversation = await _stored(stores, new_conversation(two.a, "vis_1"))

    results = await asyncio.gather(
        _assign(stores, conversation, "usr_1"),
        _assign(stores, conversation, "usr_2"),
        return_exceptions=True,
    )

    winners = [r for r in results if isinstance(r, Conversation)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert isinstance(losers[0], Superseded), results
    stored = await stores.conversations.get(two.a.id, conversation.id)
    assert stored == winners[0]
    assert stored is not None
    assert stored.epoch == 1
    history = await stores.conversations.history(two.a.id, conversation.id)
    assert [(h["epoch"], h["to_agent_id"]) for h in history] == [(1, stored.agent_id)]


async def test_conversations_many_transitions_at_once_exactly_one_wins(
    stores: Stores, two: TwoTenants
) -> None:
    conversation = await _stored(stores, new_conversation(two.a, "vis_1"))

    results = await asyncio.gather(
        *(_assign(stores, conversation, f"usr_{n}") for n in range(10)), return_exceptions=True
    )

    assert sum(isinstance(r, Conversation) for r in results) == 1, results
    assert all(isinstance(r, Superseded) for r in results if not isinstance(r, Conversation)), results
    assert len(await stores.conversations.history(two.a.id, conversation.id)) == 1


async def test_conversations_history_oldest_first(stores: Stores, two: TwoTenants) -> None:
    current = await _stored(stores, new_conversation(two.a, "vis_1"))
    for n in range(4):
        current = await _assign(stores, current, f"usr_{n}", now=n)

    history = await stores.conversations.history(two.a.id, current.id)

    assert [(h["epoch"], h["to_agent_id"], h["at"]) for h in history] == [
        (n + 1, f"usr_{n}", at(n)) for n in range(4)
    ]


async def test_conversations_raise_read_marker_never_lowers(stores: Stores, two: TwoTenants) -> None:
    conversation = await _stored(stores, new_conversation(two.a, "vis_1"))

    async def markers() -> tuple[int, int]:
        stored = await stores.conversations.get(two.a.id, conversation.id)
        assert stored is not None
        return stored.visitor_read_seq, stored.agent_read_seq

    await stores.conversations.raise_read_marker(two.a.id, conversation.id, "visitor", 5)
    assert await markers() == (5, 0)
    await stores.conversations.raise_read_marker(two.a.id, conversation.id, "visitor", 3)
    assert await markers() == (5, 0)
    await stores.conversations.raise_read_marker(two.a.id, conversation.id, "agent", 4)
    await stores.conversations.raise_read_marker(two.a.id, conversation.id, "visitor", 7)
    assert await markers() == (7, 4)


@pytest.mark.atomic_update
async def test_conversations_raise_read_marker_at_once_keeps_the_highest(
    stores: Stores, two: TwoTenants
) -> None:
    """Read from several sockets at once: the highest seq stays, whatever order the writes land in (no lost
    update). Repeated, since a race that only luck settles shows only sometimes."""
    for round_ in range(RACE_ROUNDS):
        conversation = await _stored(stores, new_conversation(two.a, f"vis_{round_}"))

        await asyncio.gather(
            *(
                stores.conversations.raise_read_marker(two.a.id, conversation.id, "agent", n)
                for n in (4, 9, 6, 8)
            )
        )

        stored = await stores.conversations.get(two.a.id, conversation.id)
        assert stored is not None
        assert stored.agent_read_seq == 9, f"round {round_}: {stored.agent_read_seq}"


async def test_conversations_unfinished_lists_the_latest_transitions_without_their_marker(
    stores: Stores, two: TwoTenants
) -> None:
    """wschat.chat.markers: a transition whose marker message was never written, still its conversation's
    latest, made in the window, is unfinished; across tenants."""
    done = await _stored(stores, new_conversation(two.a, "vis_1", created=1))
    open_ = await _stored(stores, new_conversation(two.b, "vis_2", created=2))
    later = await _stored(stores, new_conversation(two.a, "vis_3", created=3))
    unmarked = await _stored(stores, new_conversation(two.a, "vis_4", created=4))
    before = await stores.conversations.transition(  # made before these markers existed
        unmarked, "assign", {"status": ACTIVE.value, "agent_id": "usr_1"}, {"to_agent_id": "usr_1"}, at(10)
    )
    assert before.epoch == 1

    async def assign(conversation: Conversation, now: float) -> Conversation:
        marker = f"sys:assign:{conversation.epoch + 1}"
        state = {"status": ACTIVE.value, "agent_id": "usr_1", "assigned_at": at(now)}
        return await stores.conversations.transition(
            conversation, "assign", state, {"to_agent_id": "usr_1", "marker": marker}, at(now)
        )

    done = await assign(done, 10)
    build = message_builder(done, "sys:assign:1", "Anna joined the chat.", created=11)
    await stores.messages.append(two.a.id, done.id, "sys:assign:1", build)
    open_ = await assign(open_, 20)
    later = await assign(later, 30)
    later = await _close(stores, later, now=40)  # the close has no marker: the assignment is not latest

    unfinished = await stores.conversations.unfinished(at(0), at(100))
    assert [(c.id, c.epoch, t["epoch"], t["marker"]) for c, t in unfinished] == [
        (open_.id, 1, 1, "sys:assign:1")
    ]
    assert unfinished[0][0] == open_
    assert await stores.conversations.unfinished(at(21), at(100)) == []  # outside the window

    # Asked again (each repair pass does): what was complete stays so, what is still unfinished is listed
    # again, and a transition made since is found (on MongoDB its marker message marks a transition done).
    assert [c.id for c, _ in await stores.conversations.unfinished(at(0), at(100))] == [open_.id]
    build = message_builder(open_, "sys:assign:1", "Anna joined the chat.", created=21)
    await stores.messages.append(two.b.id, open_.id, "sys:assign:1", build)
    fresh = await assign(await _stored(stores, new_conversation(two.b, "vis_5", created=50)), 50)
    assert [c.id for c, _ in await stores.conversations.unfinished(at(0), at(100))] == [fresh.id]
