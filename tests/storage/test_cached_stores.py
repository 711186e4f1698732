"""The per-process record cache (wschat/storage/record_cache.py) and the stores that read through it and
forget on change (wschat/storage/cached.py), on both adapters. Two processes are two handles on the same
database here; that they hear each other's changes through Redis is tests/chat/test_cluster.py's part."""

from __future__ import annotations

import inspect
from dataclasses import replace

import pytest

from tests.storage.builders import at, new_conversation, new_visitor, page_ref
from tests.storage.conftest import Adapter, TwoTenants
from wschat.agent_data.store import AgentDataStore
from wschat.chat.conversation_store import ConversationStore, Superseded
from wschat.chat.models import SYSTEM, ConversationStatus
from wschat.lifecycle.store import TenantDataStore
from wschat.retention.store import RetentionStore
from wschat.storage import Stores
from wschat.storage.cached import (
    CachedConversations,
    CachedVisitors,
    ForgettingAgentData,
    ForgettingRetention,
    ForgettingSubjects,
    ForgettingTenantData,
    with_caches,
)
from wschat.storage.record_cache import Caches, RecordCache
from wschat.subjects.store import SubjectStore
from wschat.visitors.store import VisitorStore

WRAPPERS = [
    (CachedVisitors, VisitorStore),
    (CachedConversations, ConversationStore),
    (ForgettingSubjects, SubjectStore),
    (ForgettingTenantData, TenantDataStore),
    (ForgettingRetention, RetentionStore),
    (ForgettingAgentData, AgentDataStore),
]


@pytest.mark.parametrize(("wrapper", "protocol"), WRAPPERS, ids=lambda w: getattr(w, "__name__", ""))
def test_every_store_method_is_either_handled_or_named_as_changing_nothing_cached(
    wrapper: type, protocol: type
) -> None:
    methods = {
        name for name, _ in inspect.getmembers(protocol, inspect.isfunction) if not name.startswith("_")
    }
    handled = {name for name in vars(wrapper) if not name.startswith("_") and name != "HANDED_ON"}
    assert methods == handled | wrapper.HANDED_ON, "a store method the cache wrapper does not know"
    assert not handled & wrapper.HANDED_ON


def test_a_load_that_raced_with_a_forget_is_not_kept() -> None:
    cache = RecordCache[str]("things")
    mark = cache.mark()
    cache.forget(["a"])  # a change landed while the load was on its way
    cache.fill("a", "old", mark)
    assert cache.get("a") is None
    mark = cache.mark()
    cache.fill("a", "new", mark)
    assert cache.get("a") == "new"


def test_the_least_recently_used_record_goes_first_and_groups_are_forgotten_whole() -> None:
    cache = RecordCache[tuple[str, str]]("pairs", capacity=2, group=lambda item: item[0])
    cache.fill("1", ("g", "one"), cache.mark())
    cache.fill("2", ("g", "two"), cache.mark())
    assert cache.get("1") is not None  # "2" is now the least recently used
    cache.fill("3", ("h", "three"), cache.mark())
    assert cache.get("2") is None
    assert cache.get("1") is not None
    assert len(cache) == 2
    cache.forget(groups=["g"])
    assert cache.get("1") is None
    assert cache.get("3") == ("h", "three")


def test_an_order_that_cannot_be_read_forgets_everything() -> None:
    caches = Caches()
    cache = caches.add(RecordCache[str]("things"))
    cache.fill("a", "A", cache.mark())
    caches.apply({"cache": "things", "keys": ["b"], "groups": []})
    assert cache.get("a") == "A"
    caches.apply({"cache": "things", "keys": "a"})  # keys not a list
    assert cache.get("a") is None
    cache.fill("a", "A", cache.mark())
    caches.apply({"cache": "no such cache", "keys": [], "groups": []})
    assert cache.get("a") is None


async def test_a_visitor_is_read_once_and_forgotten_when_this_process_changes_it(
    stores: Stores, two: TwoTenants, adapter: Adapter
) -> None:
    cached = with_caches(stores, caches := Caches())
    visitor = new_visitor(two.a, name="Vera")
    await cached.visitors.insert(visitor, "hash")
    assert await cached.visitors.by_id(two.a.id, visitor.id) == visitor
    assert await cached.visitors.by_id(two.b.id, visitor.id) is None  # never across tenants, cached or not

    # Another process changes the record: this one keeps its copy (until an order reaches it).
    async with adapter.opened() as other:
        await other.stores.visitors.set_profile(two.a.id, visitor.id, name="Changed elsewhere")
    assert (await cached.visitors.by_id(two.a.id, visitor.id)).name == "Vera"  # type: ignore[union-attr]
    assert caches.stats()["visitors"]["hits"] >= 1

    # Every change made through this process is read back at once.
    await cached.visitors.set_current_page(two.a.id, visitor.id, page_ref("pgv_1"))
    now = await cached.visitors.by_id(two.a.id, visitor.id)
    assert now is not None
    assert now.name == "Changed elsewhere"
    assert now.current_page is not None
    await cached.visitors.set_contact(two.a.id, visitor.id, {"email": "vera@example.org"})
    now = await cached.visitors.by_id(two.a.id, visitor.id)
    assert now is not None
    assert now.contact == {"email": "vera@example.org"}
    await cached.subjects.change_visitor(two.a.id, visitor.id, {"restricted": True})
    now = await cached.visitors.by_id(two.a.id, visitor.id)
    assert now is not None
    assert now.restricted is True
    assert await cached.subjects.delete_visitor(two.a.id, visitor.id)
    assert await cached.visitors.by_id(two.a.id, visitor.id) is None


async def test_a_conversation_is_forgotten_on_each_transition_and_read_marker(
    stores: Stores, two: TwoTenants, adapter: Adapter
) -> None:
    cached = with_caches(stores, Caches())
    visitor = new_visitor(two.a)
    await cached.visitors.insert(visitor, "hash")
    queued = new_conversation(two.a, visitor.id)
    assert await cached.conversations.insert(queued)
    assert await cached.conversations.get(two.a.id, queued.id) == queued

    assigned = await cached.conversations.transition(
        queued, "assign", {"status": "active", "agent_id": "usr_1", "assigned_at": at(10)}, {}, at(10)
    )
    read = await cached.conversations.get(two.a.id, queued.id)
    assert read == assigned
    assert read is not None
    assert read.agent_id == "usr_1"

    await cached.conversations.raise_read_marker(two.a.id, queued.id, "visitor", 3)
    read = await cached.conversations.get(two.a.id, queued.id)
    assert read is not None
    assert read.visitor_read_seq == 3

    await cached.conversations.set_visitor_left(two.a.id, visitor.id, at(20))
    read = await cached.conversations.get(two.a.id, queued.id)
    assert read is not None
    assert read.visitor_left_at == at(20)

    # Another process closes it: this process's copy is stale, and the transition it tries says so once;
    # the copy is forgotten, so the caller's next read sees the closed conversation.
    async with adapter.opened() as other:
        closing = {"status": "closed", "closed_at": at(30), "closed_by": SYSTEM.to_doc()}
        await other.stores.conversations.transition(read, "close", closing, {}, at(30))
    stale = await cached.conversations.get(two.a.id, queued.id)
    assert stale is not None
    assert stale.status is ConversationStatus.ACTIVE
    with pytest.raises(Superseded):
        await cached.conversations.transition(stale, "close", closing, {}, at(31))
    fresh = await cached.conversations.get(two.a.id, queued.id)
    assert fresh is not None
    assert fresh.status is ConversationStatus.CLOSED

    # Erased with its visitor's data: gone from the cache too.
    await cached.subjects.delete_conversations(two.a.id, [queued.id])
    assert await cached.conversations.get(two.a.id, queued.id) is None


async def test_deleting_a_tenants_data_forgets_every_cached_record(stores: Stores, two: TwoTenants) -> None:
    cached = with_caches(stores, caches := Caches())
    visitor = new_visitor(two.a)
    await cached.visitors.insert(visitor, "hash")
    conversation = new_conversation(two.a, visitor.id)
    await cached.conversations.insert(conversation)
    await cached.conversations.get(two.a.id, conversation.id)
    await cached.visitors.by_id(two.a.id, visitor.id)
    assert caches.stats()["visitors"]["records"] == caches.stats()["conversations"]["records"] == 1
    while await cached.tenant_data.delete_batch(two.a.id):
        pass
    assert caches.stats()["visitors"]["records"] == caches.stats()["conversations"]["records"] == 0
    assert await cached.conversations.get(two.a.id, conversation.id) is None
    assert await cached.visitors.by_id(two.a.id, replace(visitor).id) is None


async def test_orders_are_published_for_the_other_processes(stores: Stores, two: TwoTenants) -> None:
    published: list[dict[str, object]] = []

    async def publish(order: dict[str, object]) -> None:
        published.append(order)

    caches = Caches()
    caches.publish = publish
    cached = with_caches(stores, caches)
    visitor = new_visitor(two.a)
    await cached.visitors.insert(visitor, "hash")
    await cached.visitors.set_profile(two.a.id, visitor.id, name="Vera")
    await cached.conversations.set_visitor_left(two.a.id, visitor.id, None)
    assert published == [
        {"cache": "visitors", "keys": [visitor.id], "groups": []},
        {"cache": "conversations", "keys": [], "groups": [visitor.id]},
    ]
