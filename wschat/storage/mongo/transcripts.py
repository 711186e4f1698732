"""The MongoDB adapter for transcript records. A visitor's slot is taken by inserting its ``_id``: the
primary key lets one insert per slot win, on MongoDB and on FerretDB alike."""

from __future__ import annotations

from dataclasses import replace

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from wschat.chat.transcript_store import VISITOR_TRANSCRIPTS, TranscriptRecord, visitor_slot
from wschat.storage.mongo.database import MongoHandle


class MongoTranscriptStore:
    def __init__(self, db: MongoHandle) -> None:
        self._transcripts = db["transcripts"]

    async def take_visitor_slot(self, record: TranscriptRecord) -> TranscriptRecord | None:
        for n in range(1, VISITOR_TRANSCRIPTS + 1):
            taken = replace(record, id=visitor_slot(record.conversation_id, n))
            try:
                await self._transcripts.insert_one(taken.to_doc())
            except DuplicateKeyError:
                continue
            return taken
        return None

    async def insert(self, record: TranscriptRecord) -> None:
        await self._transcripts.insert_one(record.to_doc())

    async def insert_many(self, records: list[TranscriptRecord]) -> None:
        if records:
            await self._transcripts.insert_many([record.to_doc() for record in records], ordered=False)

    async def remove(self, tenant_id: str, record_id: str) -> None:
        await self._transcripts.delete_one({"_id": record_id, "tenant_id": tenant_id})

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[TranscriptRecord]:
        cursor = self._transcripts.find({"tenant_id": tenant_id, "conversation_id": conversation_id}).sort(
            [("at", ASCENDING), ("_id", ASCENDING)]
        )
        return [TranscriptRecord.from_doc(doc) async for doc in cursor]
