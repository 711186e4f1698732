"""Store contract: tenants and users (``wschat/accounts/store.py``), on both adapters."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from tests.storage.builders import at, new_tenant, new_user
from tests.storage.conftest import TwoTenants
from wschat.accounts.models import RevokedSession, Role, TenantSettings, TenantStatus
from wschat.accounts.store import user_changes
from wschat.errors import Conflict
from wschat.storage import Stores

#: How often a race is run: one that only luck settles would pass a single run now and then.
RACE_ROUNDS = 50

# -- tenants -------------------------------------------------------------------------------------------------


async def test_tenants_insert_round_trips_every_field(stores: Stores) -> None:
    tenant = new_tenant(
        "acme",
        demo_ends_at=at(14 * 86400),
        allowed_origins=("https://www.acme.example", "https://shop.acme.example"),
        settings=TenantSettings(ip_truncation=False, auto_assign=False, visitor_timeout_minutes=45),
        branding={"accent_color": "#112233", "texts": {"de": {"title": "Hallo"}}},
    )
    await stores.tenants.insert(tenant)

    assert await stores.tenants.by_id(tenant.id) == tenant
    assert await stores.tenants.by_slug("acme") == tenant


async def test_tenants_unknown_id_or_slug_is_none(stores: Stores) -> None:
    await stores.tenants.insert(new_tenant("acme"))

    assert await stores.tenants.by_id("ten_000000000000000000000000") is None
    assert await stores.tenants.by_slug("nobody") is None


async def test_tenants_taken_slug_is_a_conflict_and_keeps_the_first(stores: Stores) -> None:
    first = new_tenant("acme")
    await stores.tenants.insert(first)

    with pytest.raises(Conflict):
        await stores.tenants.insert(new_tenant("acme", name="Impostor"))

    assert await stores.tenants.by_slug("acme") == first
    assert await stores.tenants.all() == [first]


async def test_tenants_all_are_ordered_by_slug(stores: Stores) -> None:
    made = [new_tenant(slug) for slug in ("zeta", "alpha", "mid", "beta")]
    for tenant in made:
        await stores.tenants.insert(tenant)

    assert [t.slug for t in await stores.tenants.all()] == ["alpha", "beta", "mid", "zeta"]
    assert sorted(await stores.tenants.all(), key=lambda t: t.id) == sorted(made, key=lambda t: t.id)


async def test_tenants_any_exists(stores: Stores) -> None:
    assert await stores.tenants.any_exists() is False
    await stores.tenants.insert(new_tenant("acme"))
    assert await stores.tenants.any_exists() is True


async def test_tenants_update_sets_dotted_paths_and_keeps_siblings(stores: Stores) -> None:
    tenant = new_tenant(
        "acme",
        settings=TenantSettings(ip_truncation=True, auto_assign=True, visitor_timeout_minutes=30),
        branding={
            "accent_color": "#112233",
            "logo_url": "https://www.acme.example/logo.png",
            "texts": {"de": {"title": "Hallo", "greeting": "Willkommen"}, "en": {"title": "Hello"}},
        },
    )
    await stores.tenants.insert(tenant)

    updated = await stores.tenants.update(
        tenant.id,
        {
            "name": "Acme AG",
            "updated_at": at(60),
            "allowed_origins": ["https://www.acme.example"],
            "settings.auto_assign": False,
            "branding.accent_color": "#445566",
            "branding.texts.de.title": "Guten Tag",
        },
        ["branding.logo_url", "branding.texts.de.greeting"],
    )

    expected = replace(
        tenant,
        name="Acme AG",
        allowed_origins=("https://www.acme.example",),
        settings=TenantSettings(ip_truncation=True, auto_assign=False, visitor_timeout_minutes=30),
        branding={
            "accent_color": "#445566",
            "texts": {"de": {"title": "Guten Tag"}, "en": {"title": "Hello"}},
        },
    )
    assert updated == expected
    assert await stores.tenants.by_id(tenant.id) == expected


async def test_tenants_update_of_an_unknown_tenant_is_none_and_changes_nothing(stores: Stores) -> None:
    tenant = new_tenant("acme")
    await stores.tenants.insert(tenant)

    assert await stores.tenants.update("ten_000000000000000000000000", {"name": "X"}) is None
    assert await stores.tenants.all() == [tenant]


async def test_tenants_set_status_by_slug(stores: Stores) -> None:
    acme, globex = new_tenant("acme"), new_tenant("globex")
    await stores.tenants.insert(acme)
    await stores.tenants.insert(globex)

    locked = await stores.tenants.set_status("acme", TenantStatus.LOCKED, at(60))

    assert locked == replace(acme, status=TenantStatus.LOCKED)
    assert await stores.tenants.by_id(acme.id) == locked
    assert await stores.tenants.by_id(globex.id) == globex
    assert await stores.tenants.set_status("nobody", TenantStatus.LOCKED, at(60)) is None


# -- users ---------------------------------------------------------------------------------------------------


async def test_users_insert_round_trips_every_field(stores: Stores, two: TwoTenants) -> None:
    user = new_user(
        two.a,
        "anna",
        Role.ADMIN,
        max_chats=7,
        photo_id="pho_0123456789abcdef01234567",
        revoked_sessions=(RevokedSession("ses_1", at(3600)), RevokedSession("ses_2", at(7200))),
    )
    await stores.users.insert(user)

    assert await stores.users.by_id(two.a.id, user.id) == user
    assert await stores.users.by_login(two.a.id, "anna") == user


async def test_users_login_taken_in_the_tenant_is_a_conflict(stores: Stores, two: TwoTenants) -> None:
    first = new_user(two.a, "anna")
    await stores.users.insert(first)

    with pytest.raises(Conflict):
        await stores.users.insert(new_user(two.a, "anna", display_name="Other Anna"))

    assert await stores.users.all(two.a.id) == [first]


async def test_users_same_login_in_another_tenant_is_fine(stores: Stores, two: TwoTenants) -> None:
    anna_a, anna_b = new_user(two.a, "anna"), new_user(two.b, "anna")
    await stores.users.insert(anna_a)
    await stores.users.insert(anna_b)

    assert await stores.users.by_login(two.a.id, "anna") == anna_a
    assert await stores.users.by_login(two.b.id, "anna") == anna_b


async def test_users_all_are_ordered_by_login_within_the_tenant(stores: Stores, two: TwoTenants) -> None:
    for login in ("carl", "anna", "bert"):
        await stores.users.insert(new_user(two.a, login))
    await stores.users.insert(new_user(two.b, "aaron"))

    assert [u.login for u in await stores.users.all(two.a.id)] == ["anna", "bert", "carl"]
    assert [u.login for u in await stores.users.all(two.b.id)] == ["aaron"]


async def test_users_of_one_tenant_are_invisible_to_another(stores: Stores, two: TwoTenants) -> None:
    anna = new_user(two.a, "anna", Role.ADMIN)
    await stores.users.insert(anna)

    assert await stores.users.by_id(two.b.id, anna.id) is None
    assert await stores.users.by_login(two.b.id, "anna") is None
    assert await stores.users.all(two.b.id) == []
    assert await stores.users.count_active_admins(two.b.id) == 0
    assert await stores.users.update(two.b.id, anna.id, {"display_name": "Taken Over"}) is None
    assert await stores.users.delete(two.b.id, anna.id) is False
    assert await stores.users.by_id(two.a.id, anna.id) == anna


async def test_users_count_active_admins(stores: Stores, two: TwoTenants) -> None:
    await stores.users.insert(new_user(two.a, "anna", Role.ADMIN))
    await stores.users.insert(new_user(two.a, "adam", Role.ADMIN))
    await stores.users.insert(new_user(two.a, "dora", Role.ADMIN, disabled=True))
    await stores.users.insert(new_user(two.a, "bert", Role.AGENT))
    await stores.users.insert(new_user(two.b, "boss", Role.ADMIN))

    assert await stores.users.count_active_admins(two.a.id) == 2
    assert await stores.users.count_active_admins(two.b.id) == 1


async def test_users_update_sets_fields_as_stored(stores: Stores, two: TwoTenants) -> None:
    bert = new_user(two.a, "bert", photo_id="pho_0123456789abcdef01234567")
    await stores.users.insert(bert)

    changes = user_changes(role=Role.ADMIN, max_chats=9, disabled=True, display_name="Bert B.", photo_id=None)
    updated = await stores.users.update(two.a.id, bert.id, changes)

    expected = replace(
        bert, role=Role.ADMIN, max_chats=9, disabled=True, display_name="Bert B.", photo_id=None
    )
    assert updated == expected
    assert await stores.users.by_id(two.a.id, bert.id) == expected
    assert await stores.users.count_active_admins(two.a.id) == 0  # disabled


async def test_users_update_of_an_unknown_user_is_none(stores: Stores, two: TwoTenants) -> None:
    assert await stores.users.update(two.a.id, "usr_000000000000000000000000", {"max_chats": 2}) is None


async def test_users_set_revoked_sessions_is_a_compare_and_set(stores: Stores, two: TwoTenants) -> None:
    anna = new_user(two.a, "anna")
    await stores.users.insert(anna)
    first = (RevokedSession("ses_1", at(3600)),)

    assert await stores.users.set_revoked_sessions(anna, first) is True
    assert (await stores.users.by_id(two.a.id, anna.id)).revoked_sessions == first  # type: ignore[union-attr]

    # ``anna`` was read before that change: her list is stale, so this must not overwrite it.
    assert await stores.users.set_revoked_sessions(anna, (RevokedSession("ses_2", at(60)),)) is False
    current = await stores.users.by_id(two.a.id, anna.id)
    assert current is not None
    assert current.revoked_sessions == first

    both = (*first, RevokedSession("ses_2", at(7200)))
    assert await stores.users.set_revoked_sessions(current, both) is True
    again = await stores.users.by_id(two.a.id, anna.id)
    assert again is not None
    assert again.revoked_sessions == both

    assert await stores.users.set_revoked_sessions(again, ()) is True
    cleared = await stores.users.by_id(two.a.id, anna.id)
    assert cleared is not None
    assert cleared.revoked_sessions == ()


@pytest.mark.atomic_update
async def test_users_set_revoked_sessions_of_sign_outs_at_once_one_wins(
    stores: Stores, two: TwoTenants
) -> None:
    """Sign-outs that read the user at the same moment: exactly one compare-and-set wins. Repeated, since a
    race that only luck settles shows only sometimes."""
    for round_ in range(RACE_ROUNDS):
        user = new_user(two.a, f"user-{round_}")
        await stores.users.insert(user)

        results = await asyncio.gather(
            *(stores.users.set_revoked_sessions(user, (RevokedSession(f"ses_{n}", at(n)),)) for n in range(3))
        )

        assert results.count(True) == 1, f"round {round_}: {results}"
        stored = await stores.users.by_id(two.a.id, user.id)
        winner = results.index(True)
        assert stored is not None
        assert stored.revoked_sessions == (RevokedSession(f"ses_{winner}", at(winner)),), f"round {round_}"


async def test_users_set_revoked_sessions_names_the_tenant(stores: Stores, two: TwoTenants) -> None:
    anna = new_user(two.a, "anna")
    await stores.users.insert(anna)
    forged = replace(anna, tenant_id=two.b.id)

    assert await stores.users.set_revoked_sessions(forged, (RevokedSession("ses_1", at(60)),)) is False
    assert await stores.users.by_id(two.a.id, anna.id) == anna


async def test_users_delete(stores: Stores, two: TwoTenants) -> None:
    anna, bert = new_user(two.a, "anna"), new_user(two.a, "bert")
    await stores.users.insert(anna)
    await stores.users.insert(bert)

    assert await stores.users.delete(two.a.id, anna.id) is True
    assert await stores.users.delete(two.a.id, anna.id) is False
    assert await stores.users.by_id(two.a.id, anna.id) is None
    assert await stores.users.all(two.a.id) == [bert]
    # The login is free again.
    await stores.users.insert(new_user(two.a, "anna"))
