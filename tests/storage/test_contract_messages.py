"""Store contract: messages (``wschat/chat/message_store.py``), on both adapters: seqs without gaps or
duplicates however many append at once, and client_id idempotency."""

from __future__ import annotations

import asyncio

import pytest

from tests.storage.builders import message_builder, new_conversation
from tests.storage.conftest import Adapter, TwoTenants
from wschat.chat.models import Conversation, Message, Visibility
from wschat.storage import Stores


@pytest.fixture
async def chat(stores: Stores, two: TwoTenants) -> Conversation:
    conversation = new_conversation(two.a, "vis_1")
    assert await stores.conversations.insert(conversation)
    return conversation


async def _append(
    stores: Stores, chat: Conversation, client_id: str, text: str = "", **values: object
) -> tuple[Message, bool]:
    build = message_builder(chat, client_id, text or f"text of {client_id}", **values)  # type: ignore[arg-type]
    return await stores.messages.append(chat.tenant_id, chat.id, client_id, build)


async def test_messages_append_numbers_them_and_stores_every_field(
    stores: Stores, chat: Conversation
) -> None:
    first, new1 = await _append(stores, chat, "c1", created=1)
    second, new2 = await _append(stores, chat, "c2", created=2)

    assert (new1, new2) == (True, True)
    assert (first.seq, second.seq) == (1, 2)
    assert await stores.messages.after(chat.tenant_id, chat.id, 0, 10, agents=True) == [first, second]
    assert await stores.messages.by_client_id(chat.tenant_id, chat.id, "c2") == second
    assert await stores.messages.last_seq(chat.tenant_id, chat.id) == 2


async def test_messages_same_client_id_returns_the_earlier_one(stores: Stores, chat: Conversation) -> None:
    first, _ = await _append(stores, chat, "c1", "hello")

    again, new = await _append(stores, chat, "c1", "hello, resent")

    assert new is False
    assert again == first
    assert await stores.messages.last_seq(chat.tenant_id, chat.id) == 1
    assert await stores.messages.after(chat.tenant_id, chat.id, 0, 10, agents=True) == [first]


async def test_messages_client_ids_are_per_conversation(
    stores: Stores, two: TwoTenants, chat: Conversation
) -> None:
    other = new_conversation(two.a, "vis_2")
    assert await stores.conversations.insert(other)

    mine, _ = await _append(stores, chat, "c1")
    theirs, new = await _append(stores, other, "c1")

    assert new is True
    assert (mine.seq, theirs.seq) == (1, 1)
    assert await stores.messages.by_client_id(two.a.id, other.id, "c1") == theirs
    assert await stores.messages.by_client_id(two.a.id, chat.id, "c1") == mine
    assert await stores.messages.by_client_id(two.a.id, chat.id, "c2") is None


async def test_messages_after_oldest_first_with_limit_and_visibility(
    stores: Stores, chat: Conversation
) -> None:
    sent = []
    for n in range(1, 8):
        visibility = Visibility.AGENTS if n in (3, 6) else Visibility.ALL
        message, _ = await _append(stores, chat, f"c{n}", created=n, visibility=visibility)
        sent.append(message)
    t, c = chat.tenant_id, chat.id

    assert await stores.messages.after(t, c, 0, 100, agents=True) == sent
    assert await stores.messages.after(t, c, 2, 3, agents=True) == sent[2:5]
    assert [m.seq for m in await stores.messages.after(t, c, 0, 100, agents=False)] == [1, 2, 4, 5, 7]
    assert [m.seq for m in await stores.messages.after(t, c, 2, 2, agents=False)] == [4, 5]
    assert await stores.messages.after(t, c, 7, 100, agents=True) == []


async def test_messages_before_newest_first_with_limit_and_visibility(
    stores: Stores, chat: Conversation
) -> None:
    sent = []
    for n in range(1, 8):
        visibility = Visibility.AGENTS if n in (3, 6) else Visibility.ALL
        message, _ = await _append(stores, chat, f"c{n}", created=n, visibility=visibility)
        sent.append(message)
    t, c = chat.tenant_id, chat.id

    assert await stores.messages.before(t, c, None, 100, agents=True) == sent[::-1]
    assert [m.seq for m in await stores.messages.before(t, c, None, 3, agents=True)] == [7, 6, 5]
    assert [m.seq for m in await stores.messages.before(t, c, 6, 3, agents=True)] == [5, 4, 3]
    assert [m.seq for m in await stores.messages.before(t, c, 7, 3, agents=False)] == [5, 4, 2]
    assert await stores.messages.before(t, c, 1, 10, agents=True) == []


async def test_messages_last_seq_of_an_empty_conversation_is_zero(stores: Stores, chat: Conversation) -> None:
    assert await stores.messages.last_seq(chat.tenant_id, chat.id) == 0
    assert await stores.messages.after(chat.tenant_id, chat.id, 0, 10, agents=True) == []
    assert await stores.messages.before(chat.tenant_id, chat.id, None, 10, agents=True) == []


async def test_messages_of_one_tenant_are_invisible_to_another(
    stores: Stores, two: TwoTenants, chat: Conversation
) -> None:
    await _append(stores, chat, "c1")

    assert await stores.messages.after(two.b.id, chat.id, 0, 10, agents=True) == []
    assert await stores.messages.before(two.b.id, chat.id, None, 10, agents=True) == []
    assert await stores.messages.by_client_id(two.b.id, chat.id, "c1") is None
    assert await stores.messages.last_seq(two.b.id, chat.id) == 0


async def test_messages_twenty_appends_at_once_get_seqs_one_to_twenty(
    stores: Stores, chat: Conversation
) -> None:
    results = await asyncio.gather(*(_append(stores, chat, f"c{n}", f"text {n}") for n in range(20)))

    assert all(new for _, new in results)
    assert sorted(m.seq for m, _ in results) == list(range(1, 21))
    stored = await stores.messages.after(chat.tenant_id, chat.id, 0, 100, agents=True)
    assert [m.seq for m in stored] == list(range(1, 21))
    assert sorted(stored, key=lambda m: m.id) == sorted((m for m, _ in results), key=lambda m: m.id)
    assert {m.text for m in stored} == {f"text {n}" for n in range(20)}
    assert await stores.messages.last_seq(chat.tenant_id, chat.id) == 20


async def test_messages_same_client_id_at_once_stores_one(stores: Stores, chat: Conversation) -> None:
    results = await asyncio.gather(*(_append(stores, chat, "dup", f"attempt {n}") for n in range(10)))

    assert [new for _, new in results].count(True) == 1
    winner = next(m for m, new in results if new)
    assert all(m == winner for m, _ in results)
    assert await stores.messages.after(chat.tenant_id, chat.id, 0, 100, agents=True) == [winner]
    assert winner.seq == 1


async def test_messages_appends_through_two_handles_at_once_share_one_sequence(
    adapter: Adapter, stores: Stores, chat: Conversation
) -> None:
    """Two processes (two handles on the same data) append to one conversation: still 1..n."""
    async with adapter.opened() as other:
        mine = [_append(stores, chat, f"a{n}") for n in range(15)]
        theirs = [_append(other.stores, chat, f"b{n}") for n in range(15)]
        results = await asyncio.gather(*mine, *theirs)
        # A client_id sent through one handle is known to the other.
        again, new = await _append(other.stores, chat, "a3")

    assert sorted(m.seq for m, _ in results) == list(range(1, 31))
    assert new is False
    assert again == next(m for m, _ in results if m.client_id == "a3")
    stored = await stores.messages.after(chat.tenant_id, chat.id, 0, 100, agents=True)
    assert [m.seq for m in stored] == list(range(1, 31))
