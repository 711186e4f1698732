"""Store contract: the transcripts sent of a conversation, and the visitor's 3 copies kept by the store
(``wschat/chat/transcript_store.py``), on both adapters."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from tests.storage.builders import new_conversation, new_transcript
from tests.storage.conftest import TwoTenants
from wschat.chat.models import Conversation
from wschat.chat.transcript_store import VISITOR_TRANSCRIPTS, TranscriptKind
from wschat.storage import Stores

VISITOR = TranscriptKind.VISITOR


async def _conversation(stores: Stores, two: TwoTenants) -> Conversation:
    conversation = new_conversation(two.a, "vis_0123456789abcdef01234567", created=1)
    assert await stores.conversations.insert(conversation) is True
    return conversation


async def test_transcripts_round_trip_oldest_first(stores: Stores, two: TwoTenants) -> None:
    chat = await _conversation(stores, two)
    later, earlier = new_transcript(two.a, chat.id, sent=20), new_transcript(two.a, chat.id, sent=10)
    await stores.transcripts.insert(later)
    await stores.transcripts.insert(earlier)
    copy = await stores.transcripts.take_visitor_slot(new_transcript(two.a, chat.id, kind=VISITOR, sent=15))

    assert copy is not None
    assert await stores.transcripts.of_conversation(two.a.id, chat.id) == [earlier, copy, later]


async def test_transcripts_visitor_slots_stop_at_the_limit(stores: Stores, two: TwoTenants) -> None:
    chat = await _conversation(stores, two)
    record = new_transcript(two.a, chat.id, kind=VISITOR)

    taken = [await stores.transcripts.take_visitor_slot(record) for _ in range(VISITOR_TRANSCRIPTS + 1)]

    assert [t.remaining if t else None for t in taken] == [2, 1, 0, None]
    await stores.transcripts.insert(new_transcript(two.a, chat.id))  # an agent's forward is not limited
    assert len(await stores.transcripts.of_conversation(two.a.id, chat.id)) == VISITOR_TRANSCRIPTS + 1


async def test_transcripts_concurrent_visitor_slots_never_exceed_the_limit(
    stores: Stores, two: TwoTenants
) -> None:
    chat = await _conversation(stores, two)
    records = [new_transcript(two.a, chat.id, kind=VISITOR) for _ in range(8)]

    taken = await asyncio.gather(*(stores.transcripts.take_visitor_slot(r) for r in records))

    assert sum(t is not None for t in taken) == VISITOR_TRANSCRIPTS
    assert len(await stores.transcripts.of_conversation(two.a.id, chat.id)) == VISITOR_TRANSCRIPTS


async def test_transcripts_removed_slot_is_free_again(stores: Stores, two: TwoTenants) -> None:
    chat = await _conversation(stores, two)
    record = new_transcript(two.a, chat.id, kind=VISITOR)
    first = await stores.transcripts.take_visitor_slot(record)
    assert first is not None

    await stores.transcripts.remove(two.b.id, first.id)  # another tenant's removal changes nothing
    assert await stores.transcripts.of_conversation(two.a.id, chat.id) == [first]
    await stores.transcripts.remove(two.a.id, first.id)

    again = await stores.transcripts.take_visitor_slot(replace(record, by_name="Sam"))
    assert again is not None
    assert again.id == first.id


async def test_transcripts_of_one_tenant_are_invisible_to_another(stores: Stores, two: TwoTenants) -> None:
    chat = await _conversation(stores, two)
    await stores.transcripts.insert(new_transcript(two.a, chat.id))

    assert await stores.transcripts.of_conversation(two.b.id, chat.id) == []


async def test_transcripts_insert_many_stores_an_exports_records(stores: Stores, two: TwoTenants) -> None:
    chat = await _conversation(stores, two)
    other = new_conversation(two.a, "vis_0123456789abcdef01234568", created=2)
    assert await stores.conversations.insert(other) is True
    exported = [
        replace(new_transcript(two.a, c.id, sent=30), kind=TranscriptKind.EXPORT, recipient="csv", note=None)
        for c in (chat, other)
    ]

    await stores.transcripts.insert_many(exported)
    await stores.transcripts.insert_many([])  # nothing to record is no write and no error

    assert await stores.transcripts.of_conversation(two.a.id, chat.id) == [exported[0]]
    assert await stores.transcripts.of_conversation(two.a.id, other.id) == [exported[1]]
    assert await stores.transcripts.of_conversation(two.b.id, chat.id) == []
