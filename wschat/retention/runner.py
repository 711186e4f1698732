"""The retention runner: deletes what a running tenant's retention makes due (docs/privacy.md, *Retention
inside a running tenant*).

One housekeeping step, every few minutes in each process; a lease (``retention``) lets one of them run at
a time. A run reads the tenants (one row per company) and, for each that is running — not locked (a locked
or ended tenant is the lifecycle's, wschat/lifecycle) and not under a legal hold — sweeps each category in
batches (each one transaction, :data:`~wschat.retention.store.BATCH` rows) until nothing more is due or the
run's time is up; the next run goes on where it stopped. Each run logs what it deleted, as counts per tenant
and category, never an id, a name or a text.

A category's sweeps are entries of :meth:`RetentionRunner.sweeps`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from wschat.accounts.models import Tenant
from wschat.accounts.store import TenantStore
from wschat.appointments.store import AppointmentStore
from wschat.audit.store import AuditStore
from wschat.chat.lease_store import LeaseStore
from wschat.clock import Clock, utc_now
from wschat.config import RetentionSettings
from wschat.privacy.ip import shorten_ip
from wschat.reports.store import ReportStore
from wschat.retention.rules import Category, IpAction, days_kept, ip_action
from wschat.retention.store import BATCH, RetentionStore, Swept

log = logging.getLogger(__name__)

LEASE = "retention"
#: Seconds between two runs in each process (the lease makes one of them do the work).
RUN_INTERVAL = 300.0
#: How long one run may delete before it lets the next run go on (the lease lasts longer).
RUN_BUDGET = timedelta(seconds=20)
LEASE_TIME = timedelta(minutes=5)
#: SQLite's full-text indexes keep deleted words until their segments are merged; a merge rewrites the
#: whole index, so after chat content was deleted it runs at most this often (the first time at once).
COMPACT_EVERY = timedelta(hours=24)

#: One batch of a category for a tenant: its rows due before the given time, at most ``limit`` of them.
Sweep = Callable[[Tenant, datetime, int], Awaitable[Swept]]


def counted(table: str, delete: Callable[[str, datetime, int], Awaitable[int]]) -> Sweep:
    """A sweep from a store method that deletes rows of one table and says how many (the audit log's
    ``delete_before(tenant_id, before, limit)``)."""

    async def sweep(tenant: Tenant, before: datetime, limit: int) -> Swept:
        deleted = await delete(tenant.id, before, limit)
        return Swept(taken=deleted, counts={table: deleted} if deleted else {})

    return sweep


@dataclass
class RunReport:
    """What one run did: rows deleted or changed per tenant (slug), category and table."""

    counts: dict[str, dict[Category, Counter[str]]] = field(default_factory=dict)
    #: False if the run's time was up before nothing more was due (the next run goes on).
    finished: bool = True

    def add(self, slug: str, category: Category, counts: dict[str, int]) -> None:
        if any(counts.values()):
            self.counts.setdefault(slug, {}).setdefault(category, Counter()).update(counts)

    def lines(self) -> list[str]:
        """``acme: chat: conversations 2, messages 14`` per tenant and category, counts only."""
        return [
            f"{slug}: {category.value}: "
            + ", ".join(f"{table} {count}" for table, count in sorted(counts.items()) if count)
            for slug, categories in sorted(self.counts.items())
            for category, counts in categories.items()
        ]


class RetentionRunner:
    def __init__(
        self,
        tenants: TenantStore,
        store: RetentionStore,
        leases: LeaseStore,
        limits: RetentionSettings,
        clock: Clock,
        *,
        holder: str,
        compact: Callable[[], Awaitable[int]],
        audit: AuditStore,
        appointments: AppointmentStore,
        reports: ReportStore | None = None,
        wall: Clock = utc_now,
    ) -> None:
        self.tenants = tenants
        self.store = store
        self.leases = leases
        self.limits = limits
        self.clock = clock
        self.holder = holder
        self._compact = compact
        self._audit = audit
        self._appointments = appointments
        self._reports = reports
        # A run's time budget is measured on the wall, whatever clock the dates follow (tests fake that one).
        self._wall = wall
        self.batch = BATCH
        self.budget = RUN_BUDGET
        self._compacted_at: datetime | None = None
        self._words_deleted = False

    def sweeps(self) -> tuple[tuple[Category, Sweep], ...]:
        """Every category's sweeps, in the order a run takes them: conversations before the visitors they
        leave without any."""
        store = self.store
        return (
            # Appointments are chat data (wschat/appointments): kept as long, counted from their end.
            (Category.CHAT, counted("appointments", self._appointments.delete_ended_before)),
            (Category.CHAT, self._delete_chats),
            (Category.CHAT, lambda tenant, before, n: store.delete_visitors(tenant.id, before, n)),
            (Category.IP, self._age_addresses),
            (Category.MAIL, lambda tenant, before, n: store.delete_mails(tenant.id, before, n)),
            (Category.AUDIT, counted("audit_log", self._audit.delete_before)),
        )

    async def run_once(self) -> RunReport | None:
        """One pass over every running tenant, by whichever process holds the lease; None if another
        process holds it now."""
        now = self.clock()
        if not await self.leases.acquire(LEASE, self.holder, now, now + LEASE_TIME):
            return None
        try:
            report = await self._pass(now)
        finally:
            await self.leases.release(LEASE, self.holder)
        for line in report.lines():
            log.info("retention deleted: %s", line)
        if not report.finished:
            log.info("retention: the run's time is up; the next run goes on")
        return report

    async def _pass(self, now: datetime) -> RunReport:
        started = self._wall()
        report = RunReport()
        for tenant in await self.tenants.all():
            if tenant.is_locked(now) or tenant.lifecycle.legal_hold is not None:
                continue  # the lifecycle's; a legal hold stops every deletion
            if not await self._tenant(tenant, now, started, report):
                report.finished = False
                return report
        await self._compact_if_due(now)
        return report

    async def _tenant(self, tenant: Tenant, now: datetime, started: datetime, report: RunReport) -> bool:
        """Every category of one tenant until nothing is due (True) or the run's time is up (False)."""
        for category, sweep in self.sweeps():
            before = now - timedelta(days=days_kept(tenant.settings, self.limits, category))
            while True:
                if self._wall() - started > self.budget:
                    return False
                swept = await sweep(tenant, before, self.batch)
                report.add(tenant.slug, category, swept.counts)
                if category is Category.CHAT and swept.taken:
                    self._words_deleted = True
                if swept.taken < self.batch:
                    break
        return True

    async def _delete_chats(self, tenant: Tenant, before: datetime, limit: int) -> Swept:
        """Closed chats, and the start pages the reports counted for them: the day figures stay (they name
        nobody), the pages where the deleted chats began go with them (a path may name a person)."""
        swept = await self.store.delete_chats(tenant.id, before, limit)
        if self._reports is None or not swept.conversations:
            return swept
        if pages := await self._reports.forget_pages(tenant.id, list(swept.conversations)):
            swept = replace(swept, counts=swept.counts | {"report_pages": pages})
        return swept

    async def _age_addresses(self, tenant: Tenant, before: datetime, limit: int) -> Swept:
        shorten = ip_action(tenant.settings) is IpAction.SHORTEN
        return await self.store.age_addresses(tenant.id, before, _shortened if shorten else _deleted, limit)

    async def _compact_if_due(self, now: datetime) -> None:
        if not self._words_deleted:
            return
        if self._compacted_at is not None and now - self._compacted_at < COMPACT_EVERY:
            return
        steps = await self._compact()
        self._compacted_at, self._words_deleted = now, False
        log.info("retention: search indexes compacted (%d steps)", steps)


def _shortened(address: str) -> str | None:
    return shorten_ip(address) or None


def _deleted(address: str) -> str | None:
    return None
