"""The indexes of the webhook collections (wschat/webhooks), part of ``INDEXES`` in ``database.py``."""

from __future__ import annotations

from pymongo import ASCENDING, IndexModel

_CREATED = [("created_at", ASCENDING), ("_id", ASCENDING)]

WEBHOOK_INDEXES: dict[str, list[IndexModel]] = {
    # A tenant's endpoints, oldest first; its deletion in batches (wschat/lifecycle).
    "webhook_endpoints": [IndexModel([("tenant_id", ASCENDING), *_CREATED], name="tenant_created")],
    "webhook_deliveries": [
        # The worker: pending deliveries whose next try has come, of every tenant.
        IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="status_next"),
        # The console's log: a tenant's deliveries, or one endpoint's, newest first, by (created_at, _id).
        IndexModel([("tenant_id", ASCENDING), *_CREATED], name="tenant_created"),
        IndexModel([("tenant_id", ASCENDING), ("endpoint_id", ASCENDING), *_CREATED], name="tenant_endpoint"),
        # A data subject's erasure; the clean-up of old deliveries of any tenant.
        IndexModel([("tenant_id", ASCENDING), ("visitor_id", ASCENDING)], name="tenant_visitor"),
        IndexModel([("created_at", ASCENDING)], name="created"),
    ],
}
