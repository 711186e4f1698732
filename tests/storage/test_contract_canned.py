"""Store contract: canned replies (``wschat/canned/store.py``) on both adapters: shortcuts unique per owner
scope, the limit per scope, versioned updates, tenant isolation, and removal with a user or a tenant."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.storage.builders import at, new_reply, new_user
from tests.storage.conftest import TwoTenants
from wschat.canned.store import LimitReached, ShortcutTaken, StaleVersion
from wschat.storage import Stores


async def test_canned_insert_round_trips_every_field(stores: Stores, two: TwoTenants) -> None:
    reply = new_reply(two.a, "grüße-1", text={"de": "Grüße, {visitor_name}!\nIhr {agent_name}"})
    await stores.canned.insert(reply, 10)

    assert await stores.canned.get(two.a.id, reply.id) == reply
    assert await stores.canned.get(two.a.id, "cnr_000000000000000000000000") is None


async def test_canned_visible_holds_shared_and_own_replies_by_shortcut(
    stores: Stores, two: TwoTenants
) -> None:
    bert, carla = new_user(two.a, "bert"), new_user(two.a, "carla")
    shared_hello = new_reply(two.a, "hello")
    own_hello = new_reply(two.a, "hello", owner=bert)
    own_bye = new_reply(two.a, "bye", owner=bert)
    for reply in (own_hello, shared_hello, own_bye, new_reply(two.a, "x", owner=carla)):
        await stores.canned.insert(reply, 10)
    await stores.canned.insert(new_reply(two.b, "hello"), 10)

    assert await stores.canned.visible(two.a.id, bert.id) == [own_bye, shared_hello, own_hello]
    assert [r.shortcut for r in await stores.canned.visible(two.a.id, carla.id)] == ["hello", "x"]


async def test_canned_shortcut_is_unique_per_owner_scope(stores: Stores, two: TwoTenants) -> None:
    bert = new_user(two.a, "bert")
    first = new_reply(two.a, "hello")
    await stores.canned.insert(first, 10)
    with pytest.raises(ShortcutTaken):
        await stores.canned.insert(new_reply(two.a, "hello", title="Other"), 10)
    await stores.canned.insert(new_reply(two.a, "hello", owner=bert), 10)  # a personal one may shadow it
    await stores.canned.insert(new_reply(two.b, "hello"), 10)  # another tenant's scope

    assert [r.id for r in await stores.canned.visible(two.a.id, "usr_nobody")] == [first.id]


async def test_canned_limit_counts_per_owner_scope(stores: Stores, two: TwoTenants) -> None:
    bert = new_user(two.a, "bert")
    for n in range(2):
        await stores.canned.insert(new_reply(two.a, f"s{n}"), 2)
    with pytest.raises(LimitReached):
        await stores.canned.insert(new_reply(two.a, "s2"), 2)
    await stores.canned.insert(new_reply(two.a, "p0", owner=bert), 2)  # another scope
    await stores.canned.insert(new_reply(two.b, "s2"), 2)

    assert [r.shortcut for r in await stores.canned.visible(two.a.id, bert.id)] == ["p0", "s0", "s1"]


async def test_canned_update_needs_the_version_it_was_based_on(stores: Stores, two: TwoTenants) -> None:
    reply = new_reply(two.a, "hello")
    await stores.canned.insert(reply, 10)
    changed = replace(reply, title="Hi", shortcut="hi", version=2, updated_at=at(5))

    assert await stores.canned.update(changed, 1) == changed
    with pytest.raises(StaleVersion):
        await stores.canned.update(replace(reply, title="Stale", version=2), 1)
    assert await stores.canned.get(two.a.id, reply.id) == changed


async def test_canned_update_to_a_taken_shortcut_changes_nothing(stores: Stores, two: TwoTenants) -> None:
    taken, reply = new_reply(two.a, "taken"), new_reply(two.a, "hello")
    for r in (taken, reply):
        await stores.canned.insert(r, 10)

    with pytest.raises(ShortcutTaken):
        await stores.canned.update(replace(reply, shortcut="taken", version=2), 1)
    assert await stores.canned.get(two.a.id, reply.id) == reply


async def test_canned_reply_of_one_tenant_is_invisible_to_another(stores: Stores, two: TwoTenants) -> None:
    reply = new_reply(two.a, "hello")
    await stores.canned.insert(reply, 10)

    assert await stores.canned.get(two.b.id, reply.id) is None
    assert await stores.canned.update(replace(reply, tenant_id=two.b.id, version=2), 1) is None
    assert not await stores.canned.delete(two.b.id, reply.id)
    assert await stores.canned.delete_of_tenant(two.b.id) == 0
    assert await stores.canned.get(two.a.id, reply.id) == reply


async def test_canned_delete_removes_one_user_or_a_whole_tenant(stores: Stores, two: TwoTenants) -> None:
    bert, carla = new_user(two.a, "bert"), new_user(two.a, "carla")
    shared, kept = new_reply(two.a, "hello"), new_reply(two.a, "x", owner=carla)
    for reply in (shared, kept, new_reply(two.a, "a", owner=bert), new_reply(two.a, "b", owner=bert)):
        await stores.canned.insert(reply, 10)
    other = new_reply(two.b, "hello")
    await stores.canned.insert(other, 10)

    assert await stores.canned.delete_of_owner(two.a.id, bert.id) == 2
    assert await stores.canned.visible(two.a.id, bert.id) == [shared]
    assert await stores.canned.delete(two.a.id, kept.id)
    assert not await stores.canned.delete(two.a.id, kept.id)
    assert await stores.canned.delete_of_tenant(two.a.id) == 1
    assert await stores.canned.visible(two.a.id, carla.id) == []
    assert await stores.canned.get(two.b.id, other.id) == other


async def test_canned_two_inserts_of_one_shortcut_at_once_store_one(stores: Stores, two: TwoTenants) -> None:
    replies = [new_reply(two.a, "hello", title=f"T{n}") for n in range(5)]
    outcomes = await asyncio.gather(*(stores.canned.insert(r, 10) for r in replies), return_exceptions=True)

    assert sum(o is None for o in outcomes) == 1
    assert all(isinstance(o, ShortcutTaken) for o in outcomes if o is not None)
    assert len(await stores.canned.visible(two.a.id, "usr_nobody")) == 1


@pytest.mark.atomic_update
async def test_canned_two_updates_from_one_version_at_once_let_one_win(
    stores: Stores, two: TwoTenants
) -> None:
    reply = new_reply(two.a, "hello")
    await stores.canned.insert(reply, 10)
    changes = [replace(reply, title=f"T{n}", version=2) for n in range(5)]
    outcomes = await asyncio.gather(*(stores.canned.update(c, 1) for c in changes), return_exceptions=True)

    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(o, StaleVersion) for o in outcomes if isinstance(o, BaseException))
    assert await stores.canned.get(two.a.id, reply.id) == winners[0]
