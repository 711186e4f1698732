"""The Socket.IO server: its manager, and who may connect to which namespace.

Namespaces: ``/agent`` (console, access token, same-origin browsers only) and ``/visitor`` (widget, visitor
token, the tenant's allowed origins plus wsChat's own). Refusals carry ``{"code", "message"}`` as the
connect error's ``data``. Engine.IO's own CORS check is open because it cannot know the namespace yet;
the namespace handlers below are the authority, and cookies are never used by the socket.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import socketio
from pymongo.errors import PyMongoError

from wschat.accounts.models import Principal
from wschat.config import Settings
from wschat.errors import AuthInvalid, OriginNotAllowed, TenantLocked, Unavailable, WsChatError
from wschat.origins import is_same_origin
from wschat.runtime import Runtime

log = logging.getLogger(__name__)

AGENT = "/agent"
VISITOR = "/visitor"
#: Largest Socket.IO packet accepted; SDP offers (≤ 64 KB) are the biggest legitimate payload.
MAX_PACKET = 128 * 1024


def agent_room(user_id: str) -> str:
    return f"agent:{user_id}"


def agents_room(tenant_id: str) -> str:
    return f"agents:{tenant_id}"


def visitor_room(visitor_id: str) -> str:
    return f"visitor:{visitor_id}"


class Realtime:
    """Owns the ``socketio.AsyncServer``; the runtime is plugged in while the app serves."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runtime: Runtime | None = None
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=_manager(settings),
            cors_allowed_origins="*",
            cors_credentials=False,
            max_http_buffer_size=MAX_PACKET,
            logger=False,
            engineio_logger=False,
        )
        self.sio.on("connect", self._agent_connect, namespace=AGENT)
        self.sio.on("connect", self._visitor_connect, namespace=VISITOR)

    def _runtime(self) -> Runtime:
        if self.runtime is None:
            raise Unavailable("The server is starting or stopping.")
        return self.runtime

    async def revoke_user(self, user_id: str) -> None:
        """Disconnect every socket of a console user on this process (password change, disable, delete)."""
        room = agent_room(user_id)
        for sid, _ in list(self.sio.manager.get_participants(AGENT, room)):
            await self.sio.disconnect(sid, namespace=AGENT)

    async def _agent_connect(self, sid: str, environ: dict[str, Any], auth: Any) -> None:
        try:
            if not is_same_origin(
                environ.get("HTTP_ORIGIN"), environ.get("HTTP_HOST"), self.settings.server.origin
            ):
                raise OriginNotAllowed("The console only connects from its own site.")
            principal = await self._runtime().accounts.authenticate(_token(auth))
        except WsChatError as e:
            _refuse(e)
        except PyMongoError as e:
            log.error("database error while connecting an agent: %s", type(e).__name__)
            _refuse(Unavailable())
        await self._enter_agent(sid, principal)

    async def _enter_agent(self, sid: str, principal: Principal) -> None:
        user = principal.user
        session = {"user_id": user.id, "tenant_id": user.tenant_id, "role": user.role.value}
        await self.sio.save_session(sid, session, namespace=AGENT)
        await self.sio.enter_room(sid, agent_room(user.id), namespace=AGENT)
        await self.sio.enter_room(sid, agents_room(user.tenant_id), namespace=AGENT)

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
            visitor = await rt.visitors.authenticate(tenant, _token(auth))
        except WsChatError as e:
            _refuse(e)
        except PyMongoError as e:
            log.error("database error while connecting a visitor: %s", type(e).__name__)
            _refuse(Unavailable())
        session = {"visitor_id": visitor.id, "tenant_id": tenant.id}
        await self.sio.save_session(sid, session, namespace=VISITOR)
        await self.sio.enter_room(sid, visitor_room(visitor.id), namespace=VISITOR)


def _token(auth: Any) -> str:
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise AuthInvalid()
    return token


def _refuse(error: WsChatError) -> NoReturn:
    raise socketio.exceptions.ConnectionRefusedError(error.message, error.to_wire())


def _manager(settings: Settings) -> socketio.AsyncManager:
    if settings.redis_url is None:
        return socketio.AsyncManager()
    # python-socketio >= 5.14 carries JSON only on the shared channel, never pickle (CVE-2025-61765).
    return socketio.AsyncRedisManager(settings.redis_url.reveal())
