"""The MongoDB adapter's seq allocation when two processes write to one conversation (the visitor through one,
the agent through the other): each message costs one insert, not a look-up of the last seq and of the
client_id after every turn — on FerretDB each such look-up reads the whole collection. Commands are counted
with PyMongo's own command monitoring on a real FerretDB."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from pymongo import AsyncMongoClient, monitoring

from tests.storage.builders import message_builder, new_conversation, new_tenant
from wschat.chat.models import Conversation, Message
from wschat.records import Document
from wschat.storage.mongo.database import MongoDatabase


class MessageReads(monitoring.CommandListener):
    """Counts the ``find`` commands on ``messages``."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == "messages":
            self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@asynccontextmanager
async def _process(uri: str, name: str, reads: MessageReads) -> AsyncIterator[MongoDatabase]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(uri, tz_aware=True, event_listeners=[reads])
    db = MongoDatabase(client, name, "test")
    try:
        await db.ensure_indexes()
        yield db
    finally:
        await client.close()


async def _append(db: MongoDatabase, chat: Conversation, client_id: str) -> tuple[Message, bool]:
    build = message_builder(chat, client_id, f"text of {client_id}")
    return await db.stores.messages.append(chat.tenant_id, chat.id, client_id, build)


async def test_turns_through_two_processes_cost_one_insert_each_and_leave_no_gap(mongodb_uri: str) -> None:
    name = f"test_{secrets.token_hex(6)}"
    visitor_reads, agent_reads = MessageReads(), MessageReads()
    async with (
        _process(mongodb_uri, name, visitor_reads) as visitor_side,
        _process(mongodb_uri, name, agent_reads) as agent_side,
    ):
        tenant = new_tenant("acme")
        await visitor_side.stores.tenants.insert(tenant)
        chat = new_conversation(tenant, "vis_1")
        assert await visitor_side.stores.conversations.insert(chat)
        # Each side reads the last seq once, when it first writes to the chat.
        await _append(visitor_side, chat, "v0")
        await _append(agent_side, chat, "a0")
        first_reads = (visitor_reads.count, agent_reads.count)

        for turn in range(1, 21):
            await _append(visitor_side, chat, f"v{turn}")
            await _append(agent_side, chat, f"a{turn}")
        turns_reads = (visitor_reads.count - first_reads[0], agent_reads.count - first_reads[1])

        # A resend after the other side wrote: answered with the stored message, and no seq is skipped.
        again, new = await _append(visitor_side, chat, "v20")
        await _append(agent_side, chat, "a21")
        await _append(visitor_side, chat, "v21")

        stored = await visitor_side.stores.messages.after(chat.tenant_id, chat.id, 0, 100, agents=True)
        await visitor_side.drop()

    assert first_reads == (1, 1)
    assert turns_reads == (0, 0)
    assert new is False
    assert again.client_id == "v20"
    assert [m.seq for m in stored] == list(range(1, 45))
    assert [m.client_id for m in stored][-2:] == ["a21", "v21"]
