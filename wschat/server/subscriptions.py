"""Who follows what: every subscriber of every domain event (wschat.boundary.domain_events), in the order
they run, in one place."""

from __future__ import annotations

from wschat.accounts.models import TenantSettingsChanged, UserDeleted
from wschat.agent_data.forgetting import FormerAgents
from wschat.appointments.models import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentMoved,
    AppointmentsWithdrawn,
)
from wschat.appointments.notices import Notices
from wschat.audit.models import Action, Actor, ActorKind, Target, TargetKind
from wschat.audit.service import AuditService
from wschat.boundary.domain_events import DomainEvents
from wschat.canned.service import CannedReplyService
from wschat.chat.models import ChatClosed, ChatHandedOver, OfflineMessageLeft
from wschat.chat.routing import RoutingService
from wschat.media.service import PhotoService
from wschat.reports.counting import Counting
from wschat.signalling.service import CallService
from wschat.visitors.models import ContactSubmitted, PageOpened
from wschat.webhooks.feed import WebhookFeed


def subscribe(
    events: DomainEvents,
    routing: RoutingService,
    calls: CallService,
    photos: PhotoService,
    canned: CannedReplyService,
    audit: AuditService,
    former_agents: FormerAgents,
    reports: Counting,
) -> None:
    """Who follows what: every subscriber of every domain event, in the order they run."""

    async def end_calls_of_closed_chat(event: ChatClosed) -> None:
        await calls.conversation_closed(event.conversation)

    async def end_calls_of_handed_over_chat(event: ChatHandedOver) -> None:
        await calls.conversation_handed_over(event.conversation)

    async def route_waiting_chats(event: TenantSettingsChanged) -> None:
        if event.tenant.settings.auto_assign:  # chats already waiting get their agents now
            await routing.route_queue(event.tenant.id)

    async def forget_photos_of_deleted_user(event: UserDeleted) -> None:
        await photos.forget_owner(event.tenant_id, event.user_id)  # a photo is personal data

    events.subscribe(ChatClosed, end_calls_of_closed_chat)
    events.subscribe(ChatHandedOver, end_calls_of_handed_over_chat)
    events.subscribe(TenantSettingsChanged, route_waiting_chats)

    async def forget_replies_of_deleted_user(event: UserDeleted) -> None:
        await canned.forget_owner(event.tenant_id, event.user_id)  # their own replies go with them

    async def record_deleted_user(event: UserDeleted) -> None:
        # Never the deleted user's name: it goes with them; the log keeps their id and role.
        admin = Actor(ActorKind.ADMIN, event.by_id, event.by_name)
        target = Target(TargetKind.USER, event.user_id)
        await audit.record(event.tenant_id, admin, Action.AGENT_DELETED, target, {"role": event.role})

    events.subscribe(UserDeleted, forget_photos_of_deleted_user)
    events.subscribe(UserDeleted, forget_replies_of_deleted_user)

    async def unname_deleted_user(event: UserDeleted) -> None:
        await former_agents.agent_deleted(event.tenant_id, event.user_id)  # their messages stay, unnamed

    events.subscribe(UserDeleted, record_deleted_user)
    events.subscribe(UserDeleted, unname_deleted_user)

    async def count_closed_chat(event: ChatClosed) -> None:
        await reports.chat_closed(event.conversation)  # after its calls ended: they count too

    async def count_offline_message(event: OfflineMessageLeft) -> None:
        await reports.chat_closed(event.conversation)

    async def count_visitor(event: PageOpened) -> None:
        await reports.page_opened(event.tenant_id, event.visitor_id, event.at, event.previous)

    events.subscribe(ChatClosed, count_closed_chat)
    events.subscribe(OfflineMessageLeft, count_offline_message)
    events.subscribe(PageOpened, count_visitor)


def subscribe_webhooks(events: DomainEvents, feed: WebhookFeed) -> None:
    """What goes to the tenants' CRMs (wschat/webhooks), after the subscribers above: each queues a
    delivery, stored before the publisher's call returns."""
    events.subscribe(ChatClosed, feed.chat_closed)
    events.subscribe(OfflineMessageLeft, feed.offline_message_left)
    events.subscribe(ContactSubmitted, feed.contact_submitted)
    events.subscribe(AppointmentBooked, feed.appointment_booked)
    events.subscribe(AppointmentCancelled, feed.appointment_cancelled)
    events.subscribe(AppointmentMoved, feed.appointment_moved)


def subscribe_appointments(events: DomainEvents, notices: Notices) -> None:
    """What the agents' calendars learn of besides bookings (wschat/appointments): an erasure's
    withdrawn appointments, each a cancellation to its agent."""
    events.subscribe(AppointmentsWithdrawn, notices.withdrawn)
