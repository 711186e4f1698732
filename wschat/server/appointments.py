"""The wiring of appointments (wschat/appointments): set-up, booking, changes and what they notify."""

from __future__ import annotations

from dataclasses import dataclass

from wschat.appointments.audit import AppointmentAudit
from wschat.appointments.booking import Bookings
from wschat.appointments.changes import Changes
from wschat.appointments.joining import Joins
from wschat.appointments.moving import Moves
from wschat.appointments.notices import Notices
from wschat.appointments.setup import AppointmentSetup
from wschat.appointments.tokens import AppointmentLinks
from wschat.audit.service import AuditService
from wschat.boundary.domain_events import DomainEvents
from wschat.chat.conversations import ChatService
from wschat.chat.messages import MessageService
from wschat.clock import Clock
from wschat.config import Settings
from wschat.mail.service import MailService
from wschat.server.subscriptions import subscribe_appointments
from wschat.storage import Stores


@dataclass(frozen=True)
class Appointments:
    setup: AppointmentSetup
    bookings: Bookings
    changes: Changes
    joins: Joins
    moves: Moves

    def services(self) -> tuple[object, ...]:
        """The services handlers ask for by type."""
        return (self.setup, self.bookings, self.changes, self.joins, self.moves)


def appointment_services(
    settings: Settings,
    stores: Stores,
    messages: MessageService,
    mail: MailService,
    clock: Clock,
    *,
    holder: str,
    events: DomainEvents,
    chat: ChatService,
    audit: AuditService,
) -> Appointments:
    links = AppointmentLinks(settings.secret_key.reveal().encode())
    setup = AppointmentSetup(stores.appointments, stores.users, clock, AppointmentAudit(audit))
    notices = Notices(
        setup,
        stores.conversations,
        messages,
        mail,
        links,
        clock,
        public_url=settings.server.public_url,
        tenants=stores.tenants,
        events=events,
    )
    subscribe_appointments(events, notices)
    bookings = Bookings(stores.appointments, setup, stores.tenants, notices, clock, stores.visitors)
    changes = Changes(setup, stores.tenants, stores.leases, notices, links, clock, holder=holder)
    return Appointments(
        setup,
        bookings,
        changes,
        Joins(changes, chat, stores.visitors, stores.users, clock),
        Moves(bookings, changes, notices, clock),
    )
