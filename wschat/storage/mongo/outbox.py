"""The MongoDB adapter for the outbox and a tenant's stored mail server. Every query of one tenant's mails
filters by ``tenant_id``; :meth:`MongoOutboxStore.due` reads every tenant's, for the worker.

A mail changes only through a claimed transition, as a call does: inserting ``_id = "<mail id>:<epoch>"``
into ``outbox_transitions`` is the claim, and the primary key lets one writer per epoch win on MongoDB and
on FerretDB alike (whose conditional updates are not atomic). A claim stored whose update did not follow
(the process died between the two) is applied by the next reader of the mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from wschat.mail.models import MailStatus, OutgoingMail
from wschat.mail.store import Superseded
from wschat.records import Document
from wschat.storage.mail_documents import mail_doc, mail_from, mail_transition_doc
from wschat.storage.mongo.database import MongoHandle, find_owned

_WAITING = [MailStatus.QUEUED.value, MailStatus.SENDING.value]


class MongoOutboxStore:
    def __init__(self, db: MongoHandle) -> None:
        self._outbox = db["outbox"]
        self._transitions = db["outbox_transitions"]

    async def insert(self, mail: OutgoingMail) -> None:
        await self._outbox.insert_one(mail_doc(mail))

    async def get(self, tenant_id: str, mail_id: str) -> OutgoingMail | None:
        for _ in range(5):
            doc = await find_owned(self._outbox, mail_id, tenant_id)
            if doc is None:
                return None
            pending = await self._transitions.find_one({"_id": f"{mail_id}:{doc['epoch'] + 1}"})
            if pending is None or pending["tenant_id"] != tenant_id:
                return mail_from(doc)
            await self._apply(tenant_id, mail_id, doc["epoch"], pending["state"])
        raise RuntimeError(f"mail {mail_id} keeps changing")

    async def due(self, now: datetime, limit: int) -> list[OutgoingMail]:
        cursor = (
            self._outbox.find(
                {"status": {"$in": _WAITING}, "next_attempt_at": {"$lte": now}}, {"_id": 1, "tenant_id": 1}
            )
            .sort("next_attempt_at", ASCENDING)
            .limit(limit)
        )
        found = [await self.get(doc["tenant_id"], doc["_id"]) async for doc in cursor]
        return [mail for mail in found if mail is not None and _due(mail, now)]

    async def transition(self, mail: OutgoingMail, changed: OutgoingMail, now: datetime) -> OutgoingMail:
        claim = mail_transition_doc(mail, changed, now)
        try:
            await self._transitions.insert_one(claim)
        except DuplicateKeyError as e:
            raise Superseded() from e
        updated = await self._apply(mail.tenant_id, mail.id, mail.epoch, claim["state"])
        if updated is None:
            raise Superseded()
        return updated

    async def depth(self) -> dict[str, int]:
        """Four counts, each through the index ``status_next``."""
        queued = MailStatus.QUEUED.value
        return {
            "queued": await self._outbox.count_documents({"status": queued, "attempts": 0}),
            "retrying": await self._outbox.count_documents({"status": queued, "attempts": {"$gt": 0}}),
            "sending": await self._outbox.count_documents({"status": MailStatus.SENDING.value}),
            "failed": await self._outbox.count_documents({"status": MailStatus.FAILED.value}),
        }

    async def page(
        self, tenant_id: str, status: MailStatus, before: OutgoingMail | None, limit: int
    ) -> list[OutgoingMail]:
        query: Document = {"tenant_id": tenant_id, "status": status.value}
        if before is not None:
            query["$or"] = [
                {"created_at": {"$lt": before.created_at}},
                {"created_at": before.created_at, "_id": {"$lt": before.id}},
            ]
        cursor = self._outbox.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)]).limit(limit)
        return [mail_from(doc) async for doc in cursor]

    async def _apply(self, tenant_id: str, mail_id: str, epoch: int, state: Document) -> OutgoingMail | None:
        doc = await self._outbox.find_one_and_update(
            {"_id": mail_id, "tenant_id": tenant_id, "epoch": epoch},
            {"$set": {**state, "epoch": epoch + 1}},
            return_document=ReturnDocument.AFTER,
        )
        return mail_from(doc) if doc else None


def _due(mail: OutgoingMail, now: datetime) -> bool:
    """Still due once a pending claim was applied (it may have just become ``sending``)."""
    waiting = mail.status in (MailStatus.QUEUED, MailStatus.SENDING)
    return waiting and mail.next_attempt_at is not None and mail.next_attempt_at <= now


class MongoMailRecords:
    """The ``mail`` map of the tenant's document."""

    def __init__(self, db: MongoHandle) -> None:
        self._tenants = db["tenants"]

    async def get(self, tenant_id: str) -> Document:
        doc = await self._tenants.find_one({"_id": tenant_id}, {"mail": 1})
        mail: Document = (doc or {}).get("mail") or {}
        return mail

    async def replace(self, tenant_id: str, values: dict[str, Any]) -> bool:
        result = await self._tenants.update_one({"_id": tenant_id}, {"$set": {"mail": values}})
        return result.matched_count == 1
