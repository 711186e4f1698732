"""The MongoDB adapter for leases: a named lock that one holder has until it lets go or its time runs out.

The primary key is the lock (``_id`` is the lease's name), so exactly one insert wins on MongoDB and on
FerretDB alike; a lease whose holder died is taken over once its ``until`` has passed.
"""

from __future__ import annotations

from datetime import datetime

from pymongo.errors import DuplicateKeyError

from wschat.storage.mongo.database import MongoHandle


class MongoLeaseStore:
    def __init__(self, db: MongoHandle) -> None:
        self._leases = db["leases"]

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """True if ``holder`` has the lease now (newly, or taken over from a holder whose time ran out)."""
        try:
            await self._leases.insert_one({"_id": name, "holder": holder, "until": until})
            return True
        except DuplicateKeyError:
            taken = await self._leases.find_one_and_update(
                {"_id": name, "until": {"$lt": now}}, {"$set": {"holder": holder, "until": until}}
            )
            return taken is not None

    async def release(self, name: str, holder: str) -> None:
        """Lets go, if ``holder`` still has it (a lease taken over meanwhile stays with its new holder)."""
        await self._leases.delete_one({"_id": name, "holder": holder})
