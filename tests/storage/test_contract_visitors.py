"""Store contract: visitors (``wschat/visitors/store.py``) and their page trail
(``wschat/visitors/page_store.py``), on both adapters."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.storage.builders import at, new_visitor, page_ref, page_view
from tests.storage.conftest import TwoTenants
from wschat.storage import Stores

UNKNOWN = "vis_000000000000000000000000"
#: How often a race is run: one that only luck settles would pass a single run now and then.
RACE_ROUNDS = 50

# -- visitors ------------------------------------------------------------------------------------------------


async def test_visitors_insert_round_trips_every_field(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(
        two.a,
        name="Vera",
        alias="Vee",
        contact={"email": "vera@example.org", "phone": "+49 30 1234567"},
        ip="203.0.113.0",
        country="DE",
        user_agent="Mozilla/5.0",
        current_page=page_ref("pgv_1"),
    )
    await stores.visitors.insert(visitor, "hash-of-token")

    assert await stores.visitors.by_id(two.a.id, visitor.id) == visitor
    assert await stores.visitors.by_token_hash(two.a.id, "hash-of-token") == visitor
    assert await stores.visitors.by_token_hash(two.a.id, "another-hash") is None
    assert await stores.visitors.by_id(two.a.id, UNKNOWN) is None


async def test_visitors_of_one_tenant_are_invisible_to_another(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(two.a, name="Vera", current_page=page_ref("pgv_1"))
    await stores.visitors.insert(visitor, "hash-of-token")

    assert await stores.visitors.by_id(two.b.id, visitor.id) is None
    assert await stores.visitors.by_token_hash(two.b.id, "hash-of-token") is None
    assert await stores.visitors.set_profile(two.b.id, visitor.id, name="Mallory") is None
    assert await stores.visitors.set_contact(two.b.id, visitor.id, {"email": "m@example.org"}) is None
    assert await stores.visitors.set_current_page(two.b.id, visitor.id, page_ref("pgv_2")) is None
    assert await stores.visitors.clear_current_page(two.b.id, visitor.id, "pgv_1") is None
    assert await stores.visitors.touch(two.b.id, visitor.id, at(600)) is None
    assert await stores.visitors.on_site(two.b.id, 10) == []
    await stores.visitors.mark_engaged(two.b.id, visitor.id)

    assert await stores.visitors.by_id(two.a.id, visitor.id) == visitor
    # mark_engaged under the wrong tenant did nothing: once the page closes, this visitor is idle.
    await stores.visitors.clear_current_page(two.a.id, visitor.id, "pgv_1")
    assert await stores.visitors.delete_idle(at(3600), 10) == [visitor.id]


async def test_visitors_same_token_hash_in_two_tenants_are_two_visitors(
    stores: Stores, two: TwoTenants
) -> None:
    in_a, in_b = new_visitor(two.a), new_visitor(two.b)
    await stores.visitors.insert(in_a, "same-hash")
    await stores.visitors.insert(in_b, "same-hash")

    assert await stores.visitors.by_token_hash(two.a.id, "same-hash") == in_a
    assert await stores.visitors.by_token_hash(two.b.id, "same-hash") == in_b


async def test_visitors_set_profile_sets_only_what_is_given(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(two.a, name="Vera", alias="Vee")
    await stores.visitors.insert(visitor, "h")

    renamed = await stores.visitors.set_profile(two.a.id, visitor.id, name="Veronika", alias=None)
    assert renamed == replace(visitor, name="Veronika")
    realiased = await stores.visitors.set_profile(two.a.id, visitor.id, alias="Ronny")
    assert realiased == replace(visitor, name="Veronika", alias="Ronny")
    assert await stores.visitors.set_profile(two.a.id, visitor.id) == realiased
    assert await stores.visitors.by_id(two.a.id, visitor.id) == realiased
    assert await stores.visitors.set_profile(two.a.id, UNKNOWN, name="Nobody") is None


async def test_visitors_set_contact_replaces_it_and_engages(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(two.a, contact={"email": "old@example.org", "phone": "+49 30 1"})
    await stores.visitors.insert(visitor, "h")

    updated = await stores.visitors.set_contact(two.a.id, visitor.id, {"name": "Vera"})

    assert updated == replace(visitor, contact={"name": "Vera"})
    assert await stores.visitors.by_id(two.a.id, visitor.id) == updated
    assert await stores.visitors.delete_idle(at(3600), 10) == []  # left contact data: kept
    assert await stores.visitors.set_contact(two.a.id, UNKNOWN, {"name": "x"}) is None


async def test_visitors_mark_engaged_keeps_them_from_housekeeping(stores: Stores, two: TwoTenants) -> None:
    chatted, idle = new_visitor(two.a), new_visitor(two.a)
    await stores.visitors.insert(chatted, "h1")
    await stores.visitors.insert(idle, "h2")

    await stores.visitors.mark_engaged(two.a.id, chatted.id)

    assert await stores.visitors.delete_idle(at(3600), 10) == [idle.id]
    assert await stores.visitors.by_id(two.a.id, chatted.id) == chatted
    await stores.visitors.mark_engaged(two.a.id, UNKNOWN)  # no error, nothing created
    assert await stores.visitors.by_id(two.a.id, UNKNOWN) is None


async def test_visitors_delete_idle_removes_only_old_idle_page_visitors(
    stores: Stores, two: TwoTenants
) -> None:
    old_idle_a = new_visitor(two.a, seen=0)
    old_idle_b = new_visitor(two.b, seen=0)
    old_engaged = new_visitor(two.a, seen=0)
    old_contact = new_visitor(two.a, seen=0)
    old_on_page = new_visitor(two.a, seen=0, current_page=page_ref("pgv_open"))
    recent_idle = new_visitor(two.a, seen=7200)
    for n, visitor in enumerate((old_idle_a, old_idle_b, old_engaged, old_contact, old_on_page, recent_idle)):
        await stores.visitors.insert(visitor, f"hash-{n}")
    await stores.visitors.mark_engaged(two.a.id, old_engaged.id)
    await stores.visitors.set_contact(two.a.id, old_contact.id, {"email": "c@example.org"})

    removed = await stores.visitors.delete_idle(at(3600), 100)

    assert sorted(removed) == sorted([old_idle_a.id, old_idle_b.id])
    assert await stores.visitors.by_id(two.a.id, old_idle_a.id) is None
    assert await stores.visitors.by_id(two.b.id, old_idle_b.id) is None
    for kept in (old_engaged, old_contact, old_on_page, recent_idle):
        assert await stores.visitors.by_id(two.a.id, kept.id) is not None, kept
    assert await stores.visitors.delete_idle(at(3600), 100) == []


async def test_visitors_delete_idle_honours_the_limit(stores: Stores, two: TwoTenants) -> None:
    made = [new_visitor(two.a, seen=n) for n in range(5)]
    for n, visitor in enumerate(made):
        await stores.visitors.insert(visitor, f"hash-{n}")

    first = await stores.visitors.delete_idle(at(3600), 2)
    second = await stores.visitors.delete_idle(at(3600), 2)
    third = await stores.visitors.delete_idle(at(3600), 2)

    assert (len(first), len(second), len(third)) == (2, 2, 1)
    assert sorted(first + second + third) == sorted(v.id for v in made)
    assert await stores.visitors.delete_idle(at(3600), 2) == []


async def test_visitors_set_and_clear_the_current_page(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(two.a)
    await stores.visitors.insert(visitor, "h")
    first, second = page_ref("pgv_1", entered=10), page_ref("pgv_2", "https://www.acme.example/b", 20)

    assert await stores.visitors.set_current_page(two.a.id, visitor.id, first) == replace(
        visitor, current_page=first
    )
    # A second tab opened a newer page: closing the first tab must not clear it.
    assert await stores.visitors.set_current_page(two.a.id, visitor.id, second) == replace(
        visitor, current_page=second
    )
    assert await stores.visitors.clear_current_page(two.a.id, visitor.id, "pgv_1") is None
    assert await stores.visitors.by_id(two.a.id, visitor.id) == replace(visitor, current_page=second)

    assert await stores.visitors.clear_current_page(two.a.id, visitor.id, "pgv_2") == visitor
    assert await stores.visitors.by_id(two.a.id, visitor.id) == visitor
    assert await stores.visitors.set_current_page(two.a.id, UNKNOWN, first) is None


@pytest.mark.atomic_update
async def test_visitors_clear_racing_a_new_page_keeps_the_new_page(stores: Stores, two: TwoTenants) -> None:
    """The first tab closes just as a second tab opens a page: in either order, the new page stays. Repeated,
    since a race that only luck settles shows only sometimes."""
    for round_ in range(RACE_ROUNDS):
        visitor = new_visitor(two.a, current_page=page_ref("pgv_old"))
        await stores.visitors.insert(visitor, f"hash-{round_}")
        newer = page_ref("pgv_new", "https://www.acme.example/new", entered=5)

        await asyncio.gather(
            stores.visitors.clear_current_page(two.a.id, visitor.id, "pgv_old"),
            stores.visitors.set_current_page(two.a.id, visitor.id, newer),
        )

        stored = await stores.visitors.by_id(two.a.id, visitor.id)
        assert stored is not None
        assert stored.current_page == newer, f"round {round_}: {stored.current_page}"


async def test_visitors_on_site_newest_activity_first_with_a_limit(stores: Stores, two: TwoTenants) -> None:
    on_page = [new_visitor(two.a, seen=n, current_page=page_ref(f"pgv_{n}")) for n in (3, 1, 4, 2)]
    gone = new_visitor(two.a, seen=10)
    elsewhere = new_visitor(two.b, seen=11, current_page=page_ref("pgv_b"))
    for n, visitor in enumerate([*on_page, gone, elsewhere]):
        await stores.visitors.insert(visitor, f"hash-{n}")

    listed = await stores.visitors.on_site(two.a.id, 10)
    assert [v.last_seen for v in listed] == [at(4), at(3), at(2), at(1)]
    assert sorted(v.id for v in listed) == sorted(v.id for v in on_page)
    assert [v.last_seen for v in await stores.visitors.on_site(two.a.id, 2)] == [at(4), at(3)]

    oldest = next(v for v in on_page if v.last_seen == at(1))
    await stores.visitors.touch(two.a.id, oldest.id, at(20))
    assert [v.id for v in await stores.visitors.on_site(two.a.id, 1)] == [oldest.id]


async def test_visitors_touch_sets_last_seen(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(two.a, seen=0)
    await stores.visitors.insert(visitor, "h")

    touched = await stores.visitors.touch(two.a.id, visitor.id, at(90))

    assert touched == replace(visitor, last_seen=at(90))
    assert await stores.visitors.by_id(two.a.id, visitor.id) == touched
    assert await stores.visitors.touch(two.a.id, UNKNOWN, at(90)) is None


# -- page views ----------------------------------------------------------------------------------------------


async def test_pages_trail_is_the_last_views_oldest_first(stores: Stores, two: TwoTenants) -> None:
    visitor, other = new_visitor(two.a), new_visitor(two.a)
    await stores.visitors.insert(visitor, "h1")
    await stores.visitors.insert(other, "h2")
    views = [page_view(two.a, visitor, n, entered=n) for n in range(5)]
    for view in (views[3], views[0], views[4], views[1], views[2]):
        await stores.pages.insert(view)
    await stores.pages.insert(page_view(two.a, other, 9, entered=9))

    assert await stores.pages.trail(two.a.id, visitor.id, 3) == views[2:]
    assert await stores.pages.trail(two.a.id, visitor.id, 50) == views


async def test_pages_trail_of_another_tenants_visitor_is_empty(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(two.a)
    await stores.visitors.insert(visitor, "h")
    await stores.pages.insert(page_view(two.a, visitor, 0))

    assert await stores.pages.trail(two.b.id, visitor.id, 10) == []


async def test_pages_close_sets_left_at_once(stores: Stores, two: TwoTenants) -> None:
    visitor = new_visitor(two.a)
    await stores.visitors.insert(visitor, "h")
    view = page_view(two.a, visitor, 0)
    await stores.pages.insert(view)

    await stores.pages.close(two.b.id, view["_id"], at(5))  # another tenant: nothing happens
    assert await stores.pages.trail(two.a.id, visitor.id, 10) == [view]

    await stores.pages.close(two.a.id, view["_id"], at(10))
    await stores.pages.close(two.a.id, view["_id"], at(20))

    assert await stores.pages.trail(two.a.id, visitor.id, 10) == [{**view, "left_at": at(10)}]


async def test_pages_delete_of_visitors_removes_only_theirs(stores: Stores, two: TwoTenants) -> None:
    gone, other, kept = new_visitor(two.a), new_visitor(two.a), new_visitor(two.a)
    for n, visitor in enumerate((gone, other, kept)):
        await stores.visitors.insert(visitor, f"h{n}")
        await stores.pages.insert(page_view(two.a, visitor, 0))
        await stores.pages.insert(page_view(two.a, visitor, 1, entered=1))

    await stores.pages.delete_of_visitors([gone.id, other.id])

    assert await stores.pages.trail(two.a.id, gone.id, 10) == []
    assert await stores.pages.trail(two.a.id, other.id, 10) == []
    assert len(await stores.pages.trail(two.a.id, kept.id, 10)) == 2
    await stores.pages.delete_of_visitors([])  # nothing to do, no error
    assert len(await stores.pages.trail(two.a.id, kept.id, 10)) == 2
