"""From the domain events to queued deliveries: what each event sends (wschat.server.subscriptions lists
who follows what).

Each runs inside the publisher's call, so the delivery is stored before the visitor or agent hears that
the chat closed or the form arrived. A close whose process died before this ran is completed by
housekeeping (wschat/chat/repair.py), which publishes the event again; the event's key makes that one
delivery, not two. (An offline message's event is published once, after its message is stored; a process
that dies in between loses that one delivery.)
"""

from __future__ import annotations

import hashlib
from typing import Any

from wschat.appointments.models import Appointment, AppointmentBooked, AppointmentCancelled, AppointmentMoved
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.message_store import MessageStore
from wschat.chat.models import ChatClosed, Message, OfflineMessageLeft
from wschat.clock import Clock
from wschat.visitors.models import ContactSubmitted
from wschat.visitors.store import VisitorStore
from wschat.webhooks import payloads
from wschat.webhooks.models import WebhookEvent, utc_iso
from wschat.webhooks.service import WebhookService

#: Messages a ``conversation.closed`` carries at most (read in pages of :data:`_PAGE`), and their text at
#: most in characters: a body stays small enough to store and to send within the 5 s of a try.
MAX_TRANSCRIPT = 2000
MAX_TRANSCRIPT_CHARS = 500_000
_PAGE = 500


class WebhookFeed:
    def __init__(
        self,
        webhooks: WebhookService,
        visitors: VisitorStore,
        conversations: ConversationStore,
        messages: MessageStore,
        clock: Clock,
    ) -> None:
        self._webhooks = webhooks
        self._visitors = visitors
        self._conversations = conversations
        self._messages = messages
        self._clock = clock

    async def chat_closed(self, event: ChatClosed) -> None:
        conversation = event.conversation
        tenant_id = conversation.tenant_id
        if not await self._webhooks.wanted(tenant_id, WebhookEvent.CONVERSATION_CLOSED):
            return  # no transcript read for nobody
        visitor = await self._visitors.by_id(tenant_id, conversation.visitor_id)
        messages, complete = await self._transcript(tenant_id, conversation.id)
        data = payloads.conversation_closed(conversation, visitor, messages, complete=complete)
        await self._webhooks.enqueue(
            tenant_id,
            WebhookEvent.CONVERSATION_CLOSED,
            data,
            key=f"{conversation.id}:{conversation.epoch}",
            visitor_id=conversation.visitor_id,
        )

    async def offline_message_left(self, event: OfflineMessageLeft) -> None:
        conversation = event.conversation
        tenant_id = conversation.tenant_id
        if not await self._webhooks.wanted(tenant_id, WebhookEvent.OFFLINE_MESSAGE_CREATED):
            return
        visitor = await self._visitors.by_id(tenant_id, conversation.visitor_id)
        # The visitor's message is the item's first (it is stored before the event is published).
        first = await self._messages.after(tenant_id, conversation.id, 0, 1, agents=False)
        text = first[0].text if first else ""
        await self._webhooks.enqueue(
            tenant_id,
            WebhookEvent.OFFLINE_MESSAGE_CREATED,
            payloads.offline_message(conversation, visitor, text),
            key=conversation.id,
            visitor_id=conversation.visitor_id,
        )

    async def appointment_booked(self, event: AppointmentBooked) -> None:
        await self._appointment(WebhookEvent.APPOINTMENT_BOOKED, event.appointment)

    async def appointment_cancelled(self, event: AppointmentCancelled) -> None:
        await self._appointment(WebhookEvent.APPOINTMENT_CANCELLED, event.appointment)

    async def appointment_moved(self, event: AppointmentMoved) -> None:
        # Once per move: its sequence tells the moves of one appointment apart.
        extra = {"previous_start": utc_iso(event.previous_start)}
        key = f"{event.appointment.id}#{event.appointment.sequence}"
        await self._appointment(WebhookEvent.APPOINTMENT_MOVED, event.appointment, extra, key)

    async def _appointment(
        self, kind: WebhookEvent, appointment: Appointment, extra: dict[str, Any] | None = None, key: str = ""
    ) -> None:
        tenant_id = appointment.tenant_id
        if not await self._webhooks.wanted(tenant_id, kind):
            return
        await self._webhooks.enqueue(
            tenant_id,
            kind,
            payloads.appointment(appointment) | (extra or {}),
            key=key or appointment.id,
            visitor_id=appointment.visitor_id,
        )

    async def contact_submitted(self, event: ContactSubmitted) -> None:
        visitor = event.visitor
        conversation_id = event.conversation_id
        if conversation_id is not None:  # named by the widget: only the visitor's own is passed on
            conversation = await self._conversations.get(visitor.tenant_id, conversation_id)
            if conversation is None or conversation.visitor_id != visitor.id:
                conversation_id = None
        contact = "\n".join(f"{k}={v}" for k, v in sorted(visitor.contact.items()))
        # The same data sent again (a resent form) is one delivery; changed data is a new one.
        key = hashlib.sha256(f"{visitor.id}\n{conversation_id}\n{contact}".encode()).hexdigest()
        await self._webhooks.enqueue(
            visitor.tenant_id,
            WebhookEvent.CONTACT_SUBMITTED,
            payloads.contact_submitted(visitor, conversation_id, self._clock()),
            key=key,
            visitor_id=visitor.id,
        )

    async def _transcript(self, tenant_id: str, conversation_id: str) -> tuple[list[Message], bool]:
        """The visible messages, oldest first, and whether they are all (else the first that fit)."""
        found: list[Message] = []
        chars, after = 0, 0
        while True:
            page = await self._messages.after(tenant_id, conversation_id, after, _PAGE, agents=False)
            for message in page:
                chars += len(message.text)
                if len(found) == MAX_TRANSCRIPT or chars > MAX_TRANSCRIPT_CHARS:
                    return found, False
                found.append(message)
            if len(page) < _PAGE:
                return found, True
            after = page[-1].seq
