"""MongoDB access for photos. Tenant-owned records; served publicly by their unguessable id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wschat.db import Database, Document


@dataclass(frozen=True)
class Photo:
    id: str
    tenant_id: str
    owner_id: str
    variants: dict[int, bytes]
    content_hash: str
    created_at: datetime


class PhotoStore:
    def __init__(self, db: Database) -> None:
        self._photos = db["photos"]

    async def insert(self, photo: Photo) -> None:
        await self._photos.insert_one(
            {
                "_id": photo.id,
                "tenant_id": photo.tenant_id,
                "owner_id": photo.owner_id,
                "variants": {str(size): data for size, data in photo.variants.items()},
                "content_hash": photo.content_hash,
                "created_at": photo.created_at,
            }
        )

    async def public(self, photo_id: str) -> Photo | None:
        """A photo by id alone: what visitors load. The id is random and changes with every photo."""
        doc = await self._photos.find_one({"_id": photo_id})
        return _photo(doc) if doc else None

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


def _photo(doc: Document) -> Photo:
    return Photo(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        owner_id=doc["owner_id"],
        variants={int(size): bytes(data) for size, data in doc["variants"].items()},
        content_hash=doc["content_hash"],
        created_at=doc["created_at"],
    )
