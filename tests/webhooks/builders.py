"""Webhook endpoints and deliveries as the service makes them, for the store tests and the copy's
installation. Times are whole milliseconds after ``T0`` (``tests.storage.builders.at``)."""

from __future__ import annotations

import secrets
from typing import Any

from tests.storage.builders import at
from wschat.accounts.models import Tenant
from wschat.webhooks.models import GIVE_UP_AFTER, Delivery, Endpoint, WebhookEvent


def new_endpoint(tenant: Tenant, *, created: float = 0, **values: Any) -> Endpoint:
    fields: dict[str, Any] = {
        "id": f"whk_{secrets.token_hex(12)}",
        "tenant_id": tenant.id,
        "url": f"https://crm.{tenant.slug}.example/hooks/wschat?source=chat",
        "events": (WebhookEvent.CONVERSATION_CLOSED, WebhookEvent.CONTACT_SUBMITTED),
        "created_at": at(created),
        "updated_at": at(created),
        "description": "CRM – Kontakte",
        "secret": {"sealed": 1, "nonce": "bm9uY2U=", "data": "ZGF0YQ=="},
    }
    return Endpoint(**(fields | values))


def new_delivery(endpoint: Endpoint, *, created: float = 0, **values: Any) -> Delivery:
    fields: dict[str, Any] = {
        "id": f"whd_{secrets.token_hex(12)}",
        "tenant_id": endpoint.tenant_id,
        "endpoint_id": endpoint.id,
        "event": WebhookEvent.CONVERSATION_CLOSED,
        "body": '{"event":"conversation.closed","data":{"text":"Grüße"}}',
        "created_at": at(created),
        "retry_until": at(created) + GIVE_UP_AFTER,
        "next_attempt_at": at(created),
        "visitor_id": "vis_0123456789abcdef",
    }
    return Delivery(**(fields | values))
