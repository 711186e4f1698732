"""Webhook endpoints and deliveries as stored documents and back, the shape both adapters keep."""

from __future__ import annotations

from wschat.records import Document
from wschat.webhooks.models import Delivery, DeliveryStatus, Endpoint, WebhookEvent

#: What a delivery's update may change: its state, never what it sends or where.
DELIVERY_STATE = (
    "status",
    "attempts",
    "next_attempt_at",
    "retry_until",
    "last_attempt_at",
    "delivered_at",
    "response_status",
    "response_body",
    "last_error",
)


def endpoint_doc(endpoint: Endpoint) -> Document:
    return {
        "_id": endpoint.id,
        "tenant_id": endpoint.tenant_id,
        "url": endpoint.url,
        "events": [event.value for event in endpoint.events],
        "description": endpoint.description,
        "enabled": endpoint.enabled,
        "secret": dict(endpoint.secret),
        "created_at": endpoint.created_at,
        "updated_at": endpoint.updated_at,
    }


def endpoint_from(doc: Document) -> Endpoint:
    return Endpoint(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        url=doc["url"],
        events=tuple(WebhookEvent(name) for name in doc["events"]),
        description=doc.get("description") or "",
        enabled=bool(doc.get("enabled", True)),
        secret=dict(doc.get("secret") or {}),
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
    )


def delivery_doc(delivery: Delivery) -> Document:
    return {
        "_id": delivery.id,
        "tenant_id": delivery.tenant_id,
        "endpoint_id": delivery.endpoint_id,
        "event": delivery.event.value,
        "body": delivery.body,
        "visitor_id": delivery.visitor_id,
        "created_at": delivery.created_at,
        **delivery_state(delivery),
    }


def delivery_state(delivery: Delivery) -> Document:
    return {
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "retry_until": delivery.retry_until,
        "last_attempt_at": delivery.last_attempt_at,
        "delivered_at": delivery.delivered_at,
        "response_status": delivery.response_status,
        "response_body": delivery.response_body,
        "last_error": delivery.last_error,
    }


def delivery_from(doc: Document) -> Delivery:
    return Delivery(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        endpoint_id=doc["endpoint_id"],
        event=WebhookEvent(doc["event"]),
        body=doc["body"],
        created_at=doc["created_at"],
        visitor_id=doc.get("visitor_id"),
        status=DeliveryStatus(doc["status"]),
        attempts=int(doc.get("attempts") or 0),
        next_attempt_at=doc.get("next_attempt_at"),
        retry_until=doc["retry_until"],
        last_attempt_at=doc.get("last_attempt_at"),
        delivered_at=doc.get("delivered_at"),
        response_status=doc.get("response_status"),
        response_body=doc.get("response_body"),
        last_error=doc.get("last_error"),
    )
