"""The MongoDB adapter for pending sign-ups: a unique index on the address lets one sign-up per address
win, and deleting one by ``_id`` lets one confirmation win (MongoDB and FerretDB alike)."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from wschat.signup.models import Signup
from wschat.storage.mongo.database import MongoHandle
from wschat.storage.signup_documents import signup_doc, signup_from

#: Transition ids tried beyond a mail's epoch (a claim stored whose update did not follow).
_EPOCH_SLACK = 3


class MongoSignupStore:
    def __init__(self, db: MongoHandle) -> None:
        self._signups = db["signups"]
        self._outbox = db["outbox"]
        self._transitions = db["outbox_transitions"]

    async def insert(self, signup: Signup) -> bool:
        try:
            await self._signups.insert_one(signup_doc(signup))
        except DuplicateKeyError:
            return False
        return True

    async def get(self, signup_id: str) -> Signup | None:
        doc = await self._signups.find_one({"_id": signup_id})
        return signup_from(doc) if doc else None

    async def by_email(self, email: str) -> Signup | None:
        doc = await self._signups.find_one({"email": email})
        return signup_from(doc) if doc else None

    async def set_mail(self, signup_id: str, mail_id: str) -> None:
        await self._signups.update_one({"_id": signup_id}, {"$set": {"mail_id": mail_id}})

    async def take(self, signup_id: str) -> Signup | None:
        doc = await self._signups.find_one({"_id": signup_id})
        if doc is None or (await self._signups.delete_one({"_id": signup_id})).deleted_count != 1:
            return None
        mail_id = doc.get("mail_id")
        if mail_id is not None:
            mail = await self._outbox.find_one({"_id": mail_id}, {"epoch": 1})
            epochs = range((mail or {}).get("epoch", 0) + _EPOCH_SLACK)
            await self._transitions.delete_many({"_id": {"$in": [f"{mail_id}:{n}" for n in epochs]}})
            await self._outbox.delete_one({"_id": mail_id})
        return signup_from(doc)

    async def expired(self, now: datetime, limit: int) -> list[str]:
        cursor = self._signups.find({"expires_at": {"$lte": now}}, {"_id": 1}).sort("expires_at", ASCENDING)
        return [doc["_id"] async for doc in cursor.limit(limit)]
