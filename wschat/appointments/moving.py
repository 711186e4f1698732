"""Moving a booked appointment to another free slot of its type: by the visitor through the manage link, or
by its agent or an admin in the console.

The new time must be offered now (the appointment's own time counting as free); its cells are claimed
before the old ones are released (``AppointmentStore.move``), so a slot taken meanwhile is SLOT_TAKEN and
nothing changes. The agent stays the same when they are free then, else the next of the type's agents who
is. Both sides get a ``METHOD:REQUEST`` for the same ``UID`` with ``SEQUENCE`` + 1 (RFC 5546 rescheduling),
the chat gets a system message, and the reminder is armed for the new time. The links of the mails stay
valid: they are checked against the appointment's current end.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from pydantic import ConfigDict

from wschat.accounts.models import Principal, Tenant
from wschat.appointments.booking import Bookings
from wschat.appointments.changes import Changes
from wschat.appointments.hours import zone_of
from wschat.appointments.models import REMINDER_BEFORE, Appointment, AppointmentType, SlotsQuery, Status
from wschat.appointments.notices import Notices
from wschat.appointments.payloads import SlotsAck
from wschat.appointments.slots import cells
from wschat.appointments.store import Taken
from wschat.clock import Clock
from wschat.errors import Conflict, Forbidden, NotFound, SlotNotOffered, SlotTaken
from wschat.records import Document
from wschat.wire import WireModel


class MoveBody(WireModel):
    """``POST /api/appointments/{id}/move`` and the manage page's form: one offered slot."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    start: datetime
    end: datetime


log = logging.getLogger(__name__)
_SAME = "This is the appointment's time already. Please pick another."


class Moves:
    def __init__(self, bookings: Bookings, changes: Changes, notices: Notices, clock: Clock) -> None:
        self.bookings = bookings
        self.changes = changes
        self.store = changes.store
        self.notices = notices
        self.clock = clock

    async def slots(self, tenant_id: str, appointment: Appointment, query: SlotsQuery) -> SlotsAck:
        """The free slots ``appointment`` can move to, as :meth:`Bookings.slots` (its own time free)."""
        return await self.bookings.slots(tenant_id, query, moving=appointment)

    async def by_link(self, token: str, body: MoveBody) -> Appointment:
        """The visitor moves it through the manage link. Raises as :meth:`Changes.by_link`, :meth:`_move`."""
        tenant, appointment = await self.changes.by_link(token)
        return await self._move(tenant, appointment, body, "visitor")

    async def of_agent(self, principal: Principal, appointment_id: str) -> Appointment:
        """An agent's own appointment, any for an admin. Raises NOT_FOUND, FORBIDDEN."""
        doc = await self.store.appointment(principal.tenant.id, appointment_id)
        if doc is None:
            raise NotFound("There is no such appointment.")
        appointment = Appointment.from_doc(doc)
        if appointment.agent_id != principal.user.id and not principal.is_admin:
            raise Forbidden("Only its agent or an admin may change this appointment.")
        return appointment

    async def by_agent(self, principal: Principal, appointment_id: str, body: MoveBody) -> Appointment:
        """Raises as :meth:`of_agent` and :meth:`_move`."""
        appointment = await self.of_agent(principal, appointment_id)
        moved = await self._move(principal.tenant, appointment, body, "agent")
        if self.bookings.setup.audit:
            await self.bookings.setup.audit.moved(principal, appointment, moved)
        return moved

    async def _move(self, tenant: Tenant, appointment: Appointment, body: MoveBody, by: str) -> Appointment:
        """Raises CONFLICT (cancelled, over, changed meanwhile), NOT_FOUND (its type was deleted),
        SLOT_NOT_OFFERED, SLOT_TAKEN."""
        if appointment.status is not Status.BOOKED:
            raise Conflict("This appointment is cancelled: it cannot be moved.")
        if appointment.ends_at <= self.clock():
            raise Conflict("This appointment is over.")
        start, end = body.start, body.end
        if start.tzinfo is None or end.tzinfo is None:
            raise SlotNotOffered("A slot's start and end must carry their offset (as offered).")
        if start == appointment.starts_at:
            raise SlotNotOffered(_SAME)
        kind = await self._type(tenant, appointment)
        settings = await self.bookings.setup.settings(tenant.id)
        offered = await self.bookings.offered(
            kind, zone_of(settings.time_zone), start, start + timedelta(seconds=1), appointment
        )
        slot = next((s for s in offered if s.start == start), None)
        if slot is None or slot.end != end:
            if slot is None and await self.bookings.taken_now(kind, start, settings.time_zone):
                raise SlotTaken()
            raise SlotNotOffered()
        # The same agent if they are free then, else the next one of the type's who is.
        for agent_id in sorted(slot.agents, key=lambda agent: agent != appointment.agent_id):
            changes = self._changes(kind, agent_id, start, end, settings.reminder)
            try:
                doc = await self.store.move(
                    appointment.to_doc(), changes, cells(changes["blocked_from"], changes["blocked_until"])
                )
            except Taken:
                continue
            if doc is None:
                raise Conflict("This appointment was changed meanwhile. Please reload and try again.")
            moved = Appointment.from_doc(doc)
            log.info("appointment %s of tenant %s moved by the %s", moved.id, tenant.id, by)
            await self.notices.moved(tenant, appointment, moved)
            return moved
        raise SlotTaken()

    async def _type(self, tenant: Tenant, appointment: Appointment) -> AppointmentType:
        try:
            return await self.bookings.setup.type_of(tenant.id, appointment.type_id)
        except NotFound:
            raise NotFound(
                "This kind of appointment is not offered any more: it cannot be moved, only cancelled."
            ) from None

    def _changes(
        self, kind: AppointmentType, agent_id: str, start: datetime, end: datetime, reminder: bool
    ) -> Document:
        blocked = kind.rules.blocked(start)
        remind_at = start - REMINDER_BEFORE
        changes: dict[str, Any] = {
            "agent_id": agent_id,
            "starts_at": start,
            "ends_at": end,
            "blocked_from": blocked[0],
            "blocked_until": blocked[1],
            "remind_at": remind_at if reminder and remind_at > self.clock() else None,
        }
        return changes
