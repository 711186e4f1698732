"""The SQLite adapter for transcript records: a visitor's slots are taken inside one writer job."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from wschat.chat.transcript_store import VISITOR_TRANSCRIPTS, TranscriptRecord, visitor_slot
from wschat.storage.sqlite.base import SqliteStore
from wschat.storage.sqlite.tables import TRANSCRIPTS

_OF_CONVERSATION = "tenant_id = ? AND conversation_id = ? ORDER BY at, id"


class SqliteTranscriptStore(SqliteStore):
    async def take_visitor_slot(self, record: TranscriptRecord) -> TranscriptRecord | None:
        def job(conn: sqlite3.Connection) -> TranscriptRecord | None:
            for n in range(1, VISITOR_TRANSCRIPTS + 1):
                taken = replace(record, id=visitor_slot(record.conversation_id, n))
                sql = TRANSCRIPTS.insert_sql(skip_known_id=True)
                if conn.execute(sql, TRANSCRIPTS.encode(taken.to_doc())).rowcount == 1:
                    return taken
            return None

        return await self._db.write(job)

    async def insert(self, record: TranscriptRecord) -> None:
        row = TRANSCRIPTS.encode(record.to_doc())
        await self._db.write(lambda conn: conn.execute(TRANSCRIPTS.insert_sql(), row).rowcount)

    async def insert_many(self, records: list[TranscriptRecord]) -> None:
        rows = [TRANSCRIPTS.encode(record.to_doc()) for record in records]
        if rows:
            await self._db.write(lambda conn: conn.executemany(TRANSCRIPTS.insert_sql(), rows).rowcount)

    async def remove(self, tenant_id: str, record_id: str) -> None:
        sql = "DELETE FROM transcripts WHERE id = ? AND tenant_id = ?"
        await self._db.write(lambda conn: conn.execute(sql, (record_id, tenant_id)).rowcount)

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[TranscriptRecord]:
        docs = await self._all(TRANSCRIPTS, _OF_CONVERSATION, (tenant_id, conversation_id))
        return [TranscriptRecord.from_doc(doc) for doc in docs]
