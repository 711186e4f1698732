"""Store contract: offline messages (conversations of origin ``offline_form``, closed from the start) and
their to-answer state, on both adapters."""

from __future__ import annotations

from tests.storage.builders import at, new_conversation, offline_message
from tests.storage.conftest import TwoTenants
from wschat.storage import Stores


async def test_offline_message_round_trips_and_never_blocks_a_chat(stores: Stores, two: TwoTenants) -> None:
    item = offline_message(two.a, "vis_0123456789abcdef01234567", created=5)
    assert await stores.conversations.insert(item) is True

    assert await stores.conversations.get(two.a.id, item.id) == item
    assert await stores.conversations.open_of_visitor(two.a.id, item.visitor_id) is None
    chat = new_conversation(two.a, item.visitor_id, created=6)
    assert await stores.conversations.insert(chat) is True, "the same visitor may chat besides"
    assert (await stores.conversations.get(two.a.id, chat.id)).origin == "chat"  # type: ignore[union-attr]


async def test_offline_todo_pages_oldest_first_counts_and_drops_done(stores: Stores, two: TwoTenants) -> None:
    items = [offline_message(two.a, f"vis_0123456789abcdef0123456{n}", created=10 - n) for n in range(3)]
    for item in items:
        await stores.conversations.insert(item)
    await stores.conversations.insert(offline_message(two.b, "vis_0123456789abcdef01234599", created=1))
    await stores.conversations.insert(new_conversation(two.a, "vis_0123456789abcdef01234598", created=1))
    oldest_first = sorted(items, key=lambda c: c.created_at)

    first = await stores.conversations.todo(two.a.id, None, 2)
    assert [c.id for c in first] == [c.id for c in oldest_first[:2]]
    assert [c.id for c in await stores.conversations.todo(two.a.id, first[-1], 2)] == [oldest_first[2].id]
    assert await stores.conversations.todo_count(two.a.id) == 3

    state = {"answer_state": "done", "done_at": at(20), "done_by": "usr_0123456789abcdef01234567"}
    done = await stores.conversations.transition(oldest_first[0], "done", state, {}, at(20))
    assert (done.answer_state, done.done_at, done.done_by) == ("done", at(20), "usr_0123456789abcdef01234567")
    assert await stores.conversations.todo_count(two.a.id) == 2
    assert oldest_first[0].id not in [c.id for c in await stores.conversations.todo(two.a.id, None, 10)]
    assert await stores.conversations.todo_count(two.b.id) == 1
