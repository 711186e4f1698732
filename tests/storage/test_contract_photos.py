"""Store contract: photos (``wschat/media/store.py``), on both adapters."""

from __future__ import annotations

import os

from tests.storage.builders import at
from tests.storage.conftest import TwoTenants
from wschat.accounts.models import Tenant
from wschat.clock import new_id
from wschat.media.store import Photo
from wschat.storage import Stores


def _photo(tenant: Tenant, owner_id: str = "usr_1", created: float = 0) -> Photo:
    # Binary data with every byte value, a NUL and a newline among them: the variants must come back exact.
    return Photo(
        id=new_id("pho"),
        tenant_id=tenant.id,
        owner_id=owner_id,
        variants={64: bytes(range(256)) + b"\n\x00", 256: os.urandom(4096), 1024: b""},
        content_hash=os.urandom(16).hex(),
        created_at=at(created),
    )


async def test_photos_insert_and_public_round_trip_the_bytes(stores: Stores, two: TwoTenants) -> None:
    photo = _photo(two.a)
    await stores.photos.insert(photo)

    loaded = await stores.photos.public(photo.id)

    assert loaded == photo
    assert loaded is not None
    assert all(type(size) is int for size in loaded.variants)
    assert await stores.photos.public("pho_000000000000000000000000") is None


async def test_photos_delete_is_scoped_to_the_tenant(stores: Stores, two: TwoTenants) -> None:
    photo = _photo(two.a)
    await stores.photos.insert(photo)

    await stores.photos.delete(two.b.id, photo.id)
    assert await stores.photos.public(photo.id) == photo

    await stores.photos.delete(two.a.id, photo.id)
    assert await stores.photos.public(photo.id) is None
    await stores.photos.delete(two.a.id, photo.id)  # gone already: no error


async def test_photos_delete_others_keeps_one(stores: Stores, two: TwoTenants) -> None:
    old1, old2, current = (_photo(two.a, "usr_1", n) for n in range(3))
    colleague = _photo(two.a, "usr_2")
    same_owner_id_elsewhere = _photo(two.b, "usr_1")
    for photo in (old1, old2, current, colleague, same_owner_id_elsewhere):
        await stores.photos.insert(photo)

    await stores.photos.delete_others(two.a.id, "usr_1", keep=current.id)

    assert await stores.photos.public(old1.id) is None
    assert await stores.photos.public(old2.id) is None
    assert await stores.photos.public(current.id) == current
    assert await stores.photos.public(colleague.id) == colleague
    assert await stores.photos.public(same_owner_id_elsewhere.id) == same_owner_id_elsewhere

    await stores.photos.delete_others(two.a.id, "usr_1", keep=None)
    assert await stores.photos.public(current.id) is None
    assert await stores.photos.public(same_owner_id_elsewhere.id) == same_owner_id_elsewhere


async def test_photos_count_per_tenant(stores: Stores, two: TwoTenants) -> None:
    for owner in ("usr_1", "usr_1", "usr_2"):
        await stores.photos.insert(_photo(two.a, owner))
    await stores.photos.insert(_photo(two.b))

    assert await stores.photos.count(two.a.id) == 3
    assert await stores.photos.count(two.b.id) == 1
    assert await stores.photos.count("ten_000000000000000000000000") == 0
