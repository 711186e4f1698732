"""Everything a request or event handler needs, built once per app when it starts serving."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from redis.asyncio import Redis

from wschat.accounts.agents import AgentAdminService
from wschat.accounts.login_limits import ACCOUNT_WINDOW, DELAY_STEPS, LoginLimits
from wschat.accounts.service import AccountService
from wschat.accounts.tokens import TokenIssuer
from wschat.agent_data.download import OwnData
from wschat.agent_data.forgetting import FormerAgents
from wschat.archive.export import ArchiveExport
from wschat.archive.service import ArchiveService
from wschat.audit.service import AuditService
from wschat.boundary.domain_events import DomainEvents
from wschat.boundary.services import Services
from wschat.canned.service import CannedReplyService
from wschat.chat.assignment_lock import AssignmentLock
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.conversations import ChatService
from wschat.chat.janitor import Janitor
from wschat.chat.messages import MessageService
from wschat.chat.offline import OfflineService
from wschat.chat.parts import ChatParts
from wschat.chat.presence import PresenceService
from wschat.chat.repair import TransitionRepair
from wschat.chat.routing import RoutingService
from wschat.chat.transcripts import (
    VISITOR_MAILS_PER_ADDRESS_HOUR,
    VISITOR_MAILS_PER_TENANT_HOUR,
    TranscriptService,
)
from wschat.chat.transfer import TransferService
from wschat.chat.views import Views
from wschat.clock import Clock
from wschat.config import Settings
from wschat.cursors import Cursors
from wschat.housekeeping import Steps
from wschat.lifecycle.service import LifecycleService
from wschat.limits.counter import HitCounter, MemoryCounter
from wschat.limits.redis_counter import RedisCounter, connect
from wschat.mail.service import MailService
from wschat.mail.worker import OutboxWorker
from wschat.media.service import PhotoService
from wschat.reports.counting import Counting
from wschat.reports.service import ReportService
from wschat.retention.runner import RetentionRunner
from wschat.retention.service import RetentionService
from wschat.sealing import Sealer
from wschat.server.agent_data import agent_data_services
from wschat.server.appointments import Appointments, appointment_services
from wschat.server.reports import report_services
from wschat.server.subscriptions import subscribe
from wschat.server.transport import Transport
from wschat.server.webhooks import Webhooks, webhook_services
from wschat.server.wiring import archive_service, cursor_key, mail_services
from wschat.signalling.relay import SignalRelay
from wschat.signalling.service import CallService
from wschat.signup.links import ConfirmationLinks
from wschat.signup.models import PER_ADDRESS_PER_DAY, PER_CLIENT_PER_HOUR
from wschat.signup.service import SignupService
from wschat.storage import Database
from wschat.storage.cached import with_caches
from wschat.storage.record_cache import Caches
from wschat.subjects.erasure import Eraser
from wschat.subjects.service import OWN_REQUESTS, OWN_WINDOW, SubjectService
from wschat.usage.service import UsageService
from wschat.video.service import VideoSettingsService
from wschat.video.store import VideoSettingsStore
from wschat.visitors.pages import PageService
from wschat.visitors.service import VisitorService
from wschat.visitors.widget import WidgetService

#: The rate limits' sliding window, seconds: their settings count per minute.
LIMIT_WINDOW = 60.0


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    node_id: str
    accounts: AccountService
    agents: AgentAdminService
    visitors: VisitorService
    conversations: ConversationStore
    messages: MessageService
    presence: PresenceService
    chat: ChatService
    routing: RoutingService
    transfers: TransferService
    pages: PageService
    janitor: Janitor
    photos: PhotoService
    calls: CallService
    relay: SignalRelay
    video: VideoSettingsService
    widget: WidgetService
    mail: MailService
    transcripts: TranscriptService
    offline: OfflineService
    archive: ArchiveService
    archive_export: ArchiveExport
    #: Sends queued mail; the app runs it in a task of its own (a slow mail server never delays the rest).
    outbox_worker: OutboxWorker
    canned: CannedReplyService
    #: The tenants' contract states, the operator's commands on them, and deletion when due.
    lifecycle: LifecycleService
    #: The public demo sign-up (its routes answer 404 unless WSCHAT_SIGNUP is on).
    signup: SignupService
    #: Data-subject requests: find, export, erase, the request log; the visitor's own.
    subjects: SubjectService
    #: The audit log: every feature records in it, the tenant's admins read it.
    audit: AuditService
    #: How long a running tenant keeps each data category: its admins' choice, and the runner (a lease).
    retention: RetentionService
    retention_runner: RetentionRunner
    #: Deleted agents' names taken out of their chats (a housekeeping step), and an agent's own download.
    former_agents: FormerAgents
    own_data: OwnData
    #: Reports: counted as chats close and visitors arrive; read for a period.
    reports: ReportService
    report_counting: Counting
    #: Each tenant's state, dates and usage, for the operator (wschat stats, /api/operator/stats).
    usage: UsageService
    #: Appointments: set-up, booking, cancelling, reminders (a housekeeping step).
    appointments: Appointments
    #: Webhooks to the tenants' CRMs: the admin's endpoints, the queue, and its worker.
    webhooks: Webhooks
    #: The housekeeping steps' record of failures (``/readyz`` reads it).
    housekeeping: Steps
    #: The visitors and conversations this process keeps in memory (wschat.storage.record_cache).
    caches: Caches
    #: The rate limits' client, when they are shared through Redis.
    limits_redis: Redis | None = None

    def services(self) -> Services:
        """The services the features' handlers ask for by type (wschat.boundary.services)."""
        return Services(
            self.settings,
            self.accounts,
            self.agents,
            self.visitors,
            self.messages,
            self.presence,
            self.chat,
            self.routing,
            self.transfers,
            self.pages,
            self.photos,
            self.calls,
            self.relay,
            self.video,
            self.widget,
            self.mail,
            self.canned,
            self.transcripts,
            self.offline,
            self.archive,
            self.archive_export,
            self.lifecycle,
            self.signup,
            self.subjects,
            self.audit,
            self.retention,
            self.own_data,
            self.reports,
            self.usage,
            *self.appointments.services(),
            self.webhooks.service,
        )

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
    caches = Caches()
    stores = with_caches(db.stores, caches)
    events = DomainEvents()
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
        events=events,
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
        debounce_ms=settings.chat.presence_debounce_ms,
    )
    parts = ChatParts(
        conversations,
        users,
        messages,
        presence,
        transport,
        clock,
        AssignmentLock(stores.leases, clock),
        events,
        Views(conversations, visitor_store, users),
    )
    routing = RoutingService(parts, tenants)
    chat = ChatService(parts, visitor_store, routing)
    transfers = TransferService(parts, chat, routing)
    pages = PageService(visitor_store, stores.pages, transport, clock, events)
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
    video_settings = VideoSettingsService(video)
    photos = PhotoService(stores.photos, users, clock, max_pixels=settings.media.max_pixels)
    canned = CannedReplyService(stores.canned, clock)
    audit = AuditService(stores.audit, clock, Cursors(cursor_key(settings, b"wschat audit cursors v1")))
    former_agents, own_data = agent_data_services(stores, clock, holder=node_id)
    report_counting, reports = report_services(stores)
    subscribe(events, routing, calls, photos, canned, audit, former_agents, report_counting)
    webhooks = webhook_services(settings, stores, clock, events, audit, holder=node_id)
    outbox_worker, mail = mail_services(settings, db, clock)
    archive = archive_service(settings, db, audit)
    return Runtime(
        settings=settings,
        db=db,
        clock=clock,
        node_id=node_id,
        accounts=accounts,
        agents=AgentAdminService(accounts),
        visitors=VisitorService(
            visitor_store,
            clock,
            transport,
            new_sessions=counter("new-visitors", settings.chat.new_visitors_per_minute),
            events=events,
        ),
        conversations=conversations,
        messages=messages,
        presence=presence,
        chat=chat,
        routing=routing,
        transfers=transfers,
        pages=pages,
        janitor=Janitor(
            chat,
            routing,
            presence,
            conversations,
            tenants,
            clock,
            accounts=accounts,
            closer=transport,
            pages=pages,
            steps=housekeeping,
            repair=TransitionRepair(conversations, users, chat, routing, transfers, clock),
        ),
        photos=photos,
        calls=calls,
        relay=SignalRelay(stores.calls, transport),
        video=video_settings,
        widget=WidgetService(presence, video_settings),
        mail=mail,
        transcripts=TranscriptService(
            stores.transcripts,
            conversations,
            stores.messages,
            tenants,
            mail,
            clock,
            counter("transcript-mails", VISITOR_MAILS_PER_TENANT_HOUR, 3600),
            audit,
            visitors=visitor_store,
            address_mails=counter("transcript-mails-address", VISITOR_MAILS_PER_ADDRESS_HOUR, 3600),
        ),
        offline=OfflineService(
            conversations, messages, visitor_store, presence, tenants, mail, transport, clock, audit, events
        ),
        archive=archive,
        archive_export=ArchiveExport(archive),
        outbox_worker=outbox_worker,
        canned=canned,
        lifecycle=LifecycleService(
            tenants, stores.tenant_data, stores.leases, mail, clock, holder=node_id, audit=audit
        ),
        signup=SignupService(
            stores.signups,
            accounts,
            mail,
            ConfirmationLinks(settings.secret_key.reveal().encode()),
            clock,
            public_url=settings.server.public_url,
            per_client=counter("signup-client", PER_CLIENT_PER_HOUR, 3600),
            per_address=counter("signup-address", PER_ADDRESS_PER_DAY, 86400),
        ),
        subjects=SubjectService(
            stores.subjects,
            visitor_store,
            conversations,
            stores.messages,
            stores.pages,
            stores.calls,
            stores.transcripts,
            stores.tenant_data,
            Cursors(cursor_key(settings, b"wschat subject requests cursors v1")),
            clock,
            own_requests=counter("own-data", OWN_REQUESTS, OWN_WINDOW),
            audit=audit,
            outbox=stores.outbox,
            appointments=stores.appointments,
            eraser=Eraser(
                stores.subjects,
                stores.tenant_data,
                stores.appointments,
                stores.webhook_deliveries,
                stores.reports,
                events.publish,
                clock,
            ),
        ),
        audit=audit,
        retention=RetentionService(tenants, settings.retention, clock),
        retention_runner=RetentionRunner(
            tenants,
            stores.retention,
            stores.leases,
            settings.retention,
            clock,
            holder=node_id,
            compact=stores.tenant_data.compact,
            audit=stores.audit,
            appointments=stores.appointments,
            reports=stores.reports,
        ),
        former_agents=former_agents,
        own_data=own_data,
        reports=reports,
        report_counting=report_counting,
        usage=UsageService(tenants, stores.usage, clock),
        appointments=appointment_services(
            settings, stores, messages, mail, clock, holder=node_id, events=events, chat=chat, audit=audit
        ),
        webhooks=webhooks,
        housekeeping=housekeeping,
        caches=caches,
        limits_redis=limits_redis,
    )
