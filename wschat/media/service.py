"""Profile photos of console users: who may set them, processing off the event loop, replacement."""

from __future__ import annotations

import asyncio
import hashlib
import weakref

from wschat.accounts.models import Principal, User
from wschat.accounts.store import UserStore
from wschat.clock import Clock, new_id
from wschat.errors import Forbidden, NotFound
from wschat.media.initials import draw_initials
from wschat.media.processing import SIZES, process_photo
from wschat.media.store import Photo, PhotoStore

#: Images decoded at once; the rest wait (each decode may take a core and tens of megabytes).
CONCURRENT_DECODES = 2


class PhotoService:
    def __init__(self, store: PhotoStore, users: UserStore, clock: Clock, *, max_pixels: int) -> None:
        self.store = store
        self.users = users
        self.clock = clock
        self.max_pixels = max_pixels
        self._decoding = asyncio.Semaphore(CONCURRENT_DECODES)
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    async def set_photo(self, actor: Principal, user_id: str, data: bytes) -> User:
        """Raises NOT_FOUND (not in the actor's tenant), FORBIDDEN, UNSUPPORTED_IMAGE, IMAGE_TOO_LARGE."""
        target = await self._target(actor, user_id)
        async with self._decoding:
            processed = await asyncio.to_thread(process_photo, data, max_pixels=self.max_pixels)
        photo = Photo(
            new_id("pho"),
            target.tenant_id,
            target.id,
            processed.variants,
            processed.content_hash,
            self.clock(),
        )
        # Store, point the user at it and drop every older photo as one step per user, so that concurrent
        # uploads end with exactly one photo, the last one (within a process; see docs/protocol.md).
        async with self._owner_lock(target.id):
            await self.store.insert(photo)
            updated = await self.users.update(target.tenant_id, target.id, {"photo_id": photo.id})
            if updated is None:  # deleted meanwhile
                await self.store.delete(target.tenant_id, photo.id)
                raise NotFound("There is no such user.")
            await self.store.delete_others(target.tenant_id, target.id, keep=photo.id)
        return updated

    async def delete_photo(self, actor: Principal, user_id: str) -> User:
        target = await self._target(actor, user_id)
        async with self._owner_lock(target.id):
            updated = await self.users.update(target.tenant_id, target.id, {"photo_id": None})
            await self.store.delete_others(target.tenant_id, target.id, keep=None)
        return updated or target

    async def forget_owner(self, tenant_id: str, user_id: str) -> None:
        """Delete every photo of a user (the user was deleted)."""
        async with self._owner_lock(user_id):
            await self.store.delete_others(tenant_id, user_id, keep=None)

    async def variant(self, photo_id: str, size: int) -> tuple[bytes, str] | None:
        """The served bytes and their strong ETag, or None."""
        photo = await self.store.public(photo_id) if size in SIZES else None
        if photo is None:
            return None
        return photo.variants[size], f'"{photo.content_hash[:32]}-{size}"'

    async def initials(self, tenant_id: str, user_id: str, size: int) -> tuple[bytes, str] | None:
        user = await self.users.by_id(tenant_id, user_id) if size in SIZES else None
        if user is None:
            return None
        tag = hashlib.sha256(f"{user.display_name}\0{size}".encode()).hexdigest()[:32]
        return await asyncio.to_thread(draw_initials, user.display_name, size), f'"{tag}"'

    def _owner_lock(self, owner_id: str) -> asyncio.Lock:
        lock = self._locks.get(owner_id)
        if lock is None:
            lock = self._locks[owner_id] = asyncio.Lock()
        return lock

    async def _target(self, actor: Principal, user_id: str) -> User:
        target = await self.users.by_id(actor.tenant.id, user_id) if len(user_id) <= 64 else None
        if target is None:
            raise NotFound("There is no such user.")
        if target.id != actor.user.id and not actor.is_admin:
            raise Forbidden("Only admins may change another user's photo.")
        return target
