"""A person erased (GDPR Art. 17): deleted, or anonymised for records the tenant must keep, in bounded
batches, each its own transaction; then the full-text indexes compacted, which keep deleted words until
their segments are merged (docs/privacy.md, *Data-subject requests*)."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from wschat.appointments.models import Appointment, AppointmentsWithdrawn, Status
from wschat.appointments.store import AppointmentStore
from wschat.clock import Clock
from wschat.lifecycle.store import TenantDataStore
from wschat.reports.store import ReportStore
from wschat.subjects.models import EraseMode
from wschat.subjects.store import BATCH, SubjectStore
from wschat.visitors.models import Visitor
from wschat.webhooks.store import DeliveryStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Erased:
    mode: EraseMode
    #: Rows deleted or changed per table (counts, never content).
    counts: dict[str, int]


class Eraser:
    def __init__(
        self,
        subjects: SubjectStore,
        tenant_data: TenantDataStore,
        appointments: AppointmentStore,
        deliveries: DeliveryStore,
        reports: ReportStore,
        withdrawn: Callable[[AppointmentsWithdrawn], Awaitable[None]],
        clock: Clock,
    ) -> None:
        self.clock = clock
        #: Who learns of appointments still to come that went (their agents get cancellations).
        self.withdrawn = withdrawn
        self.subjects = subjects
        self.tenant_data = tenant_data
        self.appointments = appointments
        #: Webhook deliveries about the person (their bodies hold the person's data; wschat/webhooks).
        self.deliveries = deliveries
        #: The start pages counted for the person's chats (a page path may name them; wschat/reports).
        self.reports = reports

    async def _coming(self, visitor: Visitor) -> tuple[Appointment, ...]:
        """The person's booked appointments not over yet (those their agents have in their calendars)."""
        now = self.clock()
        docs = await self.appointments.of_visitor(visitor.tenant_id, visitor.id)
        found = [Appointment.from_doc(doc) for doc in docs]
        return tuple(a for a in found if a.status is Status.BOOKED and a.ends_at > now)

    async def erase(
        self, visitor: Visitor, mode: EraseMode, recipients: list[str], forwards: list[str]
    ) -> Erased:
        """The visitor's conversations, page trail, the mails to ``recipients`` (their addresses) and the
        ``forwards`` (mail ids: their chats' transcripts sent elsewhere by agents), then the visitor record
        itself (deleted, or stripped to its id and times)."""
        tenant_id, counts = visitor.tenant_id, dict[str, int]()
        # Appointments hold the name and address they were booked with: they go in either mode (their time
        # is free again; no mail is sent about them any more).
        coming = await self._coming(visitor)
        if booked := await self.appointments.delete_of_visitor(tenant_id, visitor.id):
            _add(counts, {"appointments": booked})
        if coming:
            await self.withdrawn(AppointmentsWithdrawn(tenant_id, coming))
        if forwards:
            _add(counts, await self.subjects.delete_mails(tenant_id, forwards))
        await self._conversations_gone(visitor, mode, counts)
        while mails := await self.subjects.mails_to(tenant_id, recipients, None, BATCH):
            if not (deleted := await self.subjects.delete_mails(tenant_id, [m.id for m in mails])):
                break
            _add(counts, deleted)
        await self._pages_gone(visitor, counts)
        if sent := await self.deliveries.forget_visitor(tenant_id, visitor.id):
            _add(counts, {"webhook_deliveries": sent})
        if mode is EraseMode.DELETE:
            gone = await self.subjects.delete_visitor(tenant_id, visitor.id)
            # A page view or a chat that the visitor's browser stored while the above ran: the visitor is
            # gone now, so nothing new can come, and one more pass finds what did.
            await self._conversations_gone(visitor, mode, counts)
            await self._pages_gone(visitor, counts)
        else:
            # A fresh hash of a token nobody holds: the browser's old session ends with its data.
            gone = await self.subjects.strip_visitor(tenant_id, visitor.id, secrets.token_hex(32))
        _add(counts, {"visitors": int(gone)})
        await self.tenant_data.compact()
        log.info("visitor erased (%s): %s", mode.value, ", ".join(f"{k} {v}" for k, v in counts.items()))
        return Erased(mode, counts)

    async def _conversations_gone(self, visitor: Visitor, mode: EraseMode, counts: dict[str, int]) -> None:
        tenant_id = visitor.tenant_id
        after: tuple[datetime, str] | None = None
        while batch := await self.subjects.conversations_of(tenant_id, visitor.id, after, BATCH):
            ids = [c.id for c in batch]
            if pages := await self.reports.forget_pages(tenant_id, ids):
                _add(counts, {"report_pages": pages})
            if mode is EraseMode.DELETE:
                deleted = await self.subjects.delete_conversations(tenant_id, ids)
                if not deleted:
                    return  # never loop on rows that cannot go
                _add(counts, deleted)
            else:
                _add(counts, await self.subjects.anonymise_conversations(tenant_id, ids))
                after = (batch[-1].created_at, batch[-1].id)

    async def _pages_gone(self, visitor: Visitor, counts: dict[str, int]) -> None:
        while views := await self.subjects.delete_page_views(visitor.tenant_id, visitor.id, BATCH):
            _add(counts, {"page_views": views})


def _add(counts: dict[str, int], more: dict[str, int]) -> None:
    for table, n in more.items():
        counts[table] = counts.get(table, 0) + n
