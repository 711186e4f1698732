"""The SQLite adapter's stores over one set of connections."""

from __future__ import annotations

from wschat.storage import Stores
from wschat.storage.sqlite.accounts import SqliteTenantStore, SqliteUserStore
from wschat.storage.sqlite.agent_data import SqliteAgentDataStore
from wschat.storage.sqlite.appointments import SqliteAppointmentStore
from wschat.storage.sqlite.archive import SqliteArchiveStore
from wschat.storage.sqlite.audit import SqliteAuditStore
from wschat.storage.sqlite.calls import SqliteCallStore, SqliteVideoRecords
from wschat.storage.sqlite.canned import SqliteCannedReplyStore
from wschat.storage.sqlite.connections import Connections
from wschat.storage.sqlite.conversations import SqliteConversationStore
from wschat.storage.sqlite.leases import SqliteLeaseStore
from wschat.storage.sqlite.lifecycle import SqliteTenantDataStore
from wschat.storage.sqlite.messages import SqliteMessageStore
from wschat.storage.sqlite.outbox import SqliteMailRecords, SqliteOutboxStore
from wschat.storage.sqlite.photos import SqlitePhotoStore
from wschat.storage.sqlite.presence import SqlitePresenceStore
from wschat.storage.sqlite.reports import SqliteReportStore
from wschat.storage.sqlite.retention import SqliteRetentionStore
from wschat.storage.sqlite.signups import SqliteSignupStore
from wschat.storage.sqlite.subjects import SqliteSubjectStore
from wschat.storage.sqlite.transcripts import SqliteTranscriptStore
from wschat.storage.sqlite.usage import SqliteUsageStore
from wschat.storage.sqlite.visitors import SqlitePageViewStore, SqliteVisitorStore
from wschat.storage.sqlite.webhooks import SqliteDeliveryStore, SqliteEndpointStore


def build_stores(db: Connections) -> Stores:
    return Stores(
        tenants=SqliteTenantStore(db),
        users=SqliteUserStore(db),
        visitors=SqliteVisitorStore(db),
        conversations=SqliteConversationStore(db),
        messages=SqliteMessageStore(db),
        presence=SqlitePresenceStore(db),
        pages=SqlitePageViewStore(db),
        leases=SqliteLeaseStore(db),
        photos=SqlitePhotoStore(db),
        calls=SqliteCallStore(db),
        video=SqliteVideoRecords(db),
        outbox=SqliteOutboxStore(db),
        mail=SqliteMailRecords(db),
        canned=SqliteCannedReplyStore(db),
        transcripts=SqliteTranscriptStore(db),
        tenant_data=SqliteTenantDataStore(db),
        signups=SqliteSignupStore(db),
        retention=SqliteRetentionStore(db),
        subjects=SqliteSubjectStore(db),
        agent_data=SqliteAgentDataStore(db),
        archive=SqliteArchiveStore(db),
        audit=SqliteAuditStore(db),
        reports=SqliteReportStore(db),
        usage=SqliteUsageStore(db),
        appointments=SqliteAppointmentStore(db),
        webhook_endpoints=SqliteEndpointStore(db),
        webhook_deliveries=SqliteDeliveryStore(db),
    )
