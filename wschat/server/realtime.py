"""The Socket.IO server: its manager, who may connect to which namespace, and how events are dispatched.

Namespaces: ``/agent`` (console, access token, same-origin browsers only) and ``/visitor`` (widget, visitor
token, the tenant's allowed origins plus wsChat's own). Refusals carry ``{"code", "message"}`` as the
connect error's ``data``. Engine.IO's own CORS check is open because it cannot know the namespace yet;
the namespace handlers below are the authority, and cookies are never used by the socket.

Events of one socket are handled one after the other (``async_handlers=False``), so the messages a client
sends in a row are stored in that order. Every client→server event is acknowledged with
``{"ok": true, ...}`` or ``{"ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

from wschat.accounts.context import AgentContext
from wschat.accounts.models import Principal
from wschat.boundary.protocol import Event
from wschat.boundary.services import Services
from wschat.boundary.sockets import Ack
from wschat.config import Settings
from wschat.errors import (
    AuthInvalid,
    NotFound,
    OriginNotAllowed,
    RateLimited,
    TenantLocked,
    Unavailable,
    WsChatError,
)
from wschat.origins import is_same_origin
from wschat.server.dispatch import Namespace, one_payload
from wschat.server.local_manager import manager_for
from wschat.server.metrics import Metrics
from wschat.server.packets import PolicedServer
from wschat.server.redis_manager import WatchedRedisManager, close_connections
from wschat.server.runtime import Runtime
from wschat.server.socket_auth import refuse, token_of, visitor_of
from wschat.storage import DATABASE_ERRORS
from wschat.visitors.context import VisitorContext
from wschat.wire import WireModel, parse

log = logging.getLogger(__name__)

AGENT = "/agent"
VISITOR = "/visitor"
#: Largest Socket.IO packet accepted; SDP offers (≤ 64 KB) are the biggest legitimate payload.
MAX_PACKET = 128 * 1024
#: Socket.IO packet types with binary attachments (socket.io-protocol v5).
BINARY_EVENT, BINARY_ACK = "5", "6"
#: How often (seconds) a connected socket's account and tenant are checked again.
RECHECK = 30.0

M = TypeVar("M", bound=WireModel)
Payload = Mapping[str, object]
Sid = str | None


def agent_room(user_id: str) -> str:
    return f"agent:{user_id}"


def agents_room(tenant_id: str) -> str:
    return f"agents:{tenant_id}"


def visitor_room(visitor_id: str) -> str:
    return f"visitor:{visitor_id}"


def visitors_room(tenant_id: str) -> str:
    return f"visitors:{tenant_id}"


class Realtime:
    """Owns the ``socketio.AsyncServer``; the runtime is plugged in while the app serves."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None
        self.services = Services()
        self._tasks: set[asyncio.Task[None]] = set()
        self.sio = PolicedServer(
            async_mode="asgi",
            client_manager=manager_for(settings),
            cors_allowed_origins="*",
            cors_credentials=False,
            max_http_buffer_size=MAX_PACKET,
            async_handlers=False,
            logger=False,
            engineio_logger=False,
        )
        self.metrics = Metrics(self._socket_counts)
        #: Where the features register their handlers (wschat.boundary.sockets.Events).
        self.agents = Namespace[AgentContext](self.sio, AGENT, self._agent_call, self.metrics)
        self.visitors = Namespace[VisitorContext](self.sio, VISITOR, self._visitor_call, self.metrics)
        self.sio.on("connect", self._agent_connect, namespace=AGENT)
        self.sio.on("connect", self._visitor_connect, namespace=VISITOR)
        self.sio.on("disconnect", self._disconnect, namespace=AGENT)
        self.sio.on("disconnect", self._disconnect, namespace=VISITOR)
        # Events nobody handles still get an answer, so a client waiting for its ack does not time out.
        self.sio.on("*", self._unknown_event, namespace=AGENT)
        self.sio.on("*", self._unknown_event, namespace=VISITOR)

    async def close(self) -> None:
        """Stop the Redis manager's listener and close its connections: nothing is left open behind."""
        manager = self.sio.manager
        listener = getattr(manager, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        for connection in (getattr(manager, "pubsub", None), getattr(manager, "redis", None)):
            if connection is not None:
                with contextlib.suppress(Exception):  # closing what may already be broken
                    await connection.aclose()

    def _socket_counts(self) -> dict[str, int]:
        rooms = self.sio.manager.rooms
        return {namespace: len(rooms.get(namespace, {}).get(None, {})) for namespace in (AGENT, VISITOR)}

    def _runtime(self) -> Runtime:
        if self.runtime is None:
            raise Unavailable("The server is starting or stopping.")
        return self.runtime

    # -- Publisher: what the services call to reach sockets --------------------------------------------------

    async def to_visitor(
        self, visitor_id: str, event: Event, payload: Payload, *, skip: str | None = None
    ) -> None:
        await self.sio.emit(event, payload, room=visitor_room(visitor_id), namespace=VISITOR, skip_sid=skip)

    async def to_visitors(self, tenant_id: str, event: Event, payload: Mapping[str, object]) -> None:
        await self.sio.emit(event, payload, room=visitors_room(tenant_id), namespace=VISITOR)

    async def to_agent(
        self, user_id: str, event: Event, payload: Payload, *, skip: str | None = None
    ) -> None:
        await self.sio.emit(event, payload, room=agent_room(user_id), namespace=AGENT, skip_sid=skip)

    async def to_agents(self, tenant_id: str, event: Event, payload: Mapping[str, object]) -> None:
        await self.sio.emit(event, payload, room=agents_room(tenant_id), namespace=AGENT)

    async def to_socket(self, sid: str, side: str, event: Event, payload: Mapping[str, object]) -> None:
        """One socket ("agent" or "visitor"), on whichever process holds it."""
        await self.sio.emit(event, payload, to=sid, namespace=AGENT if side == "agent" else VISITOR)

    async def close_socket(self, sid: str, kind: str) -> None:
        await self.sio.disconnect(sid, namespace=AGENT if kind == "agent" else VISITOR)

    def holds(self, sid: str, kind: str) -> bool:
        # Known to this process's manager from the connect handler on (still "pending" then) until the
        # disconnect: a record written by a connect handler is never taken for a ghost.
        namespace = AGENT if kind == "agent" else VISITOR
        return self.sio.manager.eio_sid_from_sid(sid, namespace) is not None

    async def socket_gone(self, sid: str) -> None:
        await self._disconnect(sid)

    async def reconnect_all(self, why: str) -> None:
        await close_connections(self.sio, why, before=time.time())

    async def revoke_user(self, user_id: str) -> None:
        """Disconnect every socket of a console user (password change, disable, delete), on any process."""
        await self._disconnect_agent(user_id, None)

    async def revoke_session(self, user_id: str, session_id: str) -> None:
        """Disconnect the sockets of one console session (signed out), on any process, not the others."""
        await self._disconnect_agent(user_id, session_id)

    async def _disconnect_agent(self, user_id: str, session_id: str | None) -> None:
        """The user's sockets (of one session, if given) in this process's room and in the database; with
        Redis, the manager forwards a disconnect for a socket that another process holds to that process."""
        sids: set[str] = set()
        for sid, _ in self.sio.manager.get_participants(AGENT, agent_room(user_id)):
            if session_id is None or (await self._agent_session(sid)).get("session_id") == session_id:
                sids.add(sid)
        if self.runtime is not None:
            sids |= set(await self.runtime.presence.sockets_of_agent(user_id, session_id))
        for sid in sids:
            await self.sio.disconnect(sid, namespace=AGENT)

    async def _agent_session(self, sid: str) -> dict[str, Any]:
        """An agent socket's session; empty for a socket that is closing already."""
        try:
            session: dict[str, Any] = await self.sio.get_session(sid, namespace=AGENT)
        except KeyError:
            return {}
        return session

    # -- event registration ----------------------------------------------------------------------------------

    def redis_lost_since(self) -> datetime | None:
        """Since when events between processes are dropped (Redis away); None while they are not."""
        manager = self.sio.manager
        return manager.lost_since if isinstance(manager, WatchedRedisManager) else None

    def serve(self, runtime: Runtime) -> None:
        """Plug in the runtime once the app serves; events before that, or after ``stop``, are UNAVAILABLE."""
        self.runtime, self.services = runtime, runtime.services()
        self.metrics.node(runtime.node_id)
        if isinstance(self.sio.manager, WatchedRedisManager):  # other processes hear what changed here
            self.sio.manager.share(runtime.caches)

    def stop(self) -> None:
        self.runtime, self.services = None, Services()

    async def _agent_call(
        self,
        sid: str,
        handler: Callable[[AgentContext, M], Awaitable[Ack]],
        model: type[M],
        data: tuple[Any, ...],
    ) -> Ack:
        rt = self._runtime()
        principal = await self._principal(sid, rt)  # before the payload: a revoked user learns nothing more
        payload = parse(model, one_payload(data))
        context = AgentContext(sid=sid, services=self.services, clock=rt.clock, principal=principal)
        return await handler(context, payload)

    async def _principal(self, sid: str, rt: Runtime) -> Principal:
        """The socket's user, re-checked (disabled, password changed, signed out, tenant locked) every
        RECHECK seconds.

        Revocations also close the sockets at once (revoke_user, revoke_session); the re-check covers what
        happens outside a server process, such as ``wschat tenant lock`` or ``wschat user passwd``.
        """
        session = await self.sio.get_session(sid, namespace=AGENT)
        now = asyncio.get_running_loop().time()
        if session.get("principal") is not None and now - session.get("checked", 0.0) < RECHECK:
            principal: Principal = session["principal"]
            return principal
        try:
            principal = await rt.accounts.current(
                session["user_id"],
                session["tenant_id"],
                session["password_version"],
                session.get("session_id"),
            )
        except (AuthInvalid, TenantLocked):
            self._disconnect_after_ack(sid, AGENT)
            raise
        session["principal"], session["checked"] = principal, now
        return principal

    async def _visitor_call(
        self,
        sid: str,
        handler: Callable[[VisitorContext, M], Awaitable[Ack]],
        model: type[M],
        data: tuple[Any, ...],
    ) -> Ack:
        rt = self._runtime()
        session = await self.sio.get_session(sid, namespace=VISITOR)
        now = asyncio.get_running_loop().time()
        if now - session.get("checked", 0.0) >= RECHECK:
            tenant = await rt.accounts.tenant_by_id(session["tenant_id"])
            if tenant is None or tenant.is_locked(rt.clock()):
                self._disconnect_after_ack(sid, VISITOR)
                raise TenantLocked("This chat is not available.")
            session["checked"] = now
        payload = parse(model, one_payload(data))
        visitor = await rt.visitors.by_id(session["tenant_id"], session["visitor_id"])
        if visitor is None:
            raise AuthInvalid("This chat session is unknown. Please reload the page.")
        context = VisitorContext(sid=sid, services=self.services, clock=rt.clock, visitor=visitor)
        return await handler(context, payload)

    def _disconnect_after_ack(self, sid: str, namespace: str) -> None:
        """Close the socket once the refusing ack is on its way, so the client can read why."""

        async def later() -> None:
            await asyncio.sleep(0.05)
            await self.sio.disconnect(sid, namespace=namespace)

        task = asyncio.get_running_loop().create_task(later())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- connect and disconnect ------------------------------------------------------------------------------

    async def _agent_connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        try:
            origin, host = environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST")
            if not is_same_origin(origin, host, self.settings.server.origin):
                raise OriginNotAllowed("The console only connects from its own site.")
            rt = self._runtime()
            principal = await rt.accounts.authenticate(token_of(auth))
            user = principal.user
            session = {
                "user_id": user.id,
                "tenant_id": user.tenant_id,
                "password_version": user.password_version,
                "session_id": principal.session_id,
            }
            await self.sio.save_session(sid, session, namespace=AGENT)
            await self.sio.enter_room(sid, agent_room(user.id), namespace=AGENT)
            await self.sio.enter_room(sid, agents_room(user.tenant_id), namespace=AGENT)
            await rt.presence.agent_connected(sid, user, principal.session_id)
        except WsChatError as e:
            refuse(e)
        except DATABASE_ERRORS as e:
            log.error("database error while connecting an agent: %s", type(e).__name__)
            refuse(Unavailable())

    async def _visitor_connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        try:
            rt = self._runtime()
            slug = auth.get("tenant") if isinstance(auth, dict) else None
            if not isinstance(slug, str):
                raise AuthInvalid("The widget must name its tenant.")
            tenant = await rt.accounts.tenant(slug)
            origin = environ.get("HTTP_ORIGIN")
            own = is_same_origin(origin, environ.get("HTTP_HOST"), self.settings.server.origin)
            if not own and not tenant.allows_origin(origin, self.settings.server.origin):
                raise OriginNotAllowed()
            if tenant.is_locked(rt.clock()):
                raise TenantLocked("This chat is not available.")
            visitor = await visitor_of(rt, tenant, auth)
            await self._count_visitor_socket(rt, sid, tenant.id, visitor.id)
            await self.sio.save_session(
                sid, {"visitor_id": visitor.id, "tenant_id": tenant.id}, namespace=VISITOR
            )
            await self.sio.enter_room(sid, visitor_room(visitor.id), namespace=VISITOR)
            await self.sio.enter_room(sid, visitors_room(tenant.id), namespace=VISITOR)
            await rt.conversations.set_visitor_left(tenant.id, visitor.id, None)
        except WsChatError as e:
            refuse(e)
        except DATABASE_ERRORS as e:
            log.error("database error while connecting a visitor: %s", type(e).__name__)
            refuse(Unavailable())

    async def _count_visitor_socket(self, rt: Runtime, sid: str, tenant_id: str, visitor_id: str) -> None:
        """Record the socket, then refuse it if that makes one too many (RateLimited).

        Counted in the database, so the limit holds across processes; recorded before counting, so connects
        that arrive at once each see the others (some may be refused that need not be, never one too many).
        """
        if (
            await rt.presence.visitor_connected(sid, tenant_id, visitor_id)
            > self.settings.chat.sockets_per_visitor
        ):
            await rt.presence.forget_socket(sid)
            raise RateLimited("Too many chat windows are open. Please close one and reload.")

    async def _unknown_event(self, event: str, sid: str, *data: Any) -> Ack:
        return {"ok": False, "error": NotFound("There is no such event.").to_wire()}

    async def _disconnect(self, sid: str, reason: Any = None) -> None:
        self.agents.forget(sid)
        self.visitors.forget(sid)
        rt = self.runtime
        if rt is None:
            return
        try:
            last = await rt.presence.socket_closed(sid)
            if last is not None and last[0] == "visitor":
                await rt.conversations.set_visitor_left(last[1], last[2], rt.clock())
                await rt.pages.left(last[1], last[2])
            await self._leave_calls(rt, sid)
        except DATABASE_ERRORS as e:
            # The record stays; this process's janitor finds it without its socket and finishes this.
            log.error("database error while recording a disconnect: %s", type(e).__name__)

    @staticmethod
    async def _leave_calls(rt: Runtime, sid: str) -> None:
        try:
            await rt.calls.socket_closed(sid)
        except WsChatError as e:  # the housekeeping sweep tries again (leave_dead_sockets)
            log.warning("a closed socket could not leave its call: %s", e.code.value)

    @property
    def models(self) -> dict[tuple[str, str], type[WireModel]]:
        """(namespace, event) → payload model of each client→server event (the fixtures are checked)."""
        return self.agents.models | self.visitors.models

    @property
    def acks(self) -> dict[tuple[str, str], object]:
        """(namespace, event) → the type of each event's ack (its handler's return type)."""
        return self.agents.acks | self.visitors.acks
