"""What happens to a booked appointment: the visitor cancels it through the mail's link, an agent or admin
cancels it in the console, its reminder goes out, an agent offers a type in a chat, the console lists
what is coming.

Cancelling is one claimed change (``AppointmentStore.cancel``): of two that race, one cancels and sends
the ``METHOD:CANCEL`` mails, the other finds it cancelled and changes nothing. The reminders are one
housekeeping step under a lease, each reminder claimed once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from wschat.accounts.models import Principal, Tenant
from wschat.accounts.store import TenantStore
from wschat.appointments.hours import day_start, zone_of
from wschat.appointments.models import Appointment, Status, UpcomingQuery
from wschat.appointments.notices import OFFERED, Notices
from wschat.appointments.setup import AppointmentSetup
from wschat.appointments.tokens import EXPIRED, MANAGE, AppointmentLinks
from wschat.chat.lease_store import LeaseStore
from wschat.chat.models import Conversation
from wschat.clock import Clock
from wschat.errors import Conflict, Forbidden, LinkExpired, NotFound

log = logging.getLogger(__name__)

LEASE = "appointment reminders"
LEASE_TIME = timedelta(minutes=2)
REMINDERS_PER_RUN = 100
#: How old a pending claim is before the repair takes its booking or change for interrupted.
REPAIR_AFTER = timedelta(minutes=10)
REPAIRS_PER_RUN = 500


def offered_key(type_id: str) -> str:
    """The key of the system message that first offered ``type_id`` in a chat."""
    return f"offer:{type_id}"


class Changes:
    def __init__(
        self,
        setup: AppointmentSetup,
        tenants: TenantStore,
        leases: LeaseStore,
        notices: Notices,
        links: AppointmentLinks,
        clock: Clock,
        *,
        holder: str,
    ) -> None:
        self.setup = setup
        self.store = setup.store
        self.tenants = tenants
        self.leases = leases
        self.notices = notices
        self.links = links
        self.clock = clock
        self.holder = holder

    async def by_link(self, token: str, action: str = MANAGE) -> tuple[Tenant, Appointment]:
        """The appointment a link made for ``action`` names, until the appointment's *current* end (a link
        of a moved appointment still works, until its new end). Raises LINK_INVALID, LINK_EXPIRED,
        NOT_FOUND (deleted)."""
        grant = self.links.verify(token, action)
        now = self.clock()
        tenant = await self.tenants.by_id(grant.tenant_id)
        doc = await self.store.appointment(grant.tenant_id, grant.appointment_id)
        if tenant is None or doc is None:
            if now >= grant.expires_at:
                raise LinkExpired(EXPIRED)
            raise NotFound("This appointment does not exist (any more).")
        appointment = Appointment.from_doc(doc)
        if now >= appointment.ends_at:
            raise LinkExpired(EXPIRED)
        return tenant, appointment

    async def cancel_by_link(self, token: str) -> Appointment:
        """Raises as :meth:`by_link`, CONFLICT (cancelled already)."""
        tenant, appointment = await self.by_link(token)
        return await self._cancel(tenant, appointment, "visitor")

    async def cancel_by_agent(self, principal: Principal, appointment_id: str) -> Appointment:
        """An agent cancels their own appointment, an admin any. Raises NOT_FOUND, FORBIDDEN, CONFLICT."""
        doc = await self.store.appointment(principal.tenant.id, appointment_id)
        if doc is None:
            raise NotFound("There is no such appointment.")
        appointment = Appointment.from_doc(doc)
        if appointment.agent_id != principal.user.id and not principal.is_admin:
            raise Forbidden("Only its agent or an admin may cancel this appointment.")
        cancelled = await self._cancel(principal.tenant, appointment, "agent")
        if self.setup.audit:
            await self.setup.audit.cancelled(principal, cancelled)
        return cancelled

    async def _cancel(self, tenant: Tenant, appointment: Appointment, by: str) -> Appointment:
        if appointment.status is not Status.BOOKED:
            raise Conflict("This appointment is cancelled already.")
        changes = {"cancelled_at": self.clock(), "cancelled_by": by}
        doc = await self.store.cancel(tenant.id, appointment.id, appointment.sequence, changes)
        if doc is None:
            raise Conflict("This appointment was changed meanwhile; it is cancelled already.")
        cancelled = Appointment.from_doc(doc)
        log.info("appointment %s of tenant %s cancelled by the %s", cancelled.id, tenant.id, by)
        await self.notices.cancelled(tenant, cancelled)
        return cancelled

    async def upcoming(self, principal: Principal, query: UpcomingQuery) -> list[Appointment]:
        """Booked appointments of today or the next seven days (the tenant's zone) not over yet: an agent's
        own, an admin's choice of one agent or everyone. Raises FORBIDDEN (an agent asking for another)."""
        agent_id = query.agent_id
        if not principal.is_admin:
            if agent_id not in (None, principal.user.id):
                raise Forbidden("An agent sees their own appointments.")
            agent_id = principal.user.id
        zone = zone_of((await self.setup.settings(principal.tenant.id)).time_zone)
        now = self.clock()
        today = now.astimezone(zone).date()
        until = day_start(today + timedelta(days=1 if query.range == "today" else 7), zone)
        # Started up to a day ago: a meeting under way is still listed until it ends.
        docs = await self.store.between(principal.tenant.id, now - timedelta(days=1), until, agent_id)
        found = [Appointment.from_doc(doc) for doc in docs]
        return [a for a in found if a.status is Status.BOOKED and a.ends_at > now]

    async def offer(self, principal: Principal, conversation: Conversation, type_id: str) -> None:
        """Offer a type in a chat the agent holds: a system message the widget shows as a booking card.
        Raises NOT_FOUND (the type)."""
        kind = await self.setup.type_of(principal.tenant.id, type_id)
        data = {
            "type_id": kind.id,
            "name": dict(kind.name),
            "duration": kind.duration,
            "kind": kind.kind.value,
        }
        text = f"{principal.user.display_name} offers an appointment: {kind.name['en']}."
        # The first offer of a type in a chat has a key of its own: a booking looks it up (offered_key).
        key = offered_key(kind.id)
        if await self.notices.messages.store.by_client_id(
            conversation.tenant_id, conversation.id, f"sys:{key}"
        ):
            key = f"{key}:{int(self.clock().timestamp() * 1000)}"  # offered again: another card
        await self.notices.messages.system(conversation, text, event=OFFERED, data=data, key=key)

    async def repair(self, now: datetime) -> int:
        """Claims a process left pending when it died inside a booking or change (MongoDB), set right once
        whatever was under way then is surely over. Nothing pending is one read through its index; two
        processes repairing at once do the same deletes twice, harmlessly."""
        repaired = await self.store.repair(now - REPAIR_AFTER, REPAIRS_PER_RUN)
        if repaired:
            log.warning("appointments: %d claims of an interrupted booking or change set right", repaired)
        return repaired

    async def send_reminders(self) -> int:
        """Send the reminders that are due, by whichever process holds the lease; returns how many."""
        now = self.clock()
        await self.repair(now)
        # Nothing due is the common case: one read through the reminders' index, no lease taken.
        if not await self.store.due_reminders(now, 1):
            return 0
        if not await self.leases.acquire(LEASE, self.holder, now, now + LEASE_TIME):
            return 0
        sent = 0
        try:
            for doc in await self.store.due_reminders(now, REMINDERS_PER_RUN):
                appointment = Appointment.from_doc(doc)
                tenant = await self.tenants.by_id(appointment.tenant_id)
                if tenant is None or not await self.store.reminded(tenant.id, appointment.id):
                    continue
                await self.notices.reminder(tenant, appointment)
                sent += 1
        finally:
            await self.leases.release(LEASE, self.holder)
        return sent
