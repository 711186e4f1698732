"""The wiring of services that several parts of the runtime share, kept here so ``runtime`` stays a list."""

from __future__ import annotations

import hmac

from wschat.archive.service import ArchiveService
from wschat.audit.service import AuditService
from wschat.clock import Clock
from wschat.config import Settings
from wschat.cursors import Cursors
from wschat.mail.models import MailServer
from wschat.mail.sender import SmtpSender
from wschat.mail.servers import MailServers
from wschat.mail.service import MailService
from wschat.mail.settings_store import MailSettingsStore
from wschat.mail.worker import OutboxWorker
from wschat.sealing import Sealer
from wschat.storage import Database


def cursor_key(settings: Settings, purpose: bytes) -> bytes:
    """A key of its own for each kind of signed cursor, derived from the secret key."""
    return hmac.new(settings.secret_key.reveal().encode(), purpose, "sha256").digest()


def archive_service(settings: Settings, db: Database, audit: AuditService) -> ArchiveService:
    stores = db.stores
    return ArchiveService(
        stores.archive,
        stores.conversations,
        stores.messages,
        stores.visitors,
        stores.pages,
        stores.calls,
        stores.users,
        Cursors(cursor_key(settings, b"wschat archive cursors v1")),
        audit,
        stores.transcripts,
    )


def mail_services(settings: Settings, db: Database, clock: Clock) -> tuple[OutboxWorker, MailService]:
    config = settings.mail
    operator = None
    if config.smtp_url is not None and config.mail_from is not None:
        operator = MailServer(config.smtp_url, config.mail_from)
    servers = MailServers(MailSettingsStore(db.stores.mail, Sealer(settings.secret_key)), operator)
    worker = OutboxWorker(
        db.stores.outbox, servers, db.stores.tenants, SmtpSender(), clock, retry_delays=config.retry_delays
    )
    service = MailService(
        db.stores.outbox, servers, clock, public_url=settings.server.public_url, on_queued=worker.wake
    )
    return worker, service
