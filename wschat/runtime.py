"""Everything a request or event handler needs, built once per app when it starts serving."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis

from wschat.accounts.login_limits import ACCOUNT_WINDOW, DELAY_STEPS, LoginLimits
from wschat.accounts.service import AccountService, SessionRevoker
from wschat.accounts.tokens import TokenIssuer
from wschat.chat.assignment_lock import AssignmentLock
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.conversations import ChatService
from wschat.chat.janitor import Janitor
from wschat.chat.messages import MessageService
from wschat.chat.pages import PageService
from wschat.chat.presence import PresenceService, SocketCloser
from wschat.chat.visitors import VisitorService
from wschat.clock import Clock
from wschat.config import Settings
from wschat.housekeeping import Steps
from wschat.limits.counter import HitCounter, MemoryCounter
from wschat.limits.redis_counter import RedisCounter, connect
from wschat.media.service import PhotoService
from wschat.sealing import Sealer
from wschat.signalling.service import CallPublisher, CallService
from wschat.signalling.settings import VideoSettingsService
from wschat.signalling.video_store import VideoSettingsStore
from wschat.storage import Database

#: The rate limits' sliding window, seconds: their settings count per minute.
LIMIT_WINDOW = 60.0


class Transport(SessionRevoker, CallPublisher, SocketCloser, Protocol):
    """What the socket layer offers the services."""


class NoTransport:
    """For the CLI: no sockets here. A running server re-checks each socket's user on its next event."""

    async def revoke_user(self, user_id: str) -> None:
        return None

    async def revoke_session(self, user_id: str, session_id: str) -> None:
        return None

    async def close_socket(self, sid: str, kind: str) -> None:
        return None

    def holds(self, sid: str, kind: str) -> bool:
        return True  # the CLI runs no janitor: nothing here is ever reconciled

    async def socket_gone(self, sid: str) -> None:
        return None

    async def to_socket(self, sid: str, side: str, event: str, payload: dict[str, Any]) -> None:
        return None

    async def to_visitor(self, visitor_id: str, event: str, payload: dict[str, Any]) -> None:
        return None

    async def to_visitors(self, tenant_id: str, event: str, payload: dict[str, Any]) -> None:
        return None

    async def to_agent(self, user_id: str, event: str, payload: dict[str, Any]) -> None:
        return None

    async def to_agents(self, tenant_id: str, event: str, payload: dict[str, Any]) -> None:
        return None


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    node_id: str
    accounts: AccountService
    visitors: VisitorService
    conversations: ConversationStore
    messages: MessageService
    presence: PresenceService
    chat: ChatService
    pages: PageService
    janitor: Janitor
    photos: PhotoService
    calls: CallService
    video: VideoSettingsService
    #: The housekeeping steps' record of failures (``/readyz`` reads it).
    housekeeping: Steps
    #: The rate limits' client, when they are shared through Redis.
    limits_redis: Redis | None = None

    async def close(self) -> None:
        """Stop what the runtime started; the database is the caller's to close."""
        await self.presence.close()
        if self.limits_redis is not None:
            await self.limits_redis.aclose()


def build_runtime(settings: Settings, db: Database, clock: Clock, transport: Transport) -> Runtime:
    limits_redis = connect(settings.redis_url.reveal()) if settings.redis_url is not None else None

    key_secret = hmac.new(settings.secret_key.reveal().encode(), b"wschat limit keys v1", "sha256").digest()

    def counter(name: str, limit: int, window: float = LIMIT_WINDOW) -> HitCounter:
        # With several processes (which then share WSCHAT_REDIS_URL) only a shared count holds.
        if limits_redis is None:
            return MemoryCounter(limit, window, clock)
        return RedisCounter(limits_redis, name, limit, window, clock, key_secret=key_secret)

    auth = settings.auth
    tokens = TokenIssuer(
        settings.secret_key,
        clock,
        access_ttl=settings.auth.token_ttl,
        session_ttl=settings.auth.session_ttl,
    )
    stores = db.stores
    tenants, users = stores.tenants, stores.users
    accounts = AccountService(
        tenants,
        users,
        tokens,
        clock,
        login_limits=LoginLimits(
            counter("login-pair", auth.login_failures_per_minute),
            counter("login-address", auth.login_failures_per_address_per_minute),
            counter("login-account", auth.login_failures_per_account_per_hour + DELAY_STEPS, ACCOUNT_WINDOW),
            auth.login_failures_per_account_per_hour,
            clock,
        ),
        revoker=transport,
    )
    node_id = f"node_{secrets.token_hex(8)}"
    visitor_store = stores.visitors
    conversations = stores.conversations
    messages = MessageService(stores.messages, transport, clock, max_length=settings.chat.max_message_length)
    presence = PresenceService(
        stores.presence,
        users,
        conversations,
        transport,
        clock,
        grace_seconds=settings.chat.agent_grace_seconds,
        node_id=node_id,
    )
    assignments = AssignmentLock(stores.leases, clock)
    chat = ChatService(
        conversations, visitor_store, users, tenants, messages, presence, transport, clock, assignments
    )
    pages = PageService(visitor_store, stores.pages, transport, clock)
    video = VideoSettingsStore(stores.video, Sealer(settings.secret_key))
    calls = CallService(
        stores.calls,
        video,
        conversations,
        visitor_store,
        users,
        messages,
        transport,
        clock,
        public_url=settings.server.public_url,
    )
    housekeeping = Steps(clock)
    chat.closed_hooks.append(calls.conversation_closed)
    chat.handed_over_hooks.append(calls.conversation_handed_over)
    return Runtime(
        settings=settings,
        db=db,
        clock=clock,
        node_id=node_id,
        accounts=accounts,
        visitors=VisitorService(
            visitor_store,
            clock,
            transport,
            new_sessions=counter("new-visitors", settings.chat.new_visitors_per_minute),
        ),
        conversations=conversations,
        messages=messages,
        presence=presence,
        chat=chat,
        pages=pages,
        janitor=Janitor(
            chat,
            presence,
            conversations,
            tenants,
            clock,
            accounts=accounts,
            closer=transport,
            pages=pages,
            steps=housekeeping,
        ),
        photos=PhotoService(stores.photos, users, clock, max_pixels=settings.media.max_pixels),
        calls=calls,
        video=VideoSettingsService(video),
        housekeeping=housekeeping,
        limits_redis=limits_redis,
    )
