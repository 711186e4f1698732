"""The MongoDB adapter for leases: a named lock that one holder has until it lets go or its time runs out.

Every change of a lease is a new *generation* document, ``_id = "<name>@<generation>"``: taking the lease,
taking it over from a holder whose time ran out, and letting it go all insert generation n+1 of the one they
read. The primary key lets exactly one of them win, on MongoDB and on FerretDB alike (whose conditional
updates are not atomic). A late release loses to a takeover that came first, and the reverse. Older
generations are removed by whoever wins the next one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo import DESCENDING
from pymongo.errors import DuplicateKeyError

from wschat.records import Document
from wschat.storage.mongo.database import MongoHandle

_LET_GO = datetime(1970, 1, 1, tzinfo=UTC)


class MongoLeaseStore:
    def __init__(self, db: MongoHandle) -> None:
        self._leases = db["leases"]

    async def acquire(self, name: str, holder: str, now: datetime, until: datetime) -> bool:
        """True if ``holder`` has the lease now (newly, or taken over from a holder whose time ran out)."""
        current = await self._current(name)
        if current is not None and current["holder"] is not None and current["until"] >= now:
            return False
        return await self._claim(name, (current or {}).get("gen", 0) + 1, holder, until)

    async def release(self, name: str, holder: str) -> None:
        """Lets go, if ``holder`` still has it (a lease taken over meanwhile stays with its new holder)."""
        current = await self._current(name)
        if current is not None and current["holder"] == holder:
            await self._claim(name, current["gen"] + 1, None, _LET_GO)

    async def _current(self, name: str) -> Document | None:
        return await self._leases.find_one({"name": name}, sort=[("gen", DESCENDING)])

    async def _claim(self, name: str, gen: int, holder: str | None, until: datetime) -> bool:
        doc = {"_id": f"{name}@{gen}", "name": name, "gen": gen, "holder": holder, "until": until}
        try:
            await self._leases.insert_one(doc)
        except DuplicateKeyError:
            return False
        await self._leases.delete_many({"name": name, "gen": {"$lt": gen}})
        return True
