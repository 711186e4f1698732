"""What follows a booking, a cancellation or a reminder once it is stored: the mails (through the outbox,
with the ``.ics``) and the system message in the chat the appointment came from.

A mail that cannot be queued (no mail server for the tenant) is logged, never undoes the booking: the
appointment stands, the chat shows it, the console lists it.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from wschat.accounts.models import Tenant
from wschat.accounts.store import TenantStore
from wschat.appointments.mails import Moment, letters
from wschat.appointments.models import (
    Appointment,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentMoved,
    AppointmentsWithdrawn,
    Kind,
)
from wschat.appointments.setup import AppointmentSetup
from wschat.appointments.tokens import JOIN, AppointmentLinks
from wschat.boundary.domain_events import DomainEvents
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.messages import MessageService
from wschat.chat.models import Conversation, ConversationStatus
from wschat.clock import Clock
from wschat.errors import WsChatError
from wschat.mail.service import MailService

log = logging.getLogger(__name__)

#: Who an erased person's withdrawn appointment was with, in its agent's cancellation.
ERASED_NAME = {"en": "a person whose data was erased", "de": "eine Person, deren Daten gelöscht wurden"}
#: The system messages' events (the clients word them from ``data``; the text is the English fallback).
BOOKED = "appointment_booked"
CANCELLED = "appointment_cancelled"
MOVED = "appointment_moved"
OFFERED = "appointment_offered"


def message_data(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment_id": appointment.id,
        "title": dict(appointment.title),
        "kind": appointment.kind.value,
        "start": appointment.starts_at.isoformat(),
        "end": appointment.ends_at.isoformat(),
    }


class Notices:
    def __init__(
        self,
        setup: AppointmentSetup,
        conversations: ConversationStore,
        messages: MessageService,
        mail: MailService,
        links: AppointmentLinks,
        clock: Clock,
        *,
        public_url: str,
        tenants: TenantStore,
        events: DomainEvents | None = None,
    ) -> None:
        self.tenants = tenants
        self.setup = setup
        self.conversations = conversations
        self.messages = messages
        self.mail = mail
        self.links = links
        self.clock = clock
        self.public_url = public_url.rstrip("/")
        #: Where the others learn of bookings and cancellations (the tenants' webhooks).
        self.events = events or DomainEvents()

    def manage_link(self, appointment: Appointment) -> str:
        token = self.links.make(appointment.tenant_id, appointment.id, appointment.ends_at)
        return f"{self.public_url}/appointments/manage?token={quote(token)}"

    def join_link(self, appointment: Appointment) -> str:
        """A video appointment's call page (docs/appointments.md, *The join link*); "" for other kinds."""
        if appointment.kind is not Kind.VIDEO:
            return ""
        token = self.links.make(appointment.tenant_id, appointment.id, appointment.ends_at, JOIN)
        return f"{self.public_url}/appointments/join?token={quote(token)}"

    async def booked(
        self, tenant: Tenant, appointment: Appointment, conversation: Conversation | None
    ) -> None:
        await self._send(tenant, appointment, Moment.BOOKED)
        if conversation is not None:
            text = f"Appointment booked: {appointment.title['en']}, {appointment.starts_at.isoformat()}."
            await self.messages.system(
                conversation,
                text,
                event=BOOKED,
                data=message_data(appointment),
                key=f"{appointment.id}:booked",
            )
        await self.events.publish(AppointmentBooked(appointment))

    async def cancelled(self, tenant: Tenant, appointment: Appointment) -> None:
        await self._send(tenant, appointment, Moment.CANCELLED)
        await self.events.publish(AppointmentCancelled(appointment))
        text = f"Appointment cancelled: {appointment.title['en']}, {appointment.starts_at.isoformat()}."
        await self._in_chat(
            tenant, appointment, text, CANCELLED, message_data(appointment), f"{appointment.id}:cancelled"
        )

    async def moved(self, tenant: Tenant, before: Appointment, after: Appointment) -> None:
        await self._send(tenant, after, Moment.MOVED)
        await self.events.publish(AppointmentMoved(after, before.starts_at))
        text = f"Appointment moved: {after.title['en']}, now {after.starts_at.isoformat()}."
        data = message_data(after) | {"previous_start": before.starts_at.isoformat()}
        await self._in_chat(tenant, after, text, MOVED, data, f"{after.id}:moved:{after.sequence}")

    async def _in_chat(
        self, tenant: Tenant, appointment: Appointment, text: str, event: str, data: dict[str, Any], key: str
    ) -> None:
        """A system message in the chat the appointment was booked in, while that chat is open."""
        if appointment.conversation_id is None:
            return
        conversation = await self.conversations.get(tenant.id, appointment.conversation_id)
        if conversation is not None and conversation.status is not ConversationStatus.CLOSED:
            await self.messages.system(conversation, text, event=event, data=data, key=key)

    async def withdrawn(self, event: AppointmentsWithdrawn) -> None:
        """An erasure deleted these appointments still to come: each agent's calendar gets its
        ``METHOD:CANCEL``, naming nobody (the person's name and address went); the person gets nothing."""
        tenant = await self.tenants.by_id(event.tenant_id)
        if tenant is None:
            return
        for appointment in event.appointments:
            nobody = replace(
                appointment,
                name=ERASED_NAME[appointment.lang],
                email="",
                phone=None,
                sequence=appointment.sequence + 1,
            )
            await self._send(tenant, nobody, Moment.CANCELLED, to_visitor=False)

    async def reminder(self, tenant: Tenant, appointment: Appointment) -> None:
        await self._send(tenant, appointment, Moment.REMINDER)

    async def _send(
        self, tenant: Tenant, appointment: Appointment, moment: Moment, *, to_visitor: bool = True
    ) -> None:
        hours = await self.setup.store.hours(tenant.id, [appointment.agent_id])
        agent_email = hours[0].get("email") if hours else None
        organizer = await self.mail.sender_of(tenant) or "appointments@invalid"
        for letter in letters(
            appointment,
            moment,
            tenant_name=tenant.name,
            organizer=organizer,
            manage_link=self.manage_link(appointment),
            join_link=self.join_link(appointment),
            to_visitor=to_visitor,
            agent_email=agent_email,
            agent_zone=(await self.setup.settings(tenant.id)).time_zone,
            now=self.clock(),
        ):
            try:
                await self.mail.enqueue(
                    tenant, letter.to, letter.subject, letter.layout, letter.lang, letter.attachments
                )
            except WsChatError as e:
                log.warning(
                    "appointment %s: its %s mail was not queued (%s)",
                    appointment.id,
                    moment.value,
                    e.code.value,
                )
