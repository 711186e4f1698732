"""The SQLite adapter for the outbox and a tenant's stored mail server.

A mail changes only through a claimed transition, as a call does: inserting its next epoch into
``outbox_transitions`` and moving the row from the epoch read to the next happen in one writer job, so of
two workers that claim one mail, one wins (``claim_and_apply`` in ``base.py``).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from wschat.mail.models import SYSTEM_SENDER, MailStatus, OutgoingMail
from wschat.mail.store import Superseded
from wschat.records import Document
from wschat.storage.mail_documents import mail_doc, mail_from, mail_transition_doc
from wschat.storage.sqlite.base import SqliteStore, claim_and_apply
from wschat.storage.sqlite.tables import OUTBOX, OUTBOX_TRANSITIONS
from wschat.storage.sqlite.values import from_json, to_json, to_time

# Spelled as in the partial index outbox_due, so that SQLite answers the query from it.
_DUE = "status IN ('queued', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?"
# outbox_due again; a range on its column (not a scan of the index), and the rows it finds are the queue.
_DEPTH = (
    "SELECT status, attempts > 0, count(*) FROM outbox"
    " WHERE status IN ('queued', 'sending') AND next_attempt_at IS NOT NULL GROUP BY 1, 2"
)
# Failed mails have no index of their own: they are counted per tenant (and for the system's sign-up mails)
# through outbox_tenant_status, a seek per tenant and the failed mails' entries.
_TENANTS = "SELECT id FROM tenants"
_FAILED = "SELECT count(*) FROM outbox WHERE tenant_id = ? AND status = 'failed'"
_PAGE = "tenant_id = ? AND status = ? ORDER BY created_at DESC, id DESC LIMIT ?"
_PAGE_AFTER = (
    "tenant_id = ? AND status = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?"
)


class SqliteOutboxStore(SqliteStore):
    async def insert(self, mail: OutgoingMail) -> None:
        row = OUTBOX.encode(mail_doc(mail))
        await self._db.write(lambda conn: conn.execute(OUTBOX.insert_sql(), row).rowcount)

    async def get(self, tenant_id: str, mail_id: str) -> OutgoingMail | None:
        doc = await self._one(OUTBOX, "id = ? AND tenant_id = ?", (mail_id, tenant_id))
        return mail_from(doc) if doc else None

    async def due(self, now: datetime, limit: int) -> list[OutgoingMail]:
        return [mail_from(doc) for doc in await self._all(OUTBOX, _DUE, (to_time(now), limit))]

    async def transition(self, mail: OutgoingMail, changed: OutgoingMail, now: datetime) -> OutgoingMail:
        claim = mail_transition_doc(mail, changed, now)
        job = claim_and_apply(
            OUTBOX_TRANSITIONS, claim, OUTBOX, mail.id, mail.tenant_id, mail.epoch, claim["state"], Superseded
        )
        return mail_from(await self._db.write(job))

    async def page(
        self, tenant_id: str, status: MailStatus, before: OutgoingMail | None, limit: int
    ) -> list[OutgoingMail]:
        if before is None:
            docs = await self._all(OUTBOX, _PAGE, (tenant_id, status.value, limit))
        else:
            after = (tenant_id, status.value, to_time(before.created_at), before.id, limit)
            docs = await self._all(OUTBOX, _PAGE_AFTER, after)
        return [mail_from(doc) for doc in docs]

    async def depth(self) -> dict[str, int]:
        return await self._db.read(_depth)


def _depth(conn: sqlite3.Connection) -> dict[str, int]:
    counts = {"queued": 0, "retrying": 0, "sending": 0, "failed": 0}
    for status, tried, count in conn.execute(_DEPTH):
        counts["retrying" if status == MailStatus.QUEUED and tried else status] += count
    senders = [row[0] for row in conn.execute(_TENANTS)] + [SYSTEM_SENDER]
    counts["failed"] = sum(conn.execute(_FAILED, (sender,)).fetchone()[0] for sender in senders)
    return counts


class SqliteMailRecords(SqliteStore):
    """The ``mail`` column of the tenant's row: a JSON map."""

    async def get(self, tenant_id: str) -> Document:
        row = await self._db.read(
            lambda conn: conn.execute("SELECT mail FROM tenants WHERE id = ?", (tenant_id,)).fetchone()
        )
        mail: Document = (from_json(row[0]) if row else None) or {}
        return mail

    async def replace(self, tenant_id: str, values: dict[str, Any]) -> bool:
        def store(conn: sqlite3.Connection) -> bool:
            sql = "UPDATE tenants SET mail = ? WHERE id = ?"
            return conn.execute(sql, (to_json(values), tenant_id)).rowcount == 1

        return await self._db.write(store)
