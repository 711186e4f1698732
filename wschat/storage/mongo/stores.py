"""The MongoDB adapter's stores over one database handle."""

from __future__ import annotations

from wschat.storage import Stores
from wschat.storage.mongo.accounts import MongoTenantStore, MongoUserStore
from wschat.storage.mongo.agent_data import MongoAgentDataStore
from wschat.storage.mongo.appointments import MongoAppointmentStore
from wschat.storage.mongo.archive import MongoArchiveStore
from wschat.storage.mongo.audit import MongoAuditStore
from wschat.storage.mongo.calls import MongoCallStore
from wschat.storage.mongo.canned import MongoCannedReplyStore
from wschat.storage.mongo.conversations import MongoConversationStore
from wschat.storage.mongo.database import MongoHandle
from wschat.storage.mongo.leases import MongoLeaseStore
from wschat.storage.mongo.lifecycle import MongoTenantDataStore
from wschat.storage.mongo.messages import MongoMessageStore
from wschat.storage.mongo.outbox import MongoMailRecords, MongoOutboxStore
from wschat.storage.mongo.pages import MongoPageViewStore
from wschat.storage.mongo.photos import MongoPhotoStore
from wschat.storage.mongo.presence import MongoPresenceStore
from wschat.storage.mongo.reports import MongoReportStore
from wschat.storage.mongo.retention import MongoRetentionStore
from wschat.storage.mongo.signups import MongoSignupStore
from wschat.storage.mongo.subjects import MongoSubjectStore
from wschat.storage.mongo.transcripts import MongoTranscriptStore
from wschat.storage.mongo.usage import MongoUsageStore
from wschat.storage.mongo.video import MongoVideoRecords
from wschat.storage.mongo.visitors import MongoVisitorStore
from wschat.storage.mongo.webhooks import MongoDeliveryStore, MongoEndpointStore


def build_stores(db: MongoHandle) -> Stores:
    return Stores(
        tenants=MongoTenantStore(db),
        users=MongoUserStore(db),
        visitors=MongoVisitorStore(db),
        conversations=MongoConversationStore(db),
        messages=MongoMessageStore(db),
        presence=MongoPresenceStore(db),
        pages=MongoPageViewStore(db),
        leases=MongoLeaseStore(db),
        photos=MongoPhotoStore(db),
        calls=MongoCallStore(db),
        video=MongoVideoRecords(db),
        outbox=MongoOutboxStore(db),
        mail=MongoMailRecords(db),
        canned=MongoCannedReplyStore(db),
        transcripts=MongoTranscriptStore(db),
        tenant_data=MongoTenantDataStore(db),
        signups=MongoSignupStore(db),
        retention=MongoRetentionStore(db),
        subjects=MongoSubjectStore(db),
        agent_data=MongoAgentDataStore(db),
        archive=MongoArchiveStore(db),
        audit=MongoAuditStore(db),
        reports=MongoReportStore(db),
        usage=MongoUsageStore(db),
        appointments=MongoAppointmentStore(db),
        webhook_endpoints=MongoEndpointStore(db),
        webhook_deliveries=MongoDeliveryStore(db),
    )
