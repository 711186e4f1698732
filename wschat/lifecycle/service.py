"""The lifecycle: the operator's commands on a tenant's contract, and the runner that carries out what the
dates say (docs/privacy.md, *Lifecycle*).

The runner is one housekeeping step. Across processes one of them runs it at a time (a lease); it reads
the tenants (a small table: one row per company) and for each does what is due and not yet done:

- a notice three days before a demo ends, and one when it has ended or a contract has ended (access is
  locked by the dates themselves, in every process: wschat/accounts/models.py, ``Tenant.is_locked``; the
  janitor's re-check closes the tenant's open sockets);
- the deletion of the tenant's data 14 days after its demo ended, or 6 months after its contract ended:
  in batches, each one transaction, resumed by the next run after a crash or when the run's time is up;
- the deletion of the tenant itself (its master data) with its data after a demo, 4 years after the end of a
  contract; a day after the data at the earliest, so that the notice of that deletion is sent first.

A legal hold stops both deletions. Each step done is stored with its time (``lifecycle.done``), so that a
notice is mailed once however many processes and runs there are (twice only if the process dies between
queueing the mail and recording the step: a notice is rather sent twice than never); each deletion is
logged with its counts.

The tenant's audit log (wschat/audit) records each operator's command (``contract.<command>``) and each
notice step (``lifecycle.<step>``). The deletions are not in it: the log is part of the data they delete
(their time stays in ``lifecycle.done``, their counts in the process log).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from wschat.accounts.contract import DEMO_WARNING, ContractState, Dates, Notice, end_of_day
from wschat.accounts.models import Plan, Tenant
from wschat.accounts.store import TenantStore
from wschat.audit.models import OPERATOR, SYSTEM, Action, Actor, Target, TargetKind
from wschat.audit.service import AuditService
from wschat.chat.lease_store import LeaseStore
from wschat.clock import Clock, utc_now
from wschat.errors import MailNotConfigured, NotFound, ValidationFailed, WrongState
from wschat.lifecycle.models import ContractRequest, HoldRequest, TerminateRequest
from wschat.lifecycle.notices import notice_mail
from wschat.lifecycle.store import BATCH, TenantDataStore
from wschat.mail.models import Lang
from wschat.mail.service import MailService

log = logging.getLogger(__name__)

LEASE = "lifecycle"
#: Seconds between two runs in each process (the lease makes one of them do the work).
RUN_INTERVAL = 60.0
#: How long one run may delete before it lets the next run go on (the lease lasts longer).
RUN_BUDGET = timedelta(seconds=20)
LEASE_TIME = timedelta(minutes=5)
#: After a demo's data is deleted, its record stays this long: the notice of the deletion is sent first.
NOTICE_GRACE = timedelta(days=1)


class LifecycleService:
    def __init__(
        self,
        tenants: TenantStore,
        data: TenantDataStore,
        leases: LeaseStore,
        mail: MailService,
        clock: Clock,
        *,
        holder: str,
        audit: AuditService,
        wall: Clock = utc_now,
    ) -> None:
        self.tenants = tenants
        self.audit = audit
        self.data = data
        self.leases = leases
        self.mail = mail
        self.clock = clock
        self.holder = holder
        # A run's time budget is measured on the wall, whatever clock the dates follow (tests fake that one).
        self._wall = wall
        #: Parent rows per deletion batch (wschat/lifecycle/store.py).
        self.batch = BATCH

    # -- the operator's commands ---------------------------------------------------------------------------

    async def show(self, slug: str) -> tuple[Tenant, Dates]:
        """Raises NotFound."""
        tenant = await self._tenant(slug)
        return tenant, tenant.dates(self.clock())

    async def contract(self, slug: str, request: ContractRequest) -> Tenant:
        """The tenant has a (new) contract: a demo becomes one, a notice given is withdrawn, an ended
        contract starts again. Raises NotFound, WrongState (it has a running contract)."""
        tenant = await self._tenant(slug)
        now = self.clock()
        state = tenant.dates(now).state
        if state is ContractState.CONTRACT:
            raise WrongState(f"Tenant {slug!r} has a running contract already.")
        changes: dict[str, Any] = {
            "plan": Plan.CONTRACT.value,
            "demo_ends_at": None,
            "contract_ended_at": None,
            "lifecycle.contract_since": now,
            # The notices of an earlier end may be needed again for the next one.
            "lifecycle.done": {},
            "updated_at": now,
        }
        if request.contact_email is not None:
            changes["lifecycle.contact_email"] = request.contact_email
        changed = await self._update(tenant, changes)
        log.info("tenant %s: contract (was %s)", slug, state.value)
        await self._record(changed, OPERATOR, Action.CONTRACT_CONTRACT, {"was": state.value})
        return changed

    async def terminate(self, slug: str, request: TerminateRequest) -> Tenant:
        """The contract (or the demo) ends after ``last_day``. Raises NotFound, WrongState (a demo or contract
        that has ended, or a contract already terminated), ValidationFailed (a day before the tenant existed,
        or a demo's last day after its 14 days)."""
        tenant = await self._tenant(slug)
        now = self.clock()
        state = tenant.dates(now).state
        ends = end_of_day(request.last_day)
        if ends <= tenant.created_at:
            raise _invalid_day("The last day cannot be before the tenant was created.")
        if state is ContractState.DEMO:
            assert tenant.demo_ends_at is not None
            if ends > tenant.demo_ends_at:
                raise _invalid_day(f"The demo ends on {tenant.demo_ends_at:%Y-%m-%d %H:%M} UTC by itself.")
            changes: dict[str, Any] = {"demo_ends_at": ends}
        elif state is ContractState.CONTRACT:
            changes = {"contract_ended_at": ends}
        else:
            raise WrongState(f"Tenant {slug!r} cannot be terminated: it is {state.value}.")
        changed = await self._update(tenant, changes | {"updated_at": now})
        log.info("tenant %s: %s ends %s", slug, tenant.plan.value, ends.isoformat())
        details = {"was": state.value, "ends_at": ends.isoformat()}
        await self._record(changed, OPERATOR, Action.CONTRACT_TERMINATE, details)
        return changed

    async def hold(self, slug: str, request: HoldRequest) -> Tenant:
        """A legal hold: nothing of the tenant is deleted until it is released. Raises NotFound, WrongState
        (a hold is set already)."""
        tenant = await self._tenant(slug)
        if tenant.lifecycle.legal_hold is not None:
            raise WrongState(f"Tenant {slug!r} is under a legal hold already.")
        now = self.clock()
        hold = {"reason": request.reason, "since": now}
        changed = await self._update(tenant, {"lifecycle.legal_hold": hold, "updated_at": now})
        log.info("tenant %s: legal hold set", slug)  # the reason may name people: not logged
        await self._record(changed, OPERATOR, Action.CONTRACT_HOLD, {})
        return changed

    async def release(self, slug: str) -> Tenant:
        """Lifts the legal hold; what fell due meanwhile is done at the next run. Raises NotFound,
        WrongState (no hold is set)."""
        tenant = await self._tenant(slug)
        if tenant.lifecycle.legal_hold is None:
            raise WrongState(f"Tenant {slug!r} is not under a legal hold.")
        changed = await self._update(tenant, {"lifecycle.legal_hold": None, "updated_at": self.clock()})
        log.info("tenant %s: legal hold released", slug)
        await self._record(changed, OPERATOR, Action.CONTRACT_RELEASE, {})
        return changed

    # -- the runner ------------------------------------------------------------------------------------------

    async def run_once(self) -> None:
        """One pass over every tenant, by whichever process holds the lease."""
        now = self.clock()
        if not await self.leases.acquire(LEASE, self.holder, now, now + LEASE_TIME):
            return
        try:
            started = self._wall()
            for tenant in await self.tenants.all():
                if self._wall() - started > RUN_BUDGET:
                    return  # the rest at the next run
                await self._advance(tenant, started)
        finally:
            await self.leases.release(LEASE, self.holder)

    async def _advance(self, tenant: Tenant, started: datetime) -> None:
        now = self.clock()
        dates = tenant.dates(now)
        done = tenant.lifecycle.done
        if dates.state is ContractState.DEMO and dates.demo_ends_at is not None:
            if now >= dates.demo_ends_at - DEMO_WARNING and Notice.DEMO_ENDS_SOON not in done:
                log.info("tenant %s: demo ends %s", tenant.slug, dates.demo_ends_at.isoformat())
                tenant = await self._notice(tenant, Notice.DEMO_ENDS_SOON, dates)
        elif dates.state is ContractState.DEMO_EXPIRED and Notice.DEMO_EXPIRED not in done:
            log.info("tenant %s: demo expired; access locked", tenant.slug)
            tenant = await self._notice(tenant, Notice.DEMO_EXPIRED, dates)
        elif dates.state is ContractState.ENDED and Notice.CONTRACT_ENDED not in done:
            log.info("tenant %s: contract ended; access locked", tenant.slug)
            tenant = await self._notice(tenant, Notice.CONTRACT_ENDED, dates)
        if tenant.lifecycle.legal_hold is not None:
            return
        due = dates.chat_data_deleted_at
        if due is not None and now >= due and Notice.CHAT_DATA_DELETED not in tenant.lifecycle.done:
            if not await self._delete_data(tenant, started):
                return  # time is up; resumed at the next run
            tenant = await self._notice(tenant, Notice.CHAT_DATA_DELETED, dates)
        master = dates.master_data_deleted_at
        deleted = tenant.lifecycle.done.get(Notice.CHAT_DATA_DELETED)
        if master is None or deleted is None or now < max(master, deleted + NOTICE_GRACE):
            return
        # The notice mails of the years since, then the record: nothing of the tenant is left.
        if await self._delete_data(tenant, started) and await self.data.delete_tenant(tenant.id):
            log.info("tenant %s: deleted (master data; %s)", tenant.id, dates.state.value)

    async def _delete_data(self, tenant: Tenant, started: datetime) -> bool:
        """Batches until nothing of the tenant's data is left (True) or the run's time is up (False)."""
        counts: Counter[str] = Counter()
        finished = False
        while self._wall() - started <= RUN_BUDGET:
            batch = await self.data.delete_batch(tenant.id, self.batch)
            if not batch:
                finished = True
                break
            counts.update(batch)
        if counts:
            shown = ", ".join(f"{table} {count}" for table, count in sorted(counts.items()) if count)
            log.info("tenant %s: deleted %s%s", tenant.slug, shown, "" if finished else " (continues)")
        if finished:
            steps = await self.data.compact()  # the deleted words out of the search indexes too
            log.info("tenant %s: search indexes compacted (%d steps)", tenant.slug, steps)
        return finished

    async def _notice(self, tenant: Tenant, notice: Notice, dates: Dates) -> Tenant:
        """Mail the notice to the tenant's contact (if it has one and there is a mail server), then mark it
        done: at most once, and never blocked by a missing address."""
        address = tenant.lifecycle.contact_email
        mailed = False
        if address is not None:
            lang = _lang_of(tenant)
            subject, layout = notice_mail(notice, tenant.name, dates, lang)
            try:
                await self.mail.enqueue(tenant, address, subject, layout, lang)
                mailed = True
            except MailNotConfigured:
                log.warning("tenant %s: no mail server, so the %s notice was not mailed", tenant.slug, notice)
        now = self.clock()
        changed = await self.tenants.update(tenant.id, {f"lifecycle.done.{notice.value}": now})
        if changed is None:  # deleted meanwhile (by the operator's hand): nothing more to do for it
            done = {**tenant.lifecycle.done, notice.value: now}
            return replace(tenant, lifecycle=replace(tenant.lifecycle, done=done))
        if notice is not Notice.CHAT_DATA_DELETED:  # the log went with the data (see the module's doc)
            details = {"mailed": mailed}
            await self._record(changed, SYSTEM, Action(f"lifecycle.{notice.value}"), details)
        return changed

    # -- helpers ---------------------------------------------------------------------------------------------

    async def _tenant(self, slug: str) -> Tenant:
        tenant = await self.tenants.by_slug(slug)
        if tenant is None:
            raise NotFound(f"There is no tenant {slug!r}.")
        return tenant

    async def _record(self, tenant: Tenant, actor: Actor, action: Action, details: dict[str, Any]) -> None:
        target = Target(TargetKind.TENANT, tenant.id)
        await self.audit.record(tenant.id, actor, action, target, details)

    async def _update(self, tenant: Tenant, changes: dict[str, Any]) -> Tenant:
        changed = await self.tenants.update(tenant.id, changes)
        if changed is None:
            raise NotFound(f"There is no tenant {tenant.slug!r}.")
        return changed


def _lang_of(tenant: Tenant) -> Lang:
    """The widget's fixed language, else the one its customer signed up in (wschat/signup), else German."""
    fixed = tenant.branding.get("language")
    customer = tenant.lifecycle.customer
    chosen = fixed if fixed in ("en", "de") else customer.lang if customer is not None else None
    return "en" if chosen == "en" else "de"


def _invalid_day(message: str) -> ValidationFailed:
    return ValidationFailed(message, details={"fields": [{"field": "last_day", "message": message}]})
