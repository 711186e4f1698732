"""Housekeeping that runs every few seconds in every process.

- heartbeat of this process, and forgetting the sockets of processes that stopped beating (crashed);
- agents whose last socket closed longer ago than the grace period go offline; their chats are re-queued;
- open conversations whose visitor has been gone longer than the tenant's limit are closed.

Every step is safe to run in several processes at once: the state changes go through the same claimed
transitions as everything else.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from wschat.accounts.store import TenantStore
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.conversations import ChatService
from wschat.chat.presence import PresenceService
from wschat.clock import Clock

log = logging.getLogger(__name__)

#: A process that has not beaten for this long is taken for dead.
NODE_TIMEOUT = timedelta(seconds=60)


class Janitor:
    def __init__(
        self,
        chat: ChatService,
        presence: PresenceService,
        conversations: ConversationStore,
        tenants: TenantStore,
        clock: Clock,
    ) -> None:
        self.chat = chat
        self.presence = presence
        self.conversations = conversations
        self.tenants = tenants
        self.clock = clock

    async def run_once(self) -> None:
        await self.presence.store.heartbeat(self.presence.node_id, self.clock())
        await self._forget_dead_nodes()
        for gone in await self.presence.agents_gone():
            log.info("agent %s went offline (no connection for the grace period)", gone.user_id)
            await self.chat.agent_gone(gone.tenant_id, gone.user_id)
        await self._close_abandoned()

    async def _forget_dead_nodes(self) -> None:
        now = self.clock()
        for node_id in await self.presence.store.dead_nodes(now - NODE_TIMEOUT):
            if node_id == self.presence.node_id:
                continue
            sockets = await self.presence.store.forget_node(node_id)
            log.warning("server process %s stopped answering; forgot its %d sockets", node_id, len(sockets))
            for owner in {(s["kind"], s["tenant_id"], s["owner_id"]) for s in sockets}:
                kind, tenant_id, owner_id = owner
                if await self.presence.store.socket_count(tenant_id, owner_id) > 0:
                    continue
                if kind == "agent":
                    await self.presence.store.update(tenant_id, owner_id, {"disconnected_at": now})
                else:
                    await self.conversations.set_visitor_left(tenant_id, owner_id, now)

    async def _close_abandoned(self) -> None:
        now = self.clock()
        for conversation in await self.conversations.abandoned(now - timedelta(minutes=1)):
            tenant = await self.tenants.by_id(conversation.tenant_id)
            if tenant is None or conversation.visitor_left_at is None:
                continue
            if now - conversation.visitor_left_at >= timedelta(
                minutes=tenant.settings.visitor_timeout_minutes
            ):
                log.info("closing conversation %s: the visitor is gone", conversation.id)
                await self.chat.close_abandoned(conversation)
