"""The columns of the webhook tables (the webhooks step of ``schema_steps.py``), for ``tables.py``."""

from __future__ import annotations

ENDPOINTS = (
    "id",
    "tenant_id",
    "url",
    "events:json",
    "description",
    "enabled:bool",
    "secret:json",
    "created_at:time",
    "updated_at:time",
)
DELIVERIES = (
    "id",
    "tenant_id",
    "endpoint_id",
    "event",
    "body",
    "visitor_id",
    "created_at:time",
    "status",
    "attempts:int",
    "next_attempt_at:time",
    "retry_until:time",
    "last_attempt_at:time",
    "delivered_at:time",
    "response_status:int",
    "response_body",
    "last_error",
)
