"""The MongoDB adapter for webhook endpoints and deliveries (wschat/webhooks/store.py). Every query of one
tenant's records filters by ``tenant_id``; :meth:`MongoDeliveryStore.due` and ``delete_older`` read every
tenant's, for the worker. Indexes: ``webhook_indexes.py``.

An event recorded twice makes one delivery: its id is derived from the event (wschat/webhooks/service.py),
and the primary key lets the first insert win, on MongoDB and on FerretDB alike.
"""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from wschat.records import Document
from wschat.storage.mongo.database import MongoHandle, find_owned
from wschat.storage.webhook_documents import (
    delivery_doc,
    delivery_from,
    delivery_state,
    endpoint_doc,
    endpoint_from,
)
from wschat.webhooks.models import Delivery, DeliveryStatus, Endpoint

_NEWEST = [("created_at", DESCENDING), ("_id", DESCENDING)]


class MongoEndpointStore:
    def __init__(self, db: MongoHandle) -> None:
        self._endpoints = db["webhook_endpoints"]
        self._deliveries = db["webhook_deliveries"]

    async def insert(self, endpoint: Endpoint) -> None:
        await self._endpoints.insert_one(endpoint_doc(endpoint))

    async def get(self, tenant_id: str, endpoint_id: str) -> Endpoint | None:
        doc = await find_owned(self._endpoints, endpoint_id, tenant_id)
        return endpoint_from(doc) if doc else None

    async def of_tenant(self, tenant_id: str) -> list[Endpoint]:
        cursor = self._endpoints.find({"tenant_id": tenant_id}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [endpoint_from(doc) async for doc in cursor]

    async def replace(self, endpoint: Endpoint) -> bool:
        doc = endpoint_doc(endpoint)
        result = await self._endpoints.replace_one({"_id": endpoint.id, "tenant_id": endpoint.tenant_id}, doc)
        return result.matched_count == 1

    async def delete(self, tenant_id: str, endpoint_id: str) -> bool:
        result = await self._endpoints.delete_one({"_id": endpoint_id, "tenant_id": tenant_id})
        # Its deliveries after it: a crash in between leaves deliveries whose endpoint is gone, which the
        # worker gives up at once (and the clean-up deletes later).
        await self._deliveries.delete_many({"tenant_id": tenant_id, "endpoint_id": endpoint_id})
        return result.deleted_count == 1


class MongoDeliveryStore:
    def __init__(self, db: MongoHandle) -> None:
        self._deliveries = db["webhook_deliveries"]

    async def insert(self, delivery: Delivery) -> bool:
        try:
            await self._deliveries.insert_one(delivery_doc(delivery))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, tenant_id: str, delivery_id: str) -> Delivery | None:
        doc = await find_owned(self._deliveries, delivery_id, tenant_id)
        return delivery_from(doc) if doc else None

    async def due(self, now: datetime, limit: int) -> list[Delivery]:
        found = {"status": DeliveryStatus.PENDING.value, "next_attempt_at": {"$lte": now}}
        cursor = self._deliveries.find(found).sort("next_attempt_at", ASCENDING).limit(limit)
        return [delivery_from(doc) async for doc in cursor]

    async def update(self, delivery: Delivery) -> bool:
        result = await self._deliveries.update_one(
            {"_id": delivery.id, "tenant_id": delivery.tenant_id}, {"$set": delivery_state(delivery)}
        )
        return result.matched_count == 1

    async def page(
        self, tenant_id: str, endpoint_id: str | None, before: Delivery | None, limit: int
    ) -> list[Delivery]:
        query: Document = {"tenant_id": tenant_id}
        if endpoint_id is not None:
            query["endpoint_id"] = endpoint_id
        if before is not None:
            query["$or"] = [
                {"created_at": {"$lt": before.created_at}},
                {"created_at": before.created_at, "_id": {"$lt": before.id}},
            ]
        cursor = self._deliveries.find(query).sort(_NEWEST).limit(limit)
        return [delivery_from(doc) async for doc in cursor]

    async def delete_older(self, before: datetime, limit: int) -> int:
        oldest = self._deliveries.find({"created_at": {"$lt": before}}, {"_id": 1})
        ids = [doc["_id"] async for doc in oldest.sort("created_at", ASCENDING).limit(limit)]
        if not ids:
            return 0
        result = await self._deliveries.delete_many({"_id": {"$in": ids}})
        return result.deleted_count

    async def forget_visitor(self, tenant_id: str, visitor_id: str) -> int:
        result = await self._deliveries.delete_many({"tenant_id": tenant_id, "visitor_id": visitor_id})
        return result.deleted_count

    async def depth(self) -> dict[str, int]:
        # Through ``status_next``, which leads with the status.
        pending = {"status": DeliveryStatus.PENDING.value}
        total = await self._deliveries.count_documents(pending)
        tried = await self._deliveries.count_documents(pending | {"attempts": {"$gt": 0}})
        return {"queued": total - tried, "retrying": tried}
