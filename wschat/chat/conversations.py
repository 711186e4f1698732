"""The life of a conversation: start, routing to an agent, accept, transfer, re-queue, end and close.

Every change of state is a transition claimed through the conversation store (see its docstring), so two
agents accepting at once, or a visitor ending the chat while it is being transferred, each end with one
clear winner. Each transition leaves a system message in the conversation.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from wschat.accounts.models import Principal, User
from wschat.accounts.store import TenantStore, UserStore
from wschat.boundary.domain_events import DomainEvents
from wschat.boundary.publisher import Publisher
from wschat.chat.assignment_lock import AssignmentLock
from wschat.chat.conversation_store import ConversationStore, Superseded
from wschat.chat.messages import MessageService
from wschat.chat.models import (
    SYSTEM,
    AgentStatus,
    ChatClosed,
    ChatHandedOver,
    Conversation,
    ConversationStatus,
    Party,
    SenderKind,
    Visibility,
    clean_text,
)
from wschat.chat.presence import AgentState, PresenceService
from wschat.chat.routing import choose_agent
from wschat.chat.views import Views, agent_identity
from wschat.clock import Clock, new_id
from wschat.errors import (
    AgentUnavailable,
    AlreadyAssigned,
    ConversationClosed,
    Forbidden,
    NotFound,
)
from wschat.visitors.models import Visitor
from wschat.visitors.store import VisitorStore

log = logging.getLogger(__name__)


class ChatService:
    def __init__(
        self,
        conversations: ConversationStore,
        visitors: VisitorStore,
        users: UserStore,
        tenants: TenantStore,
        messages: MessageService,
        presence: PresenceService,
        publisher: Publisher,
        clock: Clock,
        assignments: AssignmentLock,
        events: DomainEvents,
    ) -> None:
        self.conversations = conversations
        self.visitors = visitors
        self.users = users
        self.tenants = tenants
        self.messages = messages
        self.presence = presence
        self.publisher = publisher
        self.clock = clock
        self.assignments = assignments
        self.events = events
        self.views = Views(conversations, visitors, users)

    # -- lookups with access rules ---------------------------------------------------------------------------

    async def of_visitor(self, visitor: Visitor, conversation_id: str) -> Conversation:
        """The visitor's own conversation; anybody else's is NOT_FOUND, with no hint that it exists."""
        conversation = await self.conversations.get(visitor.tenant_id, conversation_id)
        if conversation is None or conversation.visitor_id != visitor.id:
            raise NotFound("There is no such conversation.")
        return conversation

    async def of_tenant(self, agent: Principal, conversation_id: str) -> Conversation:
        conversation = await self.conversations.get(agent.tenant.id, conversation_id)
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
            await self.publisher.to_agents(
                visitor.tenant_id, "visitor.updated", {"visitor": visitor.to_wire()}
            )
        existing = await self.conversations.open_of_visitor(visitor.tenant_id, visitor.id)
        if existing is not None:
            return existing, visitor
        conversation = Conversation(
            id=new_id("cnv"),
            tenant_id=visitor.tenant_id,
            visitor_id=visitor.id,
            status=ConversationStatus.QUEUED,
            epoch=0,
            created_at=self.clock(),
        )
        if not await self.conversations.insert(conversation):
            # 50 tabs pressed "start" at once: the unique index let one win; everybody gets that one.
            winner = await self.conversations.open_of_visitor(visitor.tenant_id, visitor.id)
            if winner is None:
                raise ConversationClosed("The chat ended while it was being started. Please try again.")
            return winner, visitor
        log.info("conversation %s started in tenant %s", conversation.id, visitor.tenant_id)
        await self.visitors.mark_engaged(visitor.tenant_id, visitor.id)
        await self._queue_changed(visitor.tenant_id, added=[conversation])
        return await self.route(conversation), visitor

    async def current(self, visitor: Visitor) -> Conversation | None:
        return await self.conversations.open_of_visitor(visitor.tenant_id, visitor.id)

    async def end(self, visitor: Visitor, conversation_id: str) -> Conversation:
        """The visitor ends the chat, at any moment (also while queued)."""
        conversation = await self.of_visitor(visitor, conversation_id)
        by = Party(SenderKind.VISITOR, visitor.id, visitor.display_name)
        return await self._close(
            conversation, by, event="ended_by_visitor", text="The visitor ended the chat."
        )

    # -- agent side ------------------------------------------------------------------------------------------

    async def queue(self, agent: Principal) -> list[Conversation]:
        return await self.conversations.queued(agent.tenant.id)

    async def mine(self, agent: Principal) -> list[Conversation]:
        return await self.conversations.active_of_agent(agent.tenant.id, agent.user.id)

    async def accept(self, agent: Principal, conversation_id: str) -> Conversation:
        """Take a queued chat. Raises ALREADY_ASSIGNED when another agent won, CONVERSATION_CLOSED."""
        conversation = await self.of_tenant(agent, conversation_id)
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        if conversation.status is ConversationStatus.ACTIVE:
            if conversation.agent_id == agent.user.id:
                return conversation
            raise AlreadyAssigned()
        async with self.assignments.tenant(agent.tenant.id):
            state = await self.presence.agent(agent.tenant.id, agent.user)
            if state.status is AgentStatus.OFFLINE:
                # An offline agent's chats would never be handed back when the console closes.
                raise AgentUnavailable("Set yourself online or away to take chats.")
            if state.open_chats >= agent.user.max_chats:
                raise AgentUnavailable("You have as many chats open as you may; close one first.")
            try:
                updated = await self._claim(conversation, agent.user, kind="accept")
            except Superseded:
                latest = await self.of_tenant(agent, conversation_id)
                if latest.status is ConversationStatus.CLOSED:
                    raise ConversationClosed() from None
                if latest.agent_id == agent.user.id:
                    return latest
                raise AlreadyAssigned() from None
        await self._assigned(updated, agent.user)
        return updated

    async def transfer(
        self, agent: Principal, conversation_id: str, to_agent_id: str, note: str | None
    ) -> Conversation:
        """Hand a chat to a colleague. Raises FORBIDDEN (not yours, not admin), AGENT_UNAVAILABLE."""
        conversation = await self.of_tenant(agent, conversation_id)
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        if conversation.agent_id != agent.user.id and not agent.is_admin:
            raise Forbidden("Only the agent who holds this chat, or an admin, may transfer it.")
        note = clean_text(note or "") or None
        target = await self.users.by_id(agent.tenant.id, to_agent_id)
        if target is None:
            raise NotFound("There is no such agent.")
        previous = (
            await self.users.by_id(agent.tenant.id, conversation.agent_id) if conversation.agent_id else None
        )
        by = Party(SenderKind.AGENT, agent.user.id, agent.user.display_name, agent.user.photo_url)
        async with self.assignments.tenant(agent.tenant.id):
            state = await self.presence.agent(agent.tenant.id, target)
            if target.id == conversation.agent_id or not state.available:
                raise AgentUnavailable()
            try:
                updated = await self.conversations.transition(
                    conversation,
                    "transfer",
                    {
                        "status": ConversationStatus.ACTIVE.value,
                        "agent_id": target.id,
                        "assigned_at": self.clock(),
                    },
                    {
                        "by": by.to_doc(),
                        "from_agent_id": conversation.agent_id,
                        "to_agent_id": target.id,
                        "note": note,
                    },
                    self.clock(),
                )
            except Superseded:
                raise AlreadyAssigned("The chat changed meanwhile; please look again.") from None
            await self.presence.mark_assigned(agent.tenant.id, target.id)
        await self._handed_over(updated)
        await self.messages.system(
            updated,
            f"{target.display_name} has taken over the chat.",
            event="transferred",
            data={"from": previous.display_name if previous else None, "to": target.display_name},
            key=f"transfer:{updated.epoch}",
        )
        if note:
            await self.messages.system(
                updated,
                note,
                event="transfer_note",
                data={"by": agent.user.display_name},
                key=f"transfer-note:{updated.epoch}",
                visibility=Visibility.AGENTS,
                sender=by,
            )
        # load_changed announces the new loads, and with them the tenant's online state.
        await self.presence.load_changed(agent.tenant.id, target.id)
        await self._announce_assignment(updated, target)
        if previous is not None:
            await self.publisher.to_agent(
                previous.id, "chat.transferred", {"conversation_id": updated.id, "to": agent_identity(target)}
            )
            await self.presence.load_changed(agent.tenant.id, previous.id)
        if conversation.status is ConversationStatus.QUEUED:
            await self._queue_changed(agent.tenant.id, removed=[updated.id])
        await self.route_queue(agent.tenant.id)  # the previous holder has room again
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
        state = await self.presence.set_status(agent.user, status)
        if status is AgentStatus.OFFLINE:
            await self.requeue_agent(agent.tenant.id, agent.user.id)
        elif status is AgentStatus.ONLINE:
            await self.route_queue(agent.tenant.id)
        return state

    async def history(self, agent: Principal, conversation_id: str) -> list[dict[str, Any]]:
        """Who had the chat when. Raises NOT_FOUND."""
        await self.of_tenant(agent, conversation_id)
        return await self.views.history(agent.tenant.id, conversation_id)

    async def mark_read(self, conversation: Conversation, side: SenderKind, seq: int) -> None:
        """Raise one side's read marker, never past the last message and never back.

        The other side gets ``messages.read`` (a read receipt) when the marker moved.
        """
        name = "visitor" if side is SenderKind.VISITOR else "agent"
        current = conversation.visitor_read_seq if side is SenderKind.VISITOR else conversation.agent_read_seq
        seq = min(seq, await self.messages.last_seq(conversation))
        if seq <= current:
            return
        await self.conversations.raise_read_marker(conversation.tenant_id, conversation.id, name, seq)
        payload = {"conversation_id": conversation.id, "by": name, "seq": seq}
        if side is SenderKind.VISITOR:
            if conversation.agent_id:
                await self.publisher.to_agent(conversation.agent_id, "messages.read", payload)
        else:
            await self.publisher.to_visitor(conversation.visitor_id, "messages.read", payload)

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
                await self.publisher.to_agent(conversation.agent_id, "typing", payload)
        else:
            await self.publisher.to_visitor(conversation.visitor_id, "typing", payload)

    # -- routing ---------------------------------------------------------------------------------------------

    async def route(self, conversation: Conversation) -> Conversation:
        """Give a queued conversation to the least busy available agent, if the tenant auto-assigns."""
        tenant = await self.tenants.by_id(conversation.tenant_id)
        if (
            tenant is None
            or not tenant.settings.auto_assign
            or conversation.status is not ConversationStatus.QUEUED
        ):
            return conversation
        async with self.assignments.tenant(conversation.tenant_id):
            conversation, agent = await self._claim_for_least_busy(conversation)
        if agent is not None:
            await self._assigned(conversation, agent)
        return conversation

    async def _claim_for_least_busy(self, conversation: Conversation) -> tuple[Conversation, User | None]:
        """The conversation as it is now, and the agent who got it (None: nobody had room, or it changed)."""
        agents = await self.presence.agents(conversation.tenant_id)
        tried: set[str] = set()
        while (chosen := choose_agent([a for a in agents if a.user.id not in tried])) is not None:
            tried.add(chosen.user.id)
            try:
                return await self._claim(conversation, chosen.user, kind="auto"), chosen.user
            except Superseded:
                latest = await self.conversations.get(conversation.tenant_id, conversation.id)
                if latest is None or latest.status is not ConversationStatus.QUEUED:
                    return latest or conversation, None
                conversation = latest
        return conversation, None

    async def route_queue(self, tenant_id: str) -> None:
        """Offer waiting chats, oldest first, to whoever has room now."""
        for conversation in await self.conversations.queued(tenant_id):
            routed = await self.route(conversation)
            if routed.status is ConversationStatus.QUEUED:
                break  # nobody had room for this one: nobody has for the younger ones either

    async def requeue_agent(self, tenant_id: str, agent_id: str) -> None:
        """The agent went offline: their open chats go back to the queue, then to colleagues."""
        agent = await self.users.by_id(tenant_id, agent_id)
        name = agent.display_name if agent else None  # a deleted agent
        requeued: list[Conversation] = []
        for conversation in await self.conversations.active_of_agent(tenant_id, agent_id):
            try:
                updated = await self.conversations.transition(
                    conversation,
                    "requeue",
                    {"status": ConversationStatus.QUEUED.value, "agent_id": None},
                    {"by": SYSTEM.to_doc(), "from_agent_id": agent_id},
                    self.clock(),
                )
            except Superseded:
                continue
            await self._handed_over(updated)
            await self.messages.system(
                updated,
                f"{name or 'The agent'} is no longer available. The chat is waiting for the next free agent.",
                event="requeued",
                data={"agent": name},
                key=f"requeue:{updated.epoch}",
            )
            await self.publisher.to_visitor(
                updated.visitor_id, "chat.assigned", {"conversation_id": updated.id, "agent": None}
            )
            requeued.append(updated)
        await self.presence.load_changed(tenant_id, agent_id)
        await self._queue_changed(tenant_id, added=requeued)
        await self.route_queue(tenant_id)

    async def agent_gone(self, tenant_id: str, agent_id: str) -> None:
        """The agent's grace period is over: offline, and their chats back to the queue."""
        user = await self.users.by_id(tenant_id, agent_id)
        if user is None:  # deleted meanwhile: no one to announce, but the chats must not stay orphaned
            await self.presence.store.update(tenant_id, agent_id, {"status": AgentStatus.OFFLINE.value})
        else:
            await self.presence.set_status(user, AgentStatus.OFFLINE)
        await self.requeue_agent(tenant_id, agent_id)

    async def close_abandoned(self, conversation: Conversation) -> None:
        """The visitor has been gone too long: close the conversation (janitor)."""
        with contextlib.suppress(ConversationClosed):
            await self._close(
                conversation, SYSTEM, event="visitor_gone", text="The visitor left; the chat was closed."
            )

    # -- internals -------------------------------------------------------------------------------------------

    async def _claim(self, conversation: Conversation, agent: User, *, kind: str) -> Conversation:
        """The assignment itself, under the tenant's assignment lock. Raises :class:`Superseded`."""
        now = self.clock()
        updated = await self.conversations.transition(
            conversation,
            kind,
            {"status": ConversationStatus.ACTIVE.value, "agent_id": agent.id, "assigned_at": now},
            {
                "by": Party(SenderKind.AGENT, agent.id, agent.display_name, agent.photo_url).to_doc(),
                "to_agent_id": agent.id,
            },
            now,
        )
        await self.presence.mark_assigned(updated.tenant_id, agent.id)
        return updated

    async def _assigned(self, updated: Conversation, agent: User) -> None:
        """Tells everyone about a claimed assignment (after the lock: nothing here decides anything)."""
        await self.messages.system(
            updated,
            f"{agent.display_name} joined the chat.",
            event="assigned",
            data={"agent": agent.display_name},
            key=f"assign:{updated.epoch}",
        )
        await self.presence.load_changed(updated.tenant_id, agent.id)
        await self._announce_assignment(updated, agent)
        await self._queue_changed(updated.tenant_id, removed=[updated.id])

    async def _handed_over(self, conversation: Conversation) -> None:
        # Before its system message: the previous agent's call ends first.
        await self.events.publish(ChatHandedOver(conversation))

    async def _announce_assignment(self, conversation: Conversation, agent: User) -> None:
        identity = agent_identity(agent)
        await self.publisher.to_visitor(
            conversation.visitor_id, "chat.assigned", {"conversation_id": conversation.id, "agent": identity}
        )
        # The newest page only: a visitor who wrote thousands of messages must not make a hand-over
        # expensive. The console pages back with messages.before.
        page, earlier = await self.messages.page_before(conversation, agents=True)
        await self.publisher.to_agent(
            agent.id,
            "chat.assigned",
            {
                "conversation": await self.views.for_agent(conversation),
                "messages": [m.to_wire() for m in page],
                "has_earlier": earlier,
            },
        )

    async def _close(self, conversation: Conversation, by: Party, *, event: str, text: str) -> Conversation:
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        now = self.clock()
        try:
            closed = await self.conversations.transition(
                conversation,
                "close",
                {"status": ConversationStatus.CLOSED.value, "closed_at": now, "closed_by": by.to_doc()},
                {"by": by.to_doc(), "from_agent_id": conversation.agent_id},
                now,
            )
        except Superseded:
            latest = await self.conversations.get(conversation.tenant_id, conversation.id)
            if latest is None or latest.status is ConversationStatus.CLOSED:
                raise ConversationClosed() from None
            return await self._close(latest, by, event=event, text=text)
        await self.events.publish(ChatClosed(closed))  # before the close message: calls end first
        # Who closed it, so that clients can word the message in the visitor's language.
        data = {"agent": by.display_name} if by.kind is SenderKind.AGENT else {}
        await self.messages.system(closed, text, event=event, data=data, key=f"close:{closed.epoch}")
        payload = {"conversation_id": closed.id, "by": by.kind.value}
        await self.publisher.to_visitor(closed.visitor_id, "chat.ended", payload)
        if closed.agent_id:
            await self.publisher.to_agent(closed.agent_id, "chat.ended", payload)
            await self.presence.load_changed(closed.tenant_id, closed.agent_id)
            await self.route_queue(closed.tenant_id)  # the agent has room again
        if conversation.status is ConversationStatus.QUEUED:
            await self._queue_changed(closed.tenant_id, removed=[closed.id])
        return closed

    async def _queue_changed(
        self, tenant_id: str, *, added: Sequence[Conversation] = (), removed: Sequence[str] = ()
    ) -> None:
        """Tell every console what joined and what left the queue: a change costs what changed, never the
        whole queue. Consoles load the whole queue with queue.list on (re)connect."""
        views = [await self.views.for_agent(c) for c in added]
        # Looked at again right before the event: a chat that a concurrent routing took meanwhile has had
        # (or is about to have) its "removed", which a late "added" would undo on every console.
        views = [view for view in views if await self._still_queued(tenant_id, view["id"])]
        if views or removed:
            payload = {"added": views, "removed": list(removed)}
            await self.publisher.to_agents(tenant_id, "queue.updated", payload)

    async def _still_queued(self, tenant_id: str, conversation_id: str) -> bool:
        latest = await self.conversations.get(tenant_id, conversation_id)
        return latest is not None and latest.status is ConversationStatus.QUEUED
