"""Storage: the store interfaces' two adapters and what the rest of wsChat sees of them.

Services depend on the store *interfaces* their features declare (``wschat/accounts/store.py``,
``wschat/chat/*_store.py``, ``wschat/media/store.py``, ``wschat/signalling/store.py``) and never import
a database driver. Two adapters implement them:

- ``sqlite/`` — the embedded default: one file, WAL, real tables and indexes, one writer thread.
- ``mongo/`` — scale-out: MongoDB through PyMongo's asyncio API, with several ``wschat serve`` processes.

``WSCHAT_DATABASE_URL`` chooses (:func:`open_database`); ``wschat db copy`` moves an installation from one
to the other (``copy.py``). docs/storage.md describes the layer.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Protocol

from pymongo.errors import PyMongoError

from wschat.accounts.store import TenantStore, UserStore
from wschat.agent_data.store import AgentDataStore
from wschat.appointments.store import AppointmentStore
from wschat.archive.store import ArchiveStore
from wschat.audit.store import AuditStore
from wschat.canned.store import CannedReplyStore
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.lease_store import LeaseStore
from wschat.chat.message_store import MessageStore
from wschat.chat.presence_store import PresenceStore
from wschat.chat.transcript_store import TranscriptStore
from wschat.database_url import DatabaseUrl
from wschat.lifecycle.store import TenantDataStore
from wschat.mail.store import MailRecords, OutboxStore
from wschat.media.store import PhotoStore
from wschat.records import Document
from wschat.reports.store import ReportStore
from wschat.retention.store import RetentionStore
from wschat.signalling.store import CallStore
from wschat.signup.store import SignupStore
from wschat.subjects.store import SubjectStore
from wschat.usage.store import UsageStore
from wschat.video.store import VideoRecords
from wschat.visitors.page_store import PageViewStore
from wschat.visitors.store import VisitorStore
from wschat.webhooks.store import DeliveryStore, EndpointStore

#: Every table (collection) of an installation, parents before children: the order a copy loads them.
TABLES = (
    "tenants",
    "users",
    "visitors",
    "conversations",
    "transitions",
    "messages",
    "presence",
    "sockets",
    "nodes",
    "tenant_presence",
    "page_views",
    "photos",
    "calls",
    "call_transitions",
    "outbox",
    "outbox_transitions",
    "canned_replies",
    "transcripts",
    "audit_log",
    "signups",
    "subject_requests",
    "former_agents",
    "appointment_types",
    "appointment_hours",
    "appointment_settings",
    "appointments",
    "appointment_claims",
    "webhook_endpoints",
    "webhook_deliveries",
)
#: Tables of a running installation that are not data: leases are locks of a few seconds, held by running
#: processes. Each adapter keeps them in its own shape; ``wschat db copy`` leaves them out.
EPHEMERAL_TABLES = ("leases",)


#: What either adapter's driver raises when the database fails (not when a caller is wrong): the socket and
#: HTTP layers answer these with UNAVAILABLE.
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, PyMongoError)


class StorageError(RuntimeError):
    """The database cannot be used as configured; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Stores:
    tenants: TenantStore
    users: UserStore
    visitors: VisitorStore
    conversations: ConversationStore
    messages: MessageStore
    presence: PresenceStore
    pages: PageViewStore
    leases: LeaseStore
    photos: PhotoStore
    calls: CallStore
    video: VideoRecords
    outbox: OutboxStore
    mail: MailRecords
    canned: CannedReplyStore
    transcripts: TranscriptStore
    archive: ArchiveStore
    tenant_data: TenantDataStore
    signups: SignupStore
    subjects: SubjectStore
    audit: AuditStore
    retention: RetentionStore
    agent_data: AgentDataStore
    reports: ReportStore
    usage: UsageStore
    appointments: AppointmentStore
    webhook_endpoints: EndpointStore
    webhook_deliveries: DeliveryStore


class Database(Protocol):
    """One open database: its stores, and the table-level access that copies and checks need."""

    #: ``sqlite`` or ``mongodb``.
    kind: str
    stores: Stores

    def describe(self) -> str:
        """Where the data is, without credentials (for logs and messages)."""

    async def ping(self, within: float = 2.0) -> None:
        """Raises :class:`~wschat.errors.Unavailable` if the database does not answer in time."""

    async def close(self) -> None: ...

    async def drop(self) -> None:
        """Remove every record of this installation (tests, and nothing else)."""

    async def documents(self, table: str, *, after: str | None = None, limit: int = 1000) -> list[Document]:
        """Up to ``limit`` records of ``table`` with an ``_id`` above ``after``, by ``_id``."""

    async def count(self, table: str) -> int: ...

    async def load(self, table: str, documents: list[Document]) -> int:
        """Insert these records, skipping any whose ``_id`` is stored already; returns how many were new."""


async def open_database(
    url: DatabaseUrl,
    *,
    mongo_database: str = "wschat",
    server: bool = False,
    synchronous: str = "FULL",
    source: bool = False,
) -> Database:
    """Open (and for SQLite create or migrate) the database ``url`` names.

    ``server`` takes the SQLite file's process lock: one ``wschat serve`` per file; CLI commands open it
    beside a running server (WAL allows it). ``source`` opens a database only to read it (a copy's
    source): nothing is created, migrated or indexed. Raises :class:`StorageError` with one clear line.
    """
    if url.kind == "sqlite":
        from wschat.storage.sqlite.database import SqliteDatabase

        assert url.path is not None
        return await SqliteDatabase.open(url.path, lock=server, synchronous=synchronous, source=source)
    from wschat.storage.mongo.database import MongoDatabase

    assert url.uri is not None
    return await MongoDatabase.open(url.uri, mongo_database, description=url.describe(), source=source)
