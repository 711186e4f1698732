"""The day of a video appointment: the visitor opens the join link of their mail, the agent starts the call
from the console's list.

The join link (a token for the action ``join``) opens wsChat's call page from ``JOIN_EARLY`` before the
start until the end; before that the page says when to come back. The page runs the widget, which connects
as the appointment's visitor with the token instead of a visitor session (checked again at every connect:
a stale, changed or other action's token never gets a socket), and is then in a conversation with the
appointment's agent. That conversation is claimed for the agent directly, under the tenant's assignment
lock, never through the queue: the visitor's open chat if it is with that agent or still waiting, else a
new one. The agent's *Start video call* opens the same conversation (whether or not the visitor is there
yet) and starts the call in it, as any call: Jitsi when the tenant has it, else peer to peer.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from wschat.accounts.models import Principal, Tenant
from wschat.accounts.store import UserStore
from wschat.appointments.changes import Changes
from wschat.appointments.models import Appointment, Kind, Status
from wschat.appointments.tokens import JOIN
from wschat.chat.conversation_store import Superseded
from wschat.chat.conversations import ChatService
from wschat.chat.models import Conversation, ConversationStatus
from wschat.clock import Clock, new_id
from wschat.errors import AgentUnavailable, Conflict, Forbidden, LinkInvalid, NotFound, TooEarly
from wschat.visitors.models import Visitor
from wschat.visitors.store import VisitorStore

log = logging.getLogger(__name__)


#: How long before its start the call page of an appointment opens.
JOIN_EARLY = timedelta(minutes=10)
_NOT_VIDEO = "This link is for a video appointment only."


class Joins:
    def __init__(
        self,
        changes: Changes,
        chat: ChatService,
        visitors: VisitorStore,
        users: UserStore,
        clock: Clock,
    ) -> None:
        self.changes = changes
        self.chat = chat
        self.visitors = visitors
        self.users = users
        self.clock = clock

    async def check(self, token: str) -> tuple[Tenant, Appointment]:
        """The appointment a join link names, while its call page is open. Raises LINK_INVALID (changed,
        another action, not a video appointment), LINK_EXPIRED (over), NOT_FOUND (deleted), CONFLICT
        (cancelled), TOO_EARLY (more than ``JOIN_EARLY`` before the start; the message says when)."""
        tenant, appointment = await self.changes.by_link(token, JOIN)
        if appointment.kind is not Kind.VIDEO:
            raise LinkInvalid(_NOT_VIDEO)
        if appointment.status is not Status.BOOKED:
            raise Conflict("This appointment was cancelled.")
        if self.clock() < appointment.starts_at - JOIN_EARLY:
            raise TooEarly(
                f"The call opens {JOIN_EARLY.seconds // 60} minutes before the appointment, "
                f"at {(appointment.starts_at - JOIN_EARLY).isoformat()}. Please come back then."
            )
        return tenant, appointment

    async def enter(self, tenant: Tenant, token: str) -> Visitor:
        """The visitor a join link lets in on ``tenant``'s socket, in a conversation with the appointment's
        agent (unless they are chatting with a colleague right now). Raises as :meth:`check`."""
        owner, appointment = await self.check(token)
        if owner.id != tenant.id or appointment.visitor_id is None:
            raise LinkInvalid("This link is not valid here.")
        visitor = await self.visitors.by_id(tenant.id, appointment.visitor_id)
        if visitor is None:
            raise NotFound("This appointment does not exist (any more).")
        try:
            await self.conversation(appointment, visitor)
        except (Conflict, NotFound) as e:
            # The visitor gets in all the same: the agent's "Start video call" says what is in the way.
            log.info("appointment %s: no conversation with its agent yet (%s)", appointment.id, e.code)
        return visitor

    async def for_agent(self, principal: Principal, appointment_id: str) -> Conversation:
        """The agent's *Start video call*: the conversation with the appointment's visitor, opened (or made)
        for them. Raises NOT_FOUND, FORBIDDEN (another agent's), CONFLICT (cancelled, not a video
        appointment, over, or the visitor chats with a colleague)."""
        doc = await self.changes.store.appointment(principal.tenant.id, appointment_id)
        if doc is None:
            raise NotFound("There is no such appointment.")
        appointment = Appointment.from_doc(doc)
        if appointment.agent_id != principal.user.id:
            raise Forbidden("Only the appointment's agent starts its call.")
        if appointment.kind is not Kind.VIDEO or appointment.status is not Status.BOOKED:
            raise Conflict("Only a booked video appointment has a call.")
        if self.clock() >= appointment.ends_at or appointment.visitor_id is None:
            raise Conflict("This appointment is over.")
        visitor = await self.visitors.by_id(principal.tenant.id, appointment.visitor_id)
        if visitor is None:
            raise NotFound("The visitor of this appointment is not known any more.")
        return await self.conversation(appointment, visitor)

    async def conversation(self, appointment: Appointment, visitor: Visitor) -> Conversation:
        """The visitor's open conversation, claimed for the appointment's agent (a new one if there is
        none). Raises AGENT_UNAVAILABLE (the agent is gone), CONFLICT (a colleague holds the chat)."""
        agent = await self.users.by_id(appointment.tenant_id, appointment.agent_id)
        if agent is None or agent.disabled:
            raise AgentUnavailable("The agent of this appointment is not available any more.")
        parts = self.chat.parts
        async with parts.assignments.tenant(appointment.tenant_id):
            conversation = await self._open(visitor)
            if conversation.status is ConversationStatus.ACTIVE:
                if conversation.agent_id == agent.id:
                    return conversation
                raise Conflict("The visitor is in a chat with a colleague: ask them to hand it over.")
            try:
                claimed = await self.chat.routing.claim(conversation, agent, kind="accept")
            except Superseded:
                raise Conflict("The chat changed meanwhile. Please try again.") from None
        log.info("conversation %s opened for appointment %s", claimed.id, appointment.id)
        await self.chat.routing.assigned(claimed, agent)
        return claimed

    async def _open(self, visitor: Visitor) -> Conversation:
        """The visitor's open conversation, or a new one (waiting, but under the lock: no routing sees it)."""
        parts = self.chat.parts
        existing = await parts.conversations.open_of_visitor(visitor.tenant_id, visitor.id)
        if existing is not None:
            return existing
        conversation = Conversation(
            id=new_id("cnv"),
            tenant_id=visitor.tenant_id,
            visitor_id=visitor.id,
            status=ConversationStatus.QUEUED,
            epoch=0,
            created_at=parts.clock(),
        )
        if await parts.conversations.insert(conversation):
            await self.visitors.mark_engaged(visitor.tenant_id, visitor.id)
            return conversation
        winner = await parts.conversations.open_of_visitor(visitor.tenant_id, visitor.id)
        if winner is None:
            raise Conflict("The chat ended while it was being opened. Please try again.")
        return winner
