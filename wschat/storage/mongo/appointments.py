"""The MongoDB adapter for appointments (wschat/appointments/store.py).

No transactions (FerretDB has none). A booking inserts its cells' claims first, in one ordered
``insert_many``, each carrying the booking's id; a claim whose ``_id`` is stored already stops it, and the
booking's own claims are deleted again before :class:`Taken` is raised; only then is the appointment
stored. ``_id`` is the unique key both servers enforce through their primary key, so of two overlapping
bookings exactly one keeps its claims. Changes (cancel, move, reminder) are claimed as ``<id>#<change>``
before they are applied, since FerretDB's conditional updates are not atomic.

Every claim is made *pending* (``pending``: when) and settled (the field unset) once the booking or
change it belongs to is done. A process that dies in between leaves pending claims behind: ``repair``
(from the reminders' housekeeping step, minutes later) settles them against the appointment as stored —
a booking without its appointment loses its claims, a change never applied is released (the appointment
can be changed again), cells a cancel or move no longer needs go (appointment_repair.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING
from pymongo.errors import BulkWriteError, DuplicateKeyError

from wschat.appointments.store import Taken, claim_rows
from wschat.records import Document
from wschat.storage.mongo.appointment_repair import pending, repair_claims
from wschat.storage.mongo.database import MongoHandle


def _change_claim(tenant_id: str, appointment_id: str, change: str) -> Document:
    return {"_id": f"{appointment_id}#{change}", "tenant_id": tenant_id, "agent_id": "",
            "appointment_id": appointment_id, "at": None} | pending()  # fmt: skip


class MongoAppointmentStore:
    def __init__(self, db: MongoHandle) -> None:
        self._types = db["appointment_types"]
        self._hours = db["appointment_hours"]
        self._settings = db["appointment_settings"]
        self._appointments = db["appointments"]
        self._claims = db["appointment_claims"]

    async def put_type(self, doc: Document) -> None:
        await self._types.replace_one({"_id": doc["_id"], "tenant_id": doc["tenant_id"]}, doc, upsert=True)

    async def type_of(self, tenant_id: str, type_id: str) -> Document | None:
        return await self._types.find_one({"_id": type_id, "tenant_id": tenant_id})

    async def types(self, tenant_id: str) -> list[Document]:
        cursor = self._types.find({"tenant_id": tenant_id}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [doc async for doc in cursor]

    async def delete_type(self, tenant_id: str, type_id: str) -> bool:
        return (await self._types.delete_one({"_id": type_id, "tenant_id": tenant_id})).deleted_count == 1

    async def put_hours(self, doc: Document) -> None:
        await self._hours.replace_one({"_id": doc["_id"], "tenant_id": doc["tenant_id"]}, doc, upsert=True)

    async def hours(self, tenant_id: str, agent_ids: Sequence[str]) -> list[Document]:
        cursor = self._hours.find({"tenant_id": tenant_id, "agent_id": {"$in": list(agent_ids)}})
        return [doc async for doc in cursor]

    async def put_settings(self, doc: Document) -> None:
        await self._settings.replace_one({"_id": doc["_id"], "tenant_id": doc["tenant_id"]}, doc, upsert=True)

    async def settings(self, tenant_id: str) -> Document | None:
        return await self._settings.find_one({"_id": tenant_id, "tenant_id": tenant_id})

    async def book(self, doc: Document, cells: Sequence[datetime]) -> None:
        mine = {"tenant_id": doc["tenant_id"], "appointment_id": doc["_id"]}
        rows = [row | pending() for row in claim_rows(doc, cells)]
        try:
            await self._claims.insert_many(rows, ordered=True)
        except BulkWriteError as e:
            if any(error.get("code") != 11000 for error in e.details.get("writeErrors", [])):
                raise
            await self._claims.delete_many(mine)
            raise Taken() from e
        await self._appointments.insert_one(dict(doc))
        await self._settle(doc["tenant_id"], [row["_id"] for row in rows])

    async def appointment(self, tenant_id: str, appointment_id: str) -> Document | None:
        return await self._appointments.find_one({"_id": appointment_id, "tenant_id": tenant_id})

    async def cancel(
        self, tenant_id: str, appointment_id: str, sequence: int, changes: Document
    ) -> Document | None:
        found = {"_id": appointment_id, "tenant_id": tenant_id, "status": "booked", "sequence": sequence}
        if await self._appointments.find_one(found, {"_id": 1}) is None:
            return None
        if not await self._claim(tenant_id, appointment_id, str(sequence + 1)):
            return None
        state = {**changes, "status": "cancelled", "sequence": sequence + 1, "remind_at": None}
        await self._appointments.update_one({"_id": appointment_id, "tenant_id": tenant_id}, {"$set": state})
        mine = {"tenant_id": tenant_id, "appointment_id": appointment_id}
        await self._claims.delete_many(mine | {"at": {"$ne": None}})
        await self._settle(tenant_id, [f"{appointment_id}#{sequence + 1}"])
        return await self.appointment(tenant_id, appointment_id)

    async def move(self, before: Document, changes: Document, cells: Sequence[datetime]) -> Document | None:
        tenant_id, appointment_id, sequence = before["tenant_id"], before["_id"], before["sequence"]
        found = {"_id": appointment_id, "tenant_id": tenant_id, "status": "booked", "sequence": sequence}
        if await self._appointments.find_one(found, {"_id": 1}) is None:
            return None
        change = str(sequence + 1)
        if not await self._claim(tenant_id, appointment_id, change):
            return None
        mine = {"tenant_id": tenant_id, "appointment_id": appointment_id}
        held = {doc["_id"] async for doc in self._claims.find(mine | {"at": {"$ne": None}}, {"_id": 1})}
        wanted = {row["_id"]: row for row in claim_rows(before | changes, cells)}
        new = [row | pending() for key, row in wanted.items() if key not in held]
        try:
            if new:
                await self._claims.insert_many(new, ordered=True)
        except BulkWriteError as e:
            if any(error.get("code") != 11000 for error in e.details.get("writeErrors", [])):
                raise
            await self._claims.delete_many(mine | {"_id": {"$in": [row["_id"] for row in new]}})
            await self._claims.delete_one({"_id": f"{appointment_id}#{change}", "tenant_id": tenant_id})
            raise Taken() from e
        state = {**changes, "sequence": sequence + 1}
        await self._appointments.update_one({"_id": appointment_id, "tenant_id": tenant_id}, {"$set": state})
        gone = sorted(held - set(wanted))
        if gone:
            await self._claims.delete_many(mine | {"_id": {"$in": gone}})
        await self._settle(tenant_id, [f"{appointment_id}#{change}", *(row["_id"] for row in new)])
        return await self.appointment(tenant_id, appointment_id)

    async def _settle(self, tenant_id: str, ids: list[str]) -> None:
        """The claims a booking or change made, once it is done: no longer pending."""
        await self._claims.update_many(
            {"tenant_id": tenant_id, "_id": {"$in": ids}}, {"$unset": {"pending": ""}}
        )

    async def repair(self, before: datetime, limit: int) -> int:
        return await repair_claims(self._claims, self._appointments, before, limit)

    async def _claim(self, tenant_id: str, appointment_id: str, change: str) -> bool:
        try:
            await self._claims.insert_one(_change_claim(tenant_id, appointment_id, change))
        except DuplicateKeyError:
            return False
        return True

    async def taken(
        self, tenant_id: str, agent_ids: Sequence[str], since: datetime, until: datetime
    ) -> dict[str, list[datetime]]:
        found: dict[str, list[datetime]] = {agent: [] for agent in agent_ids}
        query = {
            "tenant_id": tenant_id,
            "agent_id": {"$in": list(agent_ids)},
            "at": {"$gte": since, "$lt": until},
        }
        async for claim in self._claims.find(query, {"agent_id": 1, "at": 1}):
            found[claim["agent_id"]].append(claim["at"])
        return found

    async def between(
        self, tenant_id: str, since: datetime, until: datetime, agent_id: str | None = None
    ) -> list[Document]:
        query: Document = {"tenant_id": tenant_id, "starts_at": {"$gte": since, "$lt": until}}
        if agent_id is not None:
            query["agent_id"] = agent_id
        cursor = self._appointments.find(query).sort([("starts_at", ASCENDING), ("_id", ASCENDING)])
        return [doc async for doc in cursor]

    async def due_reminders(self, now: datetime, limit: int) -> list[Document]:
        cursor = self._appointments.find({"remind_at": {"$ne": None, "$lte": now}}).sort(
            "remind_at", ASCENDING
        )
        return [doc async for doc in cursor.limit(limit)]

    async def reminded(self, tenant_id: str, appointment_id: str) -> bool:
        found = {"_id": appointment_id, "tenant_id": tenant_id, "status": "booked"}
        doc = await self._appointments.find_one(found | {"remind_at": {"$ne": None}}, {"sequence": 1})
        # Claimed per sequence: a moved appointment's reminder is armed again, and claimed again.
        if doc is None or not await self._claim(tenant_id, appointment_id, f"reminder{doc['sequence']}"):
            return False
        result = await self._appointments.update_one(found, {"$set": {"remind_at": None}})
        await self._settle(tenant_id, [f"{appointment_id}#reminder{doc['sequence']}"])
        return result.modified_count == 1

    async def of_visitor(self, tenant_id: str, visitor_id: str) -> list[Document]:
        cursor = self._appointments.find({"tenant_id": tenant_id, "visitor_id": visitor_id})
        return [doc async for doc in cursor.sort("starts_at", ASCENDING)]

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[Document]:
        cursor = self._appointments.find({"tenant_id": tenant_id, "conversation_id": conversation_id})
        return [doc async for doc in cursor.sort("starts_at", ASCENDING)]

    async def delete_of_visitor(self, tenant_id: str, visitor_id: str) -> int:
        cursor = self._appointments.find({"tenant_id": tenant_id, "visitor_id": visitor_id}, {"_id": 1})
        return await self._delete(tenant_id, [doc["_id"] async for doc in cursor])

    async def delete_ended_before(self, tenant_id: str, before: datetime, limit: int) -> int:
        query = {"tenant_id": tenant_id, "ends_at": {"$lt": before}}
        cursor = self._appointments.find(query, {"_id": 1}).sort("ends_at", ASCENDING).limit(limit)
        return await self._delete(tenant_id, [doc["_id"] async for doc in cursor])

    async def _delete(self, tenant_id: str, ids: list[str]) -> int:
        if not ids:
            return 0
        await self._claims.delete_many({"tenant_id": tenant_id, "appointment_id": {"$in": ids}})
        result = await self._appointments.delete_many({"tenant_id": tenant_id, "_id": {"$in": ids}})
        return result.deleted_count
