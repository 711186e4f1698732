"""The MongoDB adapter for photos. Tenant-owned records; served publicly by their unguessable id."""

from __future__ import annotations

from wschat.media.store import Photo
from wschat.storage.documents import photo_doc, photo_from
from wschat.storage.mongo.database import MongoHandle


class MongoPhotoStore:
    def __init__(self, db: MongoHandle) -> None:
        self._photos = db["photos"]

    async def insert(self, photo: Photo) -> None:
        await self._photos.insert_one(photo_doc(photo))

    async def public(self, photo_id: str) -> Photo | None:
        """A photo by id alone: what visitors load. The id is random and changes with every photo."""
        doc = await self._photos.find_one({"_id": photo_id})
        return photo_from(doc) if doc else None

    async def delete(self, tenant_id: str, photo_id: str) -> None:
        doc = await self._photos.find_one({"_id": photo_id})
        if doc is not None and doc["tenant_id"] == tenant_id:
            await self._photos.delete_one({"_id": photo_id})

    async def delete_others(self, tenant_id: str, owner_id: str, *, keep: str | None) -> None:
        """Every photo of the owner but ``keep``."""
        query: dict[str, object] = {"tenant_id": tenant_id, "owner_id": owner_id}
        if keep is not None:
            query["_id"] = {"$ne": keep}
        await self._photos.delete_many(query)

    async def count(self, tenant_id: str) -> int:
        return await self._photos.count_documents({"tenant_id": tenant_id})
