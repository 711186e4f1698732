"""The life of a conversation: start, accept, end and close; read markers and typing on the way.

Every change of state is a transition claimed through the conversation store (see its docstring), so two
agents accepting at once, or a visitor ending the chat while it is being transferred, each end with one
clear winner. Each transition leaves a system message in the conversation. Who gets a chat is decided in
routing.py; hand-over to a colleague is transfer.py.
"""

from __future__ import annotations

import contextlib
import logging

from wschat.accounts.models import Principal
from wschat.boundary.protocol import Event
from wschat.chat.conversation_store import Superseded
from wschat.chat.markers import marker, marker_key
from wschat.chat.models import (
    SYSTEM,
    AgentStatus,
    ChatClosed,
    Conversation,
    ConversationStatus,
    Party,
    SenderKind,
)
from wschat.chat.parts import ChatParts
from wschat.chat.payloads import AssignmentWire
from wschat.chat.presence import AgentState
from wschat.chat.routing import RoutingService
from wschat.chat.views import Views
from wschat.clock import new_id
from wschat.errors import (
    AgentUnavailable,
    AlreadyAssigned,
    ConversationClosed,
    Forbidden,
    NotFound,
)
from wschat.records import Document
from wschat.visitors.models import Visitor
from wschat.visitors.store import VisitorStore

log = logging.getLogger(__name__)


class ChatService:
    def __init__(self, parts: ChatParts, visitors: VisitorStore, routing: RoutingService) -> None:
        self.parts = parts
        self.visitors = visitors
        self.routing = routing

    @property
    def views(self) -> Views:
        """What clients see of a conversation, for the handlers' answers."""
        return self.parts.views

    # -- lookups with access rules ---------------------------------------------------------------------------

    async def of_visitor(self, visitor: Visitor, conversation_id: str) -> Conversation:
        """The visitor's own conversation; anybody else's is NOT_FOUND, with no hint that it exists."""
        conversation = await self.parts.conversations.get(visitor.tenant_id, conversation_id)
        if conversation is None or conversation.visitor_id != visitor.id:
            raise NotFound("There is no such conversation.")
        return conversation

    async def of_tenant(self, agent: Principal, conversation_id: str) -> Conversation:
        conversation = await self.parts.conversations.get(agent.tenant.id, conversation_id)
        if conversation is None:
            raise NotFound("There is no such conversation.")
        return conversation

    async def writable_by(self, agent: Principal, conversation_id: str) -> Conversation:
        """For message.send: held by the agent, or closed (a resend of a stored message gets its ack)."""
        conversation = await self.of_tenant(agent, conversation_id)
        if conversation.status is not ConversationStatus.CLOSED and conversation.agent_id != agent.user.id:
            raise Forbidden("This chat is not assigned to you.")
        return conversation

    async def held_by(self, agent: Principal, conversation_id: str) -> Conversation:
        """A conversation the agent may write in: open and assigned to them."""
        conversation = await self.of_tenant(agent, conversation_id)
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        if conversation.agent_id != agent.user.id:
            raise Forbidden("This chat is not assigned to you.")
        return conversation

    # -- visitor side ----------------------------------------------------------------------------------------

    async def start(
        self, visitor: Visitor, *, name: str | None, alias: str | None
    ) -> tuple[Conversation, Visitor]:
        """The visitor's open conversation, or a new queued one that is then routed; and the visitor."""
        if (name is not None and name != visitor.name) or (alias is not None and alias != visitor.alias):
            changed = await self.visitors.set_profile(visitor.tenant_id, visitor.id, name=name, alias=alias)
            visitor = changed or visitor
            await self.parts.publisher.to_agents(
                visitor.tenant_id, Event.VISITOR_UPDATED, {"visitor": visitor.to_wire()}
            )
        existing = await self.parts.conversations.open_of_visitor(visitor.tenant_id, visitor.id)
        if existing is not None:
            return existing, visitor
        conversation = Conversation(
            id=new_id("cnv"),
            tenant_id=visitor.tenant_id,
            visitor_id=visitor.id,
            status=ConversationStatus.QUEUED,
            epoch=0,
            created_at=self.parts.clock(),
        )
        if not await self.parts.conversations.insert(conversation):
            # 50 tabs pressed "start" at once: the unique index let one win; everybody gets that one.
            winner = await self.parts.conversations.open_of_visitor(visitor.tenant_id, visitor.id)
            if winner is None:
                raise ConversationClosed("The chat ended while it was being started. Please try again.")
            return winner, visitor
        log.info("conversation %s started in tenant %s", conversation.id, visitor.tenant_id)
        await self.visitors.mark_engaged(visitor.tenant_id, visitor.id)
        await self.routing.queue_changed(visitor.tenant_id, added=[conversation])
        return await self.routing.route(conversation), visitor

    async def current(self, visitor: Visitor) -> Conversation | None:
        return await self.parts.conversations.open_of_visitor(visitor.tenant_id, visitor.id)

    async def end(self, visitor: Visitor, conversation_id: str) -> Conversation:
        """The visitor ends the chat, at any moment (also while queued)."""
        conversation = await self.of_visitor(visitor, conversation_id)
        by = Party(SenderKind.VISITOR, visitor.id, visitor.display_name)
        return await self._close(
            conversation, by, event="ended_by_visitor", text="The visitor ended the chat."
        )

    # -- agent side ------------------------------------------------------------------------------------------

    async def queue(self, agent: Principal) -> list[Conversation]:
        return await self.parts.conversations.queued(agent.tenant.id)

    async def mine(self, agent: Principal) -> list[Conversation]:
        return await self.parts.conversations.active_of_agent(agent.tenant.id, agent.user.id)

    async def accept(self, agent: Principal, conversation_id: str) -> Conversation:
        """Take a queued chat. Raises ALREADY_ASSIGNED when another agent won, CONVERSATION_CLOSED."""
        conversation = await self.of_tenant(agent, conversation_id)
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        if conversation.status is ConversationStatus.ACTIVE:
            if conversation.agent_id == agent.user.id:
                return conversation
            raise AlreadyAssigned()
        async with self.parts.assignments.tenant(agent.tenant.id):
            state = await self.parts.presence.agent(agent.tenant.id, agent.user)
            if state.status is AgentStatus.OFFLINE:
                # An offline agent's chats would never be handed back when the console closes.
                raise AgentUnavailable("Set yourself online or away to take chats.")
            if state.open_chats >= agent.user.max_chats:
                raise AgentUnavailable("You have as many chats open as you may; close one first.")
            try:
                updated = await self.routing.claim(conversation, agent.user, kind="accept")
            except Superseded:
                latest = await self.of_tenant(agent, conversation_id)
                if latest.status is ConversationStatus.CLOSED:
                    raise ConversationClosed() from None
                if latest.agent_id == agent.user.id:
                    return latest
                raise AlreadyAssigned() from None
        await self.routing.assigned(updated, agent.user)
        return updated

    async def close(self, agent: Principal, conversation_id: str) -> Conversation:
        """The assignee (or an admin, or anyone for a queued chat) closes it."""
        conversation = await self.of_tenant(agent, conversation_id)
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        mine = conversation.agent_id == agent.user.id
        if conversation.status is ConversationStatus.ACTIVE and not mine and not agent.is_admin:
            raise Forbidden("This chat is not assigned to you.")
        by = Party(SenderKind.AGENT, agent.user.id, agent.user.display_name, agent.user.photo_url)
        return await self._close(
            conversation, by, event="closed_by_agent", text=f"{agent.user.display_name} closed the chat."
        )

    async def set_status(self, agent: Principal, status: AgentStatus) -> AgentState:
        """online / away / offline; going offline hands the agent's chats back to the queue."""
        state = await self.parts.presence.set_status(agent.user, status)
        if status is AgentStatus.OFFLINE:
            await self.routing.requeue_agent(agent.tenant.id, agent.user.id)
        elif status is AgentStatus.ONLINE:
            await self.routing.route_queue(agent.tenant.id)
        return state

    async def history(self, agent: Principal, conversation_id: str) -> list[AssignmentWire]:
        """Who had the chat when. Raises NOT_FOUND."""
        await self.of_tenant(agent, conversation_id)
        return await self.parts.views.history(agent.tenant.id, conversation_id)

    async def mark_read(self, conversation: Conversation, side: SenderKind, seq: int) -> None:
        """Raise one side's read marker, never past the last message and never back.

        The other side gets ``messages.read`` (a read receipt) when the marker moved.
        """
        name = "visitor" if side is SenderKind.VISITOR else "agent"
        current = conversation.visitor_read_seq if side is SenderKind.VISITOR else conversation.agent_read_seq
        seq = min(seq, await self.parts.messages.last_seq(conversation))
        if seq <= current:
            return
        await self.parts.conversations.raise_read_marker(conversation.tenant_id, conversation.id, name, seq)
        payload = {"conversation_id": conversation.id, "by": name, "seq": seq}
        if side is SenderKind.VISITOR:
            if conversation.agent_id:
                await self.parts.publisher.to_agent(conversation.agent_id, Event.MESSAGES_READ, payload)
        else:
            await self.parts.publisher.to_visitor(conversation.visitor_id, Event.MESSAGES_READ, payload)

    async def relay_typing(self, conversation: Conversation, by: Party, typing: bool) -> None:
        """Pass the typing state to the other side; never stored."""
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        payload = {
            "conversation_id": conversation.id,
            "typing": typing,
            "by": {"display_name": by.display_name},
        }
        if by.kind is SenderKind.VISITOR:
            if conversation.agent_id:
                await self.parts.publisher.to_agent(conversation.agent_id, Event.TYPING, payload)
        else:
            await self.parts.publisher.to_visitor(conversation.visitor_id, Event.TYPING, payload)

    async def close_abandoned(self, conversation: Conversation) -> None:
        """The visitor has been gone too long: close the conversation (janitor)."""
        with contextlib.suppress(ConversationClosed):
            await self._close(
                conversation, SYSTEM, event="visitor_gone", text="The visitor left; the chat was closed."
            )

    # -- internals -----------------------------------------------------------------------------------------

    async def _close(self, conversation: Conversation, by: Party, *, event: str, text: str) -> Conversation:
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        now = self.parts.clock()
        # What the close message says is kept with the transition: whoever completes the aftermath of an
        # interrupted close (wschat.chat.repair) says the same.
        record = {"by": by.to_doc(), "from_agent_id": conversation.agent_id, "event": event, "text": text}
        try:
            closed = await self.parts.conversations.transition(
                conversation,
                "close",
                {"status": ConversationStatus.CLOSED.value, "closed_at": now, "closed_by": by.to_doc()},
                record | {"marker": marker("close", conversation.epoch + 1)},
                now,
            )
        except Superseded:
            latest = await self.parts.conversations.get(conversation.tenant_id, conversation.id)
            if latest is None or latest.status is ConversationStatus.CLOSED:
                raise ConversationClosed() from None
            return await self._close(latest, by, event=event, text=text)
        await self.closed(closed, record)
        return closed

    async def closed(self, closed: Conversation, transition: Document) -> None:
        """The aftermath of a close, ending with its marker message (wschat.chat.markers)."""
        by = Party.from_doc(transition["by"])
        await self.parts.events.publish(ChatClosed(closed))  # calls end first
        payload = {"conversation_id": closed.id, "by": by.kind.value}
        await self.parts.publisher.to_visitor(closed.visitor_id, Event.CHAT_ENDED, payload)
        if closed.agent_id:
            await self.parts.publisher.to_agent(closed.agent_id, Event.CHAT_ENDED, payload)
            await self.parts.presence.load_changed(closed.tenant_id, closed.agent_id)
            await self.routing.route_queue(closed.tenant_id)  # the agent has room again
        if transition["from_agent_id"] is None:  # it was waiting in the queue
            await self.routing.queue_changed(closed.tenant_id, removed=[closed.id])
        # Who closed it, so that clients can word the message in the visitor's language.
        data = {"agent": by.display_name} if by.kind is SenderKind.AGENT else {}
        text, event = transition["text"], transition["event"]
        await self.parts.messages.system(
            closed, text, event=event, data=data, key=marker_key("close", closed.epoch)
        )
