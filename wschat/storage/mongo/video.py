"""The MongoDB adapter for a tenant's stored video settings: the ``video`` map of its tenant document."""

from __future__ import annotations

from typing import Any

from pymongo import ReturnDocument

from wschat.records import Document
from wschat.storage.mongo.database import MongoHandle


class MongoVideoRecords:
    def __init__(self, db: MongoHandle) -> None:
        self._tenants = db["tenants"]

    async def get(self, tenant_id: str) -> Document:
        doc = await self._tenants.find_one({"_id": tenant_id}, {"video": 1})
        video: Document = (doc or {}).get("video") or {}
        return video

    async def update(self, tenant_id: str, values: dict[str, Any]) -> Document | None:
        doc = await self._tenants.find_one_and_update(
            {"_id": tenant_id},
            {"$set": {f"video.{key}": value for key, value in values.items()}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            return None
        video: Document = doc.get("video") or {}
        return video
