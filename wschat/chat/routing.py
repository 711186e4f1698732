"""Who gets which chat: routing queued chats to the least busy agent, hand-backs to the queue, and the
announcements every assignment makes (system message, ``chat.assigned``, ``queue.updated``).

Every assignment is a transition claimed through the conversation store, under the tenant's assignment
lock, so two routings (or an agent accepting while a chat is routed) end with one clear winner.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from wschat.accounts.models import User
from wschat.accounts.store import TenantStore
from wschat.boundary.protocol import Event
from wschat.chat.conversation_store import Superseded
from wschat.chat.markers import marker, marker_key
from wschat.chat.models import (
    SYSTEM,
    AgentStatus,
    ChatHandedOver,
    Conversation,
    ConversationStatus,
    Party,
    SenderKind,
)
from wschat.chat.parts import ChatParts
from wschat.chat.presence import AgentState
from wschat.chat.views import agent_identity
from wschat.records import Document

_NEVER = datetime.min.replace(tzinfo=UTC)
#: A conversation as it is after a routing, and the agent who got it (None: nobody had room, or it changed).
Claimed = tuple[Conversation, User | None]


def choose_agent(agents: Iterable[AgentState]) -> AgentState | None:
    candidates = [agent for agent in agents if agent.available]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (a.open_chats, a.last_assigned_at or _NEVER, a.user.id))


class RoutingService:
    def __init__(self, parts: ChatParts, tenants: TenantStore) -> None:
        self.parts = parts
        self.tenants = tenants

    async def route(self, conversation: Conversation) -> Conversation:
        """Give a queued conversation to the least busy available agent, if the tenant auto-assigns.

        Routings that arrive while another holds the tenant's assignment lock are decided together, once it
        is free (wschat.chat.assignment_lock): one read of the agents' loads for all of them."""
        tenant = await self.tenants.by_id(conversation.tenant_id)
        if (
            tenant is None
            or not tenant.settings.auto_assign
            or conversation.status is not ConversationStatus.QUEUED
        ):
            return conversation
        conversation, agent = await self.parts.assignments.together(
            conversation.tenant_id, conversation, self._claim_together
        )
        if agent is not None:
            await self.assigned(conversation, agent)
        return conversation

    async def _claim_together(
        self, conversations: list[Conversation]
    ) -> list[tuple[Conversation, User | None]]:
        """Under the lock: each conversation to the least busy agent, counting the ones given out before it
        in this round; the claims stored at once. A claim that lost (the conversation changed meanwhile)
        is tried again on its own."""
        agents = {a.user.id: a for a in await self.parts.presence.agents(conversations[0].tenant_id)}
        plan: list[tuple[Conversation, AgentState | None]] = []
        for conversation in conversations:
            chosen = choose_agent(agents.values())
            if chosen is not None:
                agents[chosen.user.id] = replace(
                    chosen, open_chats=chosen.open_chats + 1, last_assigned_at=self.parts.clock()
                )
            plan.append((conversation, chosen))
        claims = await asyncio.gather(
            *(self._claim_planned(conversation, chosen) for conversation, chosen in plan),
            return_exceptions=True,
        )
        outcomes: list[Claimed] = []
        for (conversation, _), claim in zip(plan, claims, strict=True):
            if isinstance(claim, Superseded):
                outcomes.append(await self._claim_for_least_busy(conversation))
            elif isinstance(claim, BaseException):
                raise claim
            else:
                outcomes.append(claim)
        return outcomes

    async def _claim_planned(self, conversation: Conversation, chosen: AgentState | None) -> Claimed:
        if chosen is None:
            return conversation, None
        return await self.claim(conversation, chosen.user, kind="auto"), chosen.user

    async def _claim_for_least_busy(self, conversation: Conversation) -> Claimed:
        """After a lost claim: the conversation read again, offered to each available agent in turn."""
        latest = await self.parts.conversations.get(conversation.tenant_id, conversation.id)
        if latest is None or latest.status is not ConversationStatus.QUEUED:
            return latest or conversation, None
        conversation = latest
        agents = await self.parts.presence.agents(conversation.tenant_id)
        tried: set[str] = set()
        while (chosen := choose_agent([a for a in agents if a.user.id not in tried])) is not None:
            tried.add(chosen.user.id)
            try:
                return await self.claim(conversation, chosen.user, kind="auto"), chosen.user
            except Superseded:
                latest = await self.parts.conversations.get(conversation.tenant_id, conversation.id)
                if latest is None or latest.status is not ConversationStatus.QUEUED:
                    return latest or conversation, None
                conversation = latest
        return conversation, None

    async def route_queue(self, tenant_id: str) -> None:
        """Offer waiting chats, oldest first, to whoever has room now."""
        for conversation in await self.parts.conversations.queued(tenant_id):
            routed = await self.route(conversation)
            if routed.status is ConversationStatus.QUEUED:
                break  # nobody had room for this one: nobody has for the younger ones either

    async def requeue_agent(self, tenant_id: str, agent_id: str) -> None:
        """The agent went offline: their open chats go back to the queue, then to colleagues."""
        for conversation in await self.parts.conversations.active_of_agent(tenant_id, agent_id):
            record = {"by": SYSTEM.to_doc(), "from_agent_id": agent_id}
            try:
                updated = await self.parts.conversations.transition(
                    conversation,
                    "requeue",
                    {"status": ConversationStatus.QUEUED.value, "agent_id": None},
                    record | {"marker": marker("requeue", conversation.epoch + 1)},
                    self.parts.clock(),
                )
            except Superseded:
                continue
            await self.requeued(updated, record)
        await self.route_queue(tenant_id)

    async def requeued(self, updated: Conversation, transition: Document) -> None:
        """The aftermath of a re-queue, ending with its marker message (wschat.chat.markers)."""
        agent_id: str = transition["from_agent_id"]
        agent = await self.parts.users.by_id(updated.tenant_id, agent_id)
        name = agent.display_name if agent else None  # a deleted agent
        await self.handed_over(updated)
        await self.parts.publisher.to_visitor(
            updated.visitor_id, Event.CHAT_ASSIGNED, {"conversation_id": updated.id, "agent": None}
        )
        await self.parts.presence.load_changed(updated.tenant_id, agent_id)
        await self.queue_changed(updated.tenant_id, added=[updated])
        await self.parts.messages.system(
            updated,
            f"{name or 'The agent'} is no longer available. The chat is waiting for the next free agent.",
            event="requeued",
            data={"agent": name},
            key=marker_key("requeue", updated.epoch),
        )

    async def agent_gone(self, tenant_id: str, agent_id: str) -> None:
        """The agent's grace period is over: offline, and their chats back to the queue."""
        user = await self.parts.users.by_id(tenant_id, agent_id)
        if user is None:  # deleted meanwhile: no one to announce, but the chats must not stay orphaned
            await self.parts.presence.store.update(tenant_id, agent_id, {"status": AgentStatus.OFFLINE.value})
        else:
            await self.parts.presence.set_status(user, AgentStatus.OFFLINE)
        await self.requeue_agent(tenant_id, agent_id)

    async def claim(self, conversation: Conversation, agent: User, *, kind: str) -> Conversation:
        """The assignment itself, under the tenant's assignment lock. Raises :class:`Superseded`."""
        now = self.parts.clock()
        updated = await self.parts.conversations.transition(
            conversation,
            kind,
            {"status": ConversationStatus.ACTIVE.value, "agent_id": agent.id, "assigned_at": now},
            {
                "by": Party(SenderKind.AGENT, agent.id, agent.display_name, agent.photo_url).to_doc(),
                "to_agent_id": agent.id,
                "marker": marker(kind, conversation.epoch + 1),
            },
            now,
        )
        await self.parts.presence.mark_assigned(updated.tenant_id, agent.id)
        return updated

    async def assigned(self, updated: Conversation, agent: User) -> None:
        """Tells everyone about a claimed assignment (after the lock: nothing here decides anything),
        ending with its marker message (wschat.chat.markers)."""
        await self.parts.presence.load_changed(updated.tenant_id, agent.id)
        await self.announce_assignment(updated, agent)
        await self.queue_changed(updated.tenant_id, removed=[updated.id])
        await self.parts.messages.system(
            updated,
            f"{agent.display_name} joined the chat.",
            event="assigned",
            data={"agent": agent.display_name},
            key=marker_key("auto", updated.epoch),  # "accept" has the same key
        )

    async def handed_over(self, conversation: Conversation) -> None:
        # Before its system message: the previous agent's call ends first.
        await self.parts.events.publish(ChatHandedOver(conversation))

    async def announce_assignment(self, conversation: Conversation, agent: User) -> None:
        identity = agent_identity(agent)
        await self.parts.publisher.to_visitor(
            conversation.visitor_id,
            Event.CHAT_ASSIGNED,
            {"conversation_id": conversation.id, "agent": identity},
        )
        # The newest page only: a visitor who wrote thousands of messages must not make a hand-over
        # expensive. The console pages back with messages.before.
        page, earlier = await self.parts.messages.page_before(conversation, agents=True)
        await self.parts.publisher.to_agent(
            agent.id,
            Event.CHAT_ASSIGNED,
            {
                "conversation": await self.parts.views.for_agent(conversation),
                "messages": [m.to_wire() for m in page],
                "has_earlier": earlier,
            },
        )

    async def queue_changed(
        self, tenant_id: str, *, added: Sequence[Conversation] = (), removed: Sequence[str] = ()
    ) -> None:
        """Tell every console what joined and what left the queue: a change costs what changed, never the
        whole queue. Consoles load the whole queue with queue.list on (re)connect."""
        views = [await self.parts.views.for_agent(c) for c in added]
        # Looked at again right before the event: a chat that a concurrent routing took meanwhile has had
        # (or is about to have) its "removed", which a late "added" would undo on every console.
        views = [view for view in views if await self._still_queued(tenant_id, view["id"])]
        if views or removed:
            payload = {"added": views, "removed": list(removed)}
            await self.parts.publisher.to_agents(tenant_id, Event.QUEUE_UPDATED, payload)

    async def _still_queued(self, tenant_id: str, conversation_id: str) -> bool:
        latest = await self.parts.conversations.get(tenant_id, conversation_id)
        return latest is not None and latest.status is ConversationStatus.QUEUED
