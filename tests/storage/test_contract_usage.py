"""Store contract: a tenant's usage for the operator (``wschat/usage/store.py``), on both adapters: users by
role, the chats started in the window and the visitors' and agents' messages in them, what is stored, and
the approximate bytes of it; never another tenant's."""

from __future__ import annotations

from dataclasses import replace

from tests.storage.builders import at, message_builder, new_conversation, new_mail, new_user, new_visitor
from tests.storage.conftest import TwoTenants
from wschat.accounts.models import Role, Tenant
from wschat.chat.models import MessageKind
from wschat.storage import Stores
from wschat.usage.store import Usage

DAY = 86400.0
#: The window starts 30 days after builders.T0; "old" chats start before it.
SINCE = at(30 * DAY)
NOTHING = Usage(admins=0, agents=0, recent_chats=0, recent_messages=0, chats=0, messages=0, storage_bytes=0)


async def _chat(stores: Stores, tenant: Tenant, *, day: float, texts: int, system: int = 0) -> None:
    visitor = new_visitor(tenant, seen=day * DAY)
    await stores.visitors.insert(visitor, f"token-{visitor.id}")
    chat = new_conversation(tenant, visitor.id, created=day * DAY)
    assert await stores.conversations.insert(chat)
    for n in range(texts + system):
        build = message_builder(chat, f"c{n}", f"Grüße, Nachricht {n}", created=day * DAY + n)
        if n >= texts:
            build = (lambda b: lambda seq: replace(b(seq), kind=MessageKind.SYSTEM))(build)
        await stores.messages.append(tenant.id, chat.id, f"c{n}", build)


async def test_usage_of_a_tenant_without_data_is_zero(stores: Stores, two: TwoTenants) -> None:
    assert await stores.usage.usage(two.a.id, SINCE) == NOTHING
    assert await stores.usage.usage("ten_unknown", SINCE) == NOTHING


async def test_usage_counts_users_recent_chats_and_what_is_stored(stores: Stores, two: TwoTenants) -> None:
    await stores.users.insert(new_user(two.a, "anna", Role.ADMIN))
    await stores.users.insert(new_user(two.a, "bert"))
    await stores.users.insert(new_user(two.a, "carl"))
    await stores.users.insert(new_user(two.a, "dora", disabled=True))
    await stores.users.insert(new_user(two.b, "emil"))
    await _chat(stores, two.a, day=10, texts=2)  # before the window
    await _chat(stores, two.a, day=31, texts=3, system=1)
    await _chat(stores, two.a, day=40, texts=1)
    await _chat(stores, two.b, day=35, texts=5)

    a = await stores.usage.usage(two.a.id, SINCE)
    b = await stores.usage.usage(two.b.id, SINCE)

    assert replace(a, storage_bytes=0) == Usage(
        admins=1, agents=2, recent_chats=2, recent_messages=4, chats=3, messages=7, storage_bytes=0
    )
    assert replace(b, storage_bytes=0) == Usage(
        admins=0, agents=1, recent_chats=1, recent_messages=5, chats=1, messages=5, storage_bytes=0
    )
    assert a.storage_bytes >= 7 * len("Grüße, Nachricht 0".encode())
    assert b.storage_bytes >= 5 * len("Grüße, Nachricht 0".encode())


async def test_usage_bytes_grow_with_the_tenants_mails_alone(stores: Stores, two: TwoTenants) -> None:
    await _chat(stores, two.a, day=31, texts=2)
    await _chat(stores, two.b, day=31, texts=2)
    before = await stores.usage.usage(two.a.id, SINCE)
    other = await stores.usage.usage(two.b.id, SINCE)
    await stores.outbox.insert(new_mail(two.a, text="Hallo\n" * 200))

    after = await stores.usage.usage(two.a.id, SINCE)
    assert after.storage_bytes >= before.storage_bytes + len("Hallo\n" * 200)
    assert replace(after, storage_bytes=0) == replace(before, storage_bytes=0)
    assert (await stores.usage.usage(two.b.id, SINCE)).storage_bytes == other.storage_bytes
