"""Webhooks as the rules see them: the events, an admin's endpoint, one delivery and its states, and what
the admin sends in (docs/webhooks.md).

A delivery's life::

    pending ──2xx──▶ delivered
       │ ▲
       │ └── any other answer, a timeout, a refused address: tried again later (exponential backoff)
       └──────── still failing 24 h after it was made, or its endpoint is gone ──▶ failed
    delivered / failed ──send again (admin)──▶ pending
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, TypedDict

from pydantic import AfterValidator, ConfigDict, Field

from wschat.webhooks.addresses import MAX_URL
from wschat.wire import Id, WireModel, clean_line

#: How long a delivery is tried before it is given up.
GIVE_UP_AFTER = timedelta(hours=24)
#: What is kept of an answer's body: enough to tell what went wrong, never a whole page.
MAX_RESPONSE_BYTES = 1024
MAX_ERROR = 300
#: Endpoints per tenant.
MAX_ENDPOINTS = 10
MAX_DESCRIPTION = 200


class WebhookEvent(StrEnum):
    CONVERSATION_CLOSED = "conversation.closed"
    OFFLINE_MESSAGE_CREATED = "offline_message.created"
    CONTACT_SUBMITTED = "contact.submitted"
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_MOVED = "appointment.moved"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class Endpoint:
    """An admin's receiver: where, which events, and the signing secret (held sealed at rest)."""

    id: str
    tenant_id: str
    url: str
    events: tuple[WebhookEvent, ...]
    created_at: datetime
    updated_at: datetime
    description: str = ""
    enabled: bool = True
    #: The sealed secret as stored (wschat/sealing.py); never sent after creation.
    secret: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_wire(self) -> EndpointWire:
        return {
            "id": self.id,
            "url": self.url,
            "events": [event.value for event in self.events],
            "description": self.description,
            "enabled": self.enabled,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


class EndpointWire(TypedDict):
    id: str
    url: str
    events: list[str]
    description: str
    enabled: bool
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint; stored before it is sent, with the exact body every try sends."""

    id: str
    tenant_id: str
    endpoint_id: str
    event: WebhookEvent
    #: The JSON body, fixed when the event happened: every try (and "send again") sends the same bytes.
    body: str
    created_at: datetime
    #: Tries go on until then (24 h after the event, or after an admin's "send again"), then it is failed.
    retry_until: datetime
    #: The person the body is about, if any (never sent while they restrict their data).
    visitor_id: str | None = None
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    #: The last answer's HTTP status (None: no answer, such as a timeout).
    response_status: int | None = None
    #: At most :data:`MAX_RESPONSE_BYTES` of the last answer's body.
    response_body: str | None = None
    last_error: str | None = None

    def to_wire(self) -> DeliveryWire:
        return {
            "id": self.id,
            "endpoint_id": self.endpoint_id,
            "event": self.event.value,
            "status": self.status.value,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat(),
            "next_attempt_at": _iso(self.next_attempt_at),
            "last_attempt_at": _iso(self.last_attempt_at),
            "delivered_at": _iso(self.delivered_at),
            "response_status": self.response_status,
            "response_body": self.response_body,
            "last_error": self.last_error,
        }


class DeliveryWire(TypedDict):
    id: str
    endpoint_id: str
    event: str
    status: str
    attempts: int
    created_at: str
    next_attempt_at: str | None
    last_attempt_at: str | None
    delivered_at: str | None
    response_status: int | None
    response_body: str | None
    last_error: str | None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def utc_iso(value: datetime | None) -> str | None:
    """A time as the bodies sent to receivers carry it: ISO 8601 in UTC with ``Z``."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- what the admin sends ------------------------------------------------------------------------------


def _events(value: list[WebhookEvent]) -> list[WebhookEvent]:
    if not value:
        raise ValueError("choose at least one event")
    return list(dict.fromkeys(value))


Events = Annotated[list[WebhookEvent], Field(max_length=len(WebhookEvent) * 2), AfterValidator(_events)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION * 2), AfterValidator(clean_line)]
# Long enough to reach the guard, which says "too long" in its own words (a clear message, not pydantic's).
UrlText = Annotated[str, Field(min_length=1, max_length=MAX_URL * 2)]


class EndpointCreate(WireModel):
    """``POST /api/webhooks``."""

    # Event names arrive as strings; strict mode would want the enum itself.
    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    url: UrlText
    events: Events
    description: Description = ""
    enabled: bool = True


class EndpointUpdate(WireModel):
    """``PATCH /api/webhooks/{id}``: the fields given change; ``rotate_secret`` makes a new secret (shown
    once, in the answer)."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    url: UrlText | None = None
    events: Events | None = None
    description: Description | None = None
    enabled: bool | None = None
    rotate_secret: bool = False


class DeliveryQuery(WireModel):
    """``GET /api/webhooks/deliveries``: newest first; ``before`` is the last id of the page before."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    endpoint_id: Id | None = None
    before: Id | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
