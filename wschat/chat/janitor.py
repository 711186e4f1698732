"""Housekeeping that runs every few seconds in every process.

- heartbeat of this process, and forgetting the sockets of processes that stopped beating (crashed);
- records of this process's sockets that it no longer holds (a disconnect whose clean-up failed, a connect
  refused after its socket was recorded) are finished as the disconnect would have: no ghost agent stays
  online, no visitor stays on the site;
- agents whose last socket closed longer ago than the grace period go offline; their chats are re-queued;
- open conversations whose visitor has been gone longer than the tenant's limit are closed (every 30 s);
- chats left active under an agent who is offline (a hand-back that failed halfway, a crash) go back to
  the queue, and every queue is routed again, so no chat waits for an event that never comes (every 30 s);
- page visitors who never chatted are deleted a day after they were last seen, with their page trail;
- this process's sockets are checked again: a user disabled, deleted or with a new password, a session
  signed out, or a locked tenant, loses its sockets even when the change came from elsewhere (the CLI,
  another process) and the socket only listens (agents' sockets on every pass, visitors' every 30 s).

Every step is safe to run in several processes at once: the state changes go through the same claimed
transitions as everything else. Each runs on its own (``wschat/housekeeping.py``): one that fails is logged
and backs off, and the others still run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from wschat.accounts.models import Tenant, User
from wschat.accounts.service import AccountService
from wschat.accounts.store import TenantStore
from wschat.boundary.publisher import SocketCloser
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.conversations import ChatService
from wschat.chat.models import AgentStatus
from wschat.chat.presence import PresenceService
from wschat.chat.repair import TransitionRepair
from wschat.chat.routing import RoutingService
from wschat.clock import Clock
from wschat.errors import AuthInvalid, TenantLocked
from wschat.housekeeping import Steps
from wschat.records import Document
from wschat.visitors.pages import PageService

log = logging.getLogger(__name__)

#: A process that has not beaten for this long is taken for dead.
NODE_TIMEOUT = timedelta(seconds=60)
#: How often a process looks for idle page visitors to delete (chat/pages.py).
IDLE_CHECK_INTERVAL = timedelta(minutes=10)
#: How often the steps that read many records run: abandoned chats, visitors' sockets of locked tenants.
SLOW_STEPS_INTERVAL = timedelta(seconds=30)


class Janitor:
    def __init__(
        self,
        chat: ChatService,
        routing: RoutingService,
        presence: PresenceService,
        conversations: ConversationStore,
        tenants: TenantStore,
        clock: Clock,
        *,
        accounts: AccountService,
        closer: SocketCloser,
        pages: PageService,
        steps: Steps,
        repair: TransitionRepair,
    ) -> None:
        self.steps = steps
        self.repair = repair
        self.accounts = accounts
        self.pages = pages
        self.closer = closer
        self.chat = chat
        self.routing = routing
        self.presence = presence
        self.conversations = conversations
        self.tenants = tenants
        self.clock = clock
        #: When each step that runs less often than every pass last ran (see ``_due``).
        self._last_run: dict[str, datetime] = {}
        self._beaten = False

    async def run_once(self) -> None:
        """One pass; a step that fails does not keep the later ones from running."""
        await self.keep_alive()
        await self.repair_pass()

    async def keep_alive(self) -> None:
        """Who is still here: the heartbeat, the sockets of dead processes and ghosts forgotten, agents gone
        past their grace offline. A server runs this in a task of its own, every few seconds: these are
        quick, and must not wait behind a slow repair pass (a live process would be taken for dead, an
        agent who left would stay online)."""
        run = self.steps.run
        await run("heartbeat", self.beat)
        await run("forget dead processes", self._forget_dead_nodes)
        await run("forget sockets this process no longer holds", self._forget_ghosts)
        await run("agents gone offline", self._agents_gone)

    async def repair_pass(self) -> None:
        """The repairs: states left behind by anything that was interrupted, and the slower look-ups."""
        run = self.steps.run
        # The steps that read many records run at most every SLOW_STEPS_INTERVAL: each pass competes with
        # the chat for the database, and their deadlines are minutes (visitor timeout) or tenant locks.
        slow = self._due("slow steps", SLOW_STEPS_INTERVAL)
        if slow:
            await run("complete interrupted transitions", self.repair.complete_interrupted)
            await run("close abandoned chats", self._close_abandoned)
            await run("hand back orphaned chats", self._requeue_orphans)
            await run("route waiting chats", self._route_queues)
        await run("re-check sockets", partial(self._recheck_sockets, visitors_too=slow))
        if self._due("idle visitors", IDLE_CHECK_INTERVAL):
            await run("forget idle visitors", self._forget_idle_visitors)

    async def beat(self) -> None:
        """The heartbeat. A process whose record is gone was taken for dead by another, which forgot its
        socket records: its connections are closed, and their clients reconnect and are recorded again."""
        known = await self.presence.store.heartbeat(self.presence.node_id, self.clock())
        if not known and self._beaten:
            log.warning("another process took this one for dead and forgot its sockets")
            await self.closer.reconnect_all("this process was taken for dead")
        self._beaten = True

    async def _forget_ghosts(self) -> None:
        for socket in await self.presence.store.sockets_of_node(self.presence.node_id):
            if not self.closer.holds(socket["_id"], socket["kind"]):
                log.warning("a %s socket's record outlived it: finishing its disconnect", socket["kind"])
                await self.closer.socket_gone(socket["_id"])

    async def _agents_gone(self) -> None:
        for gone in await self.presence.agents_gone():
            # The last socket's disconnect counts the agent's sockets, then marks them disconnected: a
            # reconnect between the two (another process, another tab) leaves a mark on a connected agent.
            if await self.presence.store.socket_count(gone.tenant_id, gone.user_id) > 0:
                log.info("agent %s reconnected while their disconnect was recorded: still here", gone.user_id)
                await self.presence.store.update(gone.tenant_id, gone.user_id, {"disconnected_at": None})
                continue
            log.info("agent %s went offline (no connection for the grace period)", gone.user_id)
            await self.routing.agent_gone(gone.tenant_id, gone.user_id)

    def _due(self, step: str, interval: timedelta) -> bool:
        """Whether ``step`` is due (never ran, or ``interval`` ago); if so, it counts as run now."""
        now = self.clock()
        last = self._last_run.get(step)
        if last is not None and now - last < interval:
            return False
        self._last_run[step] = now
        return True

    async def _forget_idle_visitors(self) -> None:
        removed = await self.pages.forget_idle_visitors()
        if removed:
            log.info("deleted %d idle page visitors (never chatted, not seen for a day)", removed)

    async def _recheck_sockets(self, *, visitors_too: bool) -> None:
        """Agents' sockets on every pass; visitors' (only their tenant can become invalid) with the slow
        steps. Two reads per tenant (the tenant, its users), however many sockets and sessions share them."""
        kind = None if visitors_too else "agent"
        sockets = await self.presence.store.sockets_of_node(self.presence.node_id, kind)
        by_tenant: dict[str, list[Document]] = {}
        for socket in sockets:
            by_tenant.setdefault(socket["tenant_id"], []).append(socket)
        for tenant_id, held in by_tenant.items():
            tenant = await self.tenants.by_id(tenant_id)
            agents = any(socket["kind"] == "agent" for socket in held)
            users = (
                {user.id: user for user in await self.accounts.users.all(tenant_id)}
                if tenant and agents
                else {}
            )
            for socket in held:
                if not self._still_valid(socket, tenant, users):
                    log.info("closing a %s socket: its account or tenant is no longer valid", socket["kind"])
                    await self.closer.close_socket(socket["_id"], socket["kind"])

    def _still_valid(self, socket: Document, tenant: Tenant | None, users: dict[str, User]) -> bool:
        if socket["kind"] != "agent":
            return tenant is not None and not tenant.is_locked(self.clock())
        version, session_id = socket.get("password_version") or "", socket.get("session_id") or None
        try:
            self.accounts.check(tenant, users.get(socket["owner_id"]), version, session_id)
        except (AuthInvalid, TenantLocked):
            return False
        return True

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
                    await self.pages.left(tenant_id, owner_id)

    async def _requeue_orphans(self) -> None:
        """Chats active under an agent who is offline (or gone): back to the queue, whatever left them so.
        One read of the presence per tenant with such chats."""
        holding: dict[str, set[str]] = {}
        for tenant_id, agent_id in await self.conversations.agents_with_active():
            holding.setdefault(tenant_id, set()).add(agent_id)
        for tenant_id in sorted(holding):
            presence = {p.user_id: p for p in await self.presence.store.of_tenant(tenant_id)}
            for agent_id in sorted(holding[tenant_id]):
                present = presence.get(agent_id)
                if present is None or present.status is AgentStatus.OFFLINE:
                    log.warning("agent %s is offline but holds active chats: handing them back", agent_id)
                    await self.routing.requeue_agent(tenant_id, agent_id)

    async def _route_queues(self) -> None:
        """Offer waiting chats again, in case an assignment was interrupted (a routing event never came)."""
        for tenant_id in sorted(await self.conversations.tenants_with_queue()):
            await self.routing.route_queue(tenant_id)

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
