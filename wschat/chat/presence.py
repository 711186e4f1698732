"""Who is there: agents' status and capacity, open sockets, and whether a tenant's chat is online.

A tenant is online for its visitors when at least one agent is ``online``, still connected (or inside the
grace period after the last socket closed, so a page reload does not flap) and below their maximum of
concurrent chats. Visitors hear about changes through ``presence`` events, coalesced per tenant.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from wschat.accounts.models import User
from wschat.accounts.store import UserStore
from wschat.boundary.protocol import Event
from wschat.boundary.publisher import Publisher
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.models import AgentStatus
from wschat.chat.payloads import AgentStateWire
from wschat.chat.presence_store import Presence, PresenceStore
from wschat.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentState:
    user: User
    status: AgentStatus
    connected: bool
    open_chats: int
    last_assigned_at: datetime | None

    @property
    def available(self) -> bool:
        """Online, reachable and below capacity: may get another chat."""
        return (
            self.status is AgentStatus.ONLINE
            and self.connected
            and not self.user.disabled
            and self.open_chats < self.user.max_chats
        )

    def to_wire(self) -> AgentStateWire:
        return {
            "agent_id": self.user.id,
            "display_name": self.user.display_name,
            "photo_url": self.user.photo_url,
            "status": self.status.value,
            "connected": self.connected,
            "open_chats": self.open_chats,
            "max_chats": self.user.max_chats,
            "available": self.available,
        }


class PresenceService:
    def __init__(
        self,
        store: PresenceStore,
        users: UserStore,
        conversations: ConversationStore,
        publisher: Publisher,
        clock: Clock,
        *,
        grace_seconds: float,
        node_id: str,
        debounce_ms: int = 250,
    ) -> None:
        self.store = store
        self.users = users
        self.conversations = conversations
        self.publisher = publisher
        self.clock = clock
        self.grace = timedelta(seconds=grace_seconds)
        self.node_id = node_id
        #: Coalescing window for presence events to visitors, seconds.
        self.debounce = debounce_ms / 1000
        self._pending: dict[str, asyncio.Task[None]] = {}
        #: Tenants whose next announcement is made even if it finds what was announced last
        #: (online_for_visitor).
        self._forced: set[str] = set()
        #: Every announcement not finished yet, also those past their wait (no longer pending).
        self._announcing: set[asyncio.Task[None]] = set()

    # -- agents --------------------------------------------------------------------------------------------

    async def agents(self, tenant_id: str) -> list[AgentState]:
        """Every agent of the tenant with status, connection and load."""
        users = await self.users.all(tenant_id)
        presence = {p.user_id: p for p in await self.store.of_tenant(tenant_id)}
        load = await self.conversations.open_load(tenant_id)
        now = self.clock()
        return [self._state(user, presence.get(user.id), load.get(user.id, 0), now) for user in users]

    async def agent(self, tenant_id: str, user: User) -> AgentState:
        presence = await self.store.get(tenant_id, user.id)
        load = len(await self.conversations.active_of_agent(tenant_id, user.id))
        return self._state(user, presence, load, self.clock())

    def _state(self, user: User, presence: Presence | None, load: int, now: datetime) -> AgentState:
        status = presence.status if presence else AgentStatus.OFFLINE
        # Connected, or disconnected so recently that this may be a page reload.
        connected = presence is not None and (
            presence.disconnected_at is None or now - presence.disconnected_at < self.grace
        )
        return AgentState(user, status, connected, load, presence.last_assigned_at if presence else None)

    async def set_status(self, user: User, status: AgentStatus) -> AgentState:
        await self.store.update(user.tenant_id, user.id, {"status": status.value, "changed_at": self.clock()})
        state = await self.agent(user.tenant_id, user)
        await self.publisher.to_agents(user.tenant_id, Event.AGENTS_PRESENCE, state.to_wire())
        self.changed(user.tenant_id)
        return state

    async def mark_assigned(self, tenant_id: str, user_id: str) -> None:
        """The agent just got a chat: the idle-longest tie-break of routing counts from now."""
        await self.store.update(tenant_id, user_id, {"last_assigned_at": self.clock()})

    async def load_changed(self, tenant_id: str, user_id: str) -> None:
        """An agent got or lost a chat: consoles show the new load, visitors may see a new online state."""
        user = await self.users.by_id(tenant_id, user_id)
        if user is not None:
            await self._announce_agent(user)

    # -- sockets -------------------------------------------------------------------------------------------

    async def agent_connected(self, sid: str, user: User, session_id: str | None) -> None:
        """Record the agent's socket. The mark of a past disconnect is cleared *before* the socket is
        recorded: cleared after, it would also clear the mark of this very socket's disconnect when that
        came in between (a client that gives up while its connect is handled), and the agent would stay
        online with no socket and no mark for the janitor to find. In this order a disconnect in between
        finds no record and leaves none; the record written after it is a ghost the janitor forgets like any
        other (``forget sockets this process no longer holds``), with its disconnect and mark."""
        presence = await self.store.get(user.tenant_id, user.id)
        if presence is None or presence.disconnected_at is not None:
            values: dict[str, object] = {"disconnected_at": None}
            if presence is None:
                values |= {"status": AgentStatus.OFFLINE.value, "changed_at": self.clock()}
            await self.store.update(user.tenant_id, user.id, values)
        await self.store.add_socket(
            sid,
            user.tenant_id,
            user.id,
            "agent",
            self.node_id,
            self.clock(),
            password_version=user.password_version,
            session_id=session_id,
        )
        await self._announce_agent(user)

    async def socket_closed(self, sid: str) -> tuple[str, str, str] | None:
        """Forget a socket; returns (kind, tenant id, owner id) when it was its owner's last one."""
        doc = await self.store.remove_socket(sid)
        if doc is None:
            return None
        if await self.store.socket_count(doc["tenant_id"], doc["owner_id"]) > 0:
            return None
        if doc["kind"] == "agent":
            await self.store.update(doc["tenant_id"], doc["owner_id"], {"disconnected_at": self.clock()})
            user = await self.users.by_id(doc["tenant_id"], doc["owner_id"])
            if user is not None:
                await self._announce_agent(user)
        return doc["kind"], doc["tenant_id"], doc["owner_id"]

    async def visitor_connected(self, sid: str, tenant_id: str, visitor_id: str) -> int:
        """Records the visitor's socket; returns how many the visitor has open now, this one included."""
        await self.store.add_socket(sid, tenant_id, visitor_id, "visitor", self.node_id, self.clock())
        return await self.store.socket_count(tenant_id, visitor_id)

    async def forget_socket(self, sid: str) -> None:
        """Drops a socket's record without the rest of :meth:`socket_closed` (a connect that was refused)."""
        await self.store.remove_socket(sid)

    async def sockets_of_agent(self, user_id: str, session_id: str | None = None) -> list[str]:
        """The sids of a console user's sockets on any process (of one session, if given)."""
        return await self.store.sockets_of(user_id, "agent", session_id=session_id)

    async def agents_gone(self) -> list[Presence]:
        """Agents still marked online or away whose last socket closed more than the grace period ago."""
        return await self.store.online_disconnected_before(self.clock() - self.grace)

    async def _announce_agent(self, user: User) -> None:
        state = await self.agent(user.tenant_id, user)
        await self.publisher.to_agents(user.tenant_id, Event.AGENTS_PRESENCE, state.to_wire())
        self.changed(user.tenant_id)

    # -- the tenant's online state for visitors -------------------------------------------------------------

    async def tenant_online(self, tenant_id: str) -> bool:
        return any(agent.available for agent in await self.agents(tenant_id))

    async def online_for_visitor(self, tenant_id: str) -> bool:
        """The online state a visitor is told when they ask (the widget's first load, ``chat.current``).

        If it is not what was last announced, the tenant's next announcement is made whatever it finds: the
        state may turn back before the announcer looks (an agent online for a moment, then full), and the
        visitor who was told the passing state must hear that it passed."""
        online = await self.tenant_online(tenant_id)
        if await self.store.announced(tenant_id) != online:
            self._forced.add(tenant_id)
            self.changed(tenant_id)
        return online

    def changed(self, tenant_id: str) -> None:
        """Something that may change the tenant's online state happened: tell visitors, coalesced."""
        if tenant_id not in self._pending:
            task = asyncio.get_running_loop().create_task(self._announce(tenant_id))
            self._pending[tenant_id] = task
            self._announcing.add(task)
            task.add_done_callback(self._announcing.discard)

    async def settled(self) -> None:
        """Returns once every presence announcement under way has been made (or has failed)."""
        while self._announcing:
            await asyncio.wait(set(self._announcing))

    async def _announce(self, tenant_id: str) -> None:
        try:
            await asyncio.sleep(self.debounce)
            self._pending.pop(tenant_id, None)
            forced = tenant_id in self._forced
            self._forced.discard(tenant_id)
            online = await self.tenant_online(tenant_id)
            # Compared with what any process announced last, so processes do not suppress each other.
            if forced or await self.store.announced(tenant_id) != online:
                await self.store.set_announced(tenant_id, online)
                await self.publisher.to_visitors(tenant_id, Event.PRESENCE, {"online": online})
        except Exception:
            self._pending.pop(tenant_id, None)
            log.exception("could not announce presence of tenant %s", tenant_id)

    async def close(self) -> None:
        for task in list(self._pending.values()):
            task.cancel()
        self._pending.clear()
