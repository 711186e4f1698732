"""Settling the appointment claims a MongoDB process left pending when it died between the steps of a
booking or a change (wschat/storage/mongo/appointments.py): each appointment with a claim pending since
before a cut-off is set right against the appointment as stored.

- No appointment: a booking that never stored it (the visitor got no answer): its claims go, the time is
  free again.
- A change claim (``#<sequence>``) above the stored sequence: a cancel or move never applied (nobody got an
  answer): released, so the appointment can be changed again; ``#reminder<n>`` whose reminder is still due:
  released, so the reminder goes out.
- Cells the appointment as stored does not block (a cancelled one blocks none): left by a change applied
  halfway, or made by one never applied: deleted. The cells it does block, pending or not, stay.

Only what is stale is touched, or what no state of the appointment needs: a booking or change under way
right now (its claims pending since after the cut-off) is left alone.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.asynchronous.collection import AsyncCollection

from wschat.appointments.slots import cells
from wschat.appointments.store import claim_rows
from wschat.records import Document


def pending() -> Document:
    """The mark of a claim whose booking or change is under way: since when (the wall clock)."""
    return {"pending": datetime.now(UTC)}


async def repair_claims(
    claims: AsyncCollection[Document], appointments: AsyncCollection[Document], before: datetime, limit: int
) -> int:
    """Set right the appointments with claims pending since before ``before``, up to ``limit`` claims'
    worth; returns how many claims were deleted or settled."""
    stale = claims.find({"pending": {"$lt": before}}, {"tenant_id": 1, "appointment_id": 1}).limit(limit)
    found = {(doc["tenant_id"], doc["appointment_id"]) async for doc in stale}
    changed = 0
    for tenant_id, appointment_id in sorted(found):
        changed += await _reconcile(claims, appointments, tenant_id, appointment_id, before)
    return changed


async def _reconcile(
    claims: AsyncCollection[Document],
    appointments: AsyncCollection[Document],
    tenant_id: str,
    appointment_id: str,
    before: datetime,
) -> int:
    mine = {"tenant_id": tenant_id, "appointment_id": appointment_id}
    doc = await appointments.find_one({"_id": appointment_id, "tenant_id": tenant_id})
    held = [claim async for claim in claims.find(mine)]
    if doc is None:
        leftovers = [c["_id"] for c in held if _stale(c, before)]
        return await _delete(claims, tenant_id, leftovers)
    booked = doc["status"] == "booked"
    blocked = cells(doc["blocked_from"], doc["blocked_until"]) if booked else []  # a cancelled one: none
    wanted = {row["_id"] for row in claim_rows(doc, blocked)}
    gone: list[str] = []
    for claim in held:
        stale = _stale(claim, before)
        if claim["at"] is not None:
            # A cell in the way of no state: a stale one, or a settled one the stored state does not need.
            if claim["_id"] not in wanted and (stale or claim.get("pending") is None):
                gone.append(claim["_id"])
        elif stale and _unapplied(claim["_id"].partition("#")[2], doc, booked):
            gone.append(claim["_id"])
    deleted = await _delete(claims, tenant_id, gone)
    settled = await claims.update_many(
        mine | {"pending": {"$lt": before}, "_id": {"$nin": gone}}, {"$unset": {"pending": ""}}
    )
    return deleted + settled.modified_count


def _stale(claim: Document, before: datetime) -> bool:
    made: datetime | None = claim.get("pending")
    return made is not None and made < before


def _unapplied(change: str, doc: Document, booked: bool) -> bool:
    """Whether the change a claim names never reached the stored appointment."""
    if change.isdigit():
        sequence: int = doc["sequence"]
        return int(change) > sequence
    if change.startswith("reminder"):
        return booked and doc.get("remind_at") is not None
    return False


async def _delete(claims: AsyncCollection[Document], tenant_id: str, ids: list[str]) -> int:
    if not ids:
        return 0
    result = await claims.delete_many({"tenant_id": tenant_id, "_id": {"$in": ids}})
    return result.deleted_count
