"""Booking: the free slots a visitor sees, and a booking of one of them.

A booking is checked against the slots offered at that moment (computed as the visitor saw them: past,
too soon, beyond the horizon, outside the hours, of another length are SLOT_NOT_OFFERED), then stored with
its claims; if every free agent's time was taken meanwhile it is SLOT_TAKEN. Only then are the mails
queued and the chat told: a refused booking stores and sends nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from wschat.accounts.models import Tenant
from wschat.accounts.store import TenantStore
from wschat.appointments.hours import AgentHours, day_start, zone_of
from wschat.appointments.models import (
    REMINDER_BEFORE,
    Appointment,
    AppointmentType,
    BookingBody,
    Kind,
    SlotsQuery,
    hours_of,
)
from wschat.appointments.notices import Notices
from wschat.appointments.payloads import DayWire, OfferedTypeWire, SlotsAck, SlotWire
from wschat.appointments.setup import AppointmentSetup
from wschat.appointments.slots import Slot, by_day, cells, free_slots
from wschat.appointments.store import AppointmentStore, Taken
from wschat.chat.models import Conversation
from wschat.clock import Clock, new_id
from wschat.errors import Forbidden, NotFound, SlotNotOffered, SlotTaken
from wschat.visitors.store import VisitorStore

log = logging.getLogger(__name__)


class Bookings:
    def __init__(
        self,
        store: AppointmentStore,
        setup: AppointmentSetup,
        tenants: TenantStore,
        notices: Notices,
        clock: Clock,
        visitors: VisitorStore | None = None,
    ) -> None:
        #: Who booked is kept as a visitor who engaged (never deleted as idle): their appointment's links,
        #: export and erasure find them.
        self.visitors = visitors
        self.store = store
        self.setup = setup
        self.tenants = tenants
        self.notices = notices
        self.clock = clock

    async def offered(
        self,
        kind: AppointmentType,
        zone: ZoneInfo,
        since: datetime,
        until: datetime,
        moving: Appointment | None = None,
    ) -> list[Slot]:
        """The type's free slots starting in ``[since, until)``, now; the time of ``moving`` (an appointment
        being moved) counts as free."""
        hours = await self._hours(kind)
        rules = kind.rules
        taken = await self.store.taken(
            kind.tenant_id,
            kind.agent_ids,
            # A start in [since, until) blocks [start - buffer before, start + duration + buffer after).
            since - rules.buffer_before,
            until + rules.duration + rules.buffer_after,
        )
        if moving is not None and moving.agent_id in taken:
            own = set(cells(moving.blocked_from, moving.blocked_until))
            taken[moving.agent_id] = [cell for cell in taken[moving.agent_id] if cell not in own]
        return free_slots(rules, zone, hours, taken, self.clock(), since, until)

    async def slots(self, tenant_id: str, query: SlotsQuery, moving: Appointment | None = None) -> SlotsAck:
        """The free slots on the visitor's dates ``from`` … ``from + days``, grouped by their date in the
        visitor's zone; for ``moving``, its type's, its own time counting as free. Raises NOT_FOUND (the
        type), FORBIDDEN (no call back offered)."""
        if moving is not None:
            kind = await self.setup.type_of(tenant_id, moving.type_id)
        elif query.type_id is None:
            kind = await self.callback_type(tenant_id)
        else:
            kind = await self.setup.type_of(tenant_id, query.type_id)
        settings = await self.setup.settings(tenant_id)
        visitor_zone = zone_of(query.time_zone)
        first = query.from_date or self.clock().astimezone(visitor_zone).date()
        since = day_start(first, visitor_zone)
        until = day_start(first + timedelta(days=query.days), visitor_zone)
        slots = await self.offered(kind, zone_of(settings.time_zone), since, until, moving)
        offered: OfferedTypeWire = {
            "id": kind.id,
            "name": dict(kind.name),
            "duration": kind.duration,
            "kind": kind.kind.value,
        }
        days: list[DayWire] = [
            {"date": day.isoformat(), "slots": [_slot(slot) for slot in found]}
            for day, found in by_day(slots, visitor_zone)
        ]
        next_from = (first + timedelta(days=query.days)).isoformat()
        return {"type": offered, "time_zone": query.time_zone, "days": days, "next": next_from}

    async def book(
        self, tenant: Tenant, body: BookingBody, *, visitor_id: str | None, conversation: Conversation | None
    ) -> Appointment:
        """Book an offered slot. Raises NOT_FOUND (the type), SLOT_NOT_OFFERED, SLOT_TAKEN."""
        kind = await self.setup.type_of(tenant.id, body.type_id)
        start, end = body.start, body.end
        if start.tzinfo is None or end.tzinfo is None:
            raise SlotNotOffered("A slot's start and end must carry their offset (as offered).")
        settings = await self.setup.settings(tenant.id)
        offered = await self.offered(kind, zone_of(settings.time_zone), start, start + timedelta(seconds=1))
        slot = next((s for s in offered if s.start == start), None)
        if slot is None or slot.end != end:
            if slot is None and await self.taken_now(kind, start, settings.time_zone):
                raise SlotTaken()
            raise SlotNotOffered()
        for agent_id in slot.agents:
            appointment = self._appointment(
                tenant, kind, body, agent_id, visitor_id, conversation, settings.reminder
            )
            try:
                await self.store.book(
                    appointment.to_doc(), cells(appointment.blocked_from, appointment.blocked_until)
                )
            except Taken:
                continue
            log.info("appointment %s of tenant %s booked", appointment.id, tenant.id)
            await self.notices.booked(tenant, appointment, conversation)
            return appointment
        raise SlotTaken()

    async def taken_now(self, kind: AppointmentType, start: datetime, zone: str) -> bool:
        """Whether ``start`` would be offered but for other bookings (so: someone was quicker)."""
        hours = await self._hours(kind)
        found = free_slots(
            kind.rules, zone_of(zone), hours, {}, self.clock(), start, start + timedelta(seconds=1)
        )
        return bool(found)

    async def _hours(self, kind: AppointmentType) -> list[AgentHours]:
        """The hours of the type's agents who can take it: a deleted or disabled agent takes none."""
        found = []
        for doc in await self.store.hours(kind.tenant_id, kind.agent_ids):
            user = await self.setup.users.by_id(kind.tenant_id, doc["agent_id"])
            if user is not None and not user.disabled:
                found.append(hours_of(doc, doc["agent_id"]))
        return sorted(found, key=lambda h: kind.agent_ids.index(h.agent_id))

    def _appointment(
        self,
        tenant: Tenant,
        kind: AppointmentType,
        body: BookingBody,
        agent_id: str,
        visitor_id: str | None,
        conversation: Conversation | None,
        reminder: bool,
    ) -> Appointment:
        blocked = kind.rules.blocked(body.start)
        now = self.clock()
        remind_at = body.start - REMINDER_BEFORE
        return Appointment(
            id=new_id("apm"),
            tenant_id=tenant.id,
            type_id=kind.id,
            title=dict(kind.name),
            kind=kind.kind,
            agent_id=agent_id,
            starts_at=body.start,
            ends_at=body.end,
            blocked_from=blocked[0],
            blocked_until=blocked[1],
            name=body.name,
            email=body.email,
            lang=body.lang,
            time_zone=body.time_zone,
            created_at=now,
            location=kind.address if kind.kind is Kind.ON_SITE else "",
            phone=body.phone,
            visitor_id=visitor_id,
            conversation_id=conversation.id if conversation else None,
            remind_at=remind_at if reminder and remind_at > now else None,
        )

    async def book_as_visitor(
        self, visitor_tenant: str, visitor_id: str, body: BookingBody, conversation: Conversation | None
    ) -> Appointment:
        """A visitor's booking: in a chat of theirs, or (no chat) the call back while nobody is online.
        Raises FORBIDDEN (call back off, or another type than the call back's), and as :meth:`book`."""
        tenant = await self.tenants.by_id(visitor_tenant)
        if tenant is None:
            raise NotFound("There is no such appointment type.")
        if conversation is None and (await self.callback_type(tenant.id)).id != body.type_id:
            raise Forbidden("Without a chat only the call back can be booked.")
        await self.setup.type_of(tenant.id, body.type_id)  # an unknown type is NOT_FOUND, first
        if conversation is not None and not await self._offered_in(conversation, body.type_id):
            raise Forbidden("In a chat only an appointment offered in it can be booked.")
        appointment = await self.book(tenant, body, visitor_id=visitor_id, conversation=conversation)
        if self.visitors is not None:
            await self.visitors.mark_engaged(tenant.id, visitor_id)
        return appointment

    async def _offered_in(self, conversation: Conversation, type_id: str) -> bool:
        """Whether an agent offered ``type_id`` in the chat (its first offer's system message)."""
        store = self.notices.messages.store
        key = f"sys:offer:{type_id}"
        return await store.by_client_id(conversation.tenant_id, conversation.id, key) is not None

    async def callback_type(self, tenant_id: str) -> AppointmentType:
        """The type a visitor books while nobody is online. Raises FORBIDDEN (switched off), NOT_FOUND."""
        settings = await self.setup.settings(tenant_id)
        if not settings.callback_offline:
            raise Forbidden("Booking a call back is not offered here.")
        if settings.callback_type_id is not None:
            return await self.setup.type_of(tenant_id, settings.callback_type_id)
        types = await self.setup.types(tenant_id)
        if not types:
            raise NotFound("There is no appointment type to book.")
        return types[0]


def _slot(slot: Slot) -> SlotWire:
    return {"start": slot.start.isoformat(), "end": slot.end.isoformat()}
