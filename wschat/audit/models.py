"""The audit log's records: who (the actor) did what (a stable dotted action) to which record (the target),
when, with counts (the details); and the query an admin reads it with (docs/privacy.md, *The audit log*).

An entry never holds message text, an IP address, a secret or a recipient's e-mail address: a mail is
said to go "to the visitor" or "to another address", and what was sent is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from wschat.accounts.models import Principal, Role
from wschat.records import Document
from wschat.wire import WireModel

PAGE = 50


class ActorKind(StrEnum):
    ADMIN = "admin"
    AGENT = "agent"
    #: The operator of the installation: its CLI and its API (``/api/operator/…``).
    OPERATOR = "operator"
    #: wsChat itself: the lifecycle's runner.
    SYSTEM = "system"
    #: A visitor through the widget (their own data, their copy of a transcript).
    VISITOR = "visitor"


class TargetKind(StrEnum):
    CONVERSATION = "conversation"
    VISITOR = "visitor"
    USER = "user"
    TENANT = "tenant"


class Action(StrEnum):
    """Every action the log records. The names are stable: admins filter by them and keep CSV files."""

    ARCHIVE_VIEWED = "archive.viewed"
    ARCHIVE_EXPORTED = "archive.exported"
    TRANSCRIPT_FORWARDED = "transcript.forwarded"
    TRANSCRIPT_SENT_TO_VISITOR = "transcript.sent_to_visitor"
    OFFLINE_ANSWERED = "offline.answered"
    SUBJECT_REQUEST_LOGGED = "subject.request_logged"
    SUBJECT_REQUEST_DONE = "subject.request_done"
    SUBJECT_EXPORTED = "subject.exported"
    SUBJECT_ERASED = "subject.erased"
    SUBJECT_ANONYMISED = "subject.anonymised"
    SUBJECT_RECTIFIED = "subject.rectified"
    SUBJECT_RESTRICTED = "subject.restricted"
    SUBJECT_UNRESTRICTED = "subject.unrestricted"
    AGENT_DELETED = "agent.deleted"
    #: A CRM webhook registered, changed or deleted (wschat/webhooks): where the tenant's data goes.
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_CHANGED = "webhook.changed"
    WEBHOOK_DELETED = "webhook.deleted"
    APPOINTMENT_TYPE_SAVED = "appointment.type_saved"
    APPOINTMENT_TYPE_DELETED = "appointment.type_deleted"
    APPOINTMENT_HOURS_SAVED = "appointment.hours_saved"
    APPOINTMENT_SETTINGS_SAVED = "appointment.settings_saved"
    APPOINTMENT_CANCELLED = "appointment.cancelled"
    APPOINTMENT_MOVED = "appointment.moved"
    LIFECYCLE_DEMO_ENDS_SOON = "lifecycle.demo_ends_soon"
    LIFECYCLE_DEMO_EXPIRED = "lifecycle.demo_expired"
    LIFECYCLE_CONTRACT_ENDED = "lifecycle.contract_ended"
    CONTRACT_CONTRACT = "contract.contract"
    CONTRACT_TERMINATE = "contract.terminate"
    CONTRACT_HOLD = "contract.hold"
    CONTRACT_RELEASE = "contract.release"


def family_of(action: str) -> str:
    """The part before the first dot (``subject`` of ``subject.erased``): what ``subject.*`` filters by."""
    return action.partition(".")[0]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    #: A user's, a visitor's id; ``operator`` or ``system`` for those.
    id: str
    #: A user's alias at the time; empty for the others.
    name: str = ""


OPERATOR = Actor(ActorKind.OPERATOR, "operator")
SYSTEM = Actor(ActorKind.SYSTEM, "system")


def actor_of(principal: Principal) -> Actor:
    """The signed-in admin or agent, under the alias they have now."""
    user = principal.user
    kind = ActorKind.ADMIN if user.role is Role.ADMIN else ActorKind.AGENT
    return Actor(kind, user.id, user.display_name)


def visitor_actor(visitor_id: str) -> Actor:
    return Actor(ActorKind.VISITOR, visitor_id)


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    id: str


@dataclass(frozen=True)
class AuditEntry:
    id: str
    tenant_id: str
    at: datetime
    action: str
    actor: Actor
    target: Target | None = None
    #: Counts, an export's filter, the names of fields changed: never content (see the module's doc).
    details: dict[str, Any] = field(default_factory=dict)

    def to_doc(self) -> Document:
        """The stored shape (flat, the same on both adapters; ``family`` serves the ``x.*`` filter)."""
        return {
            "_id": self.id,
            "tenant_id": self.tenant_id,
            "at": self.at,
            "action": self.action,
            "family": family_of(self.action),
            "actor_kind": self.actor.kind.value,
            "actor_id": self.actor.id,
            "actor_name": self.actor.name,
            "target_kind": self.target.kind.value if self.target else None,
            "target_id": self.target.id if self.target else None,
            "details": self.details,
        }

    @classmethod
    def from_doc(cls, doc: Document) -> AuditEntry:
        target = None
        if doc.get("target_kind") and doc.get("target_id"):
            target = Target(TargetKind(doc["target_kind"]), doc["target_id"])
        return cls(
            id=doc["_id"],
            tenant_id=doc["tenant_id"],
            at=doc["at"],
            action=doc["action"],
            actor=Actor(ActorKind(doc["actor_kind"]), doc["actor_id"], doc.get("actor_name") or ""),
            target=target,
            details=dict(doc.get("details") or {}),
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "action": self.action,
            "actor": {"kind": self.actor.kind.value, "id": self.actor.id, "name": self.actor.name or None},
            "target": {"kind": self.target.kind.value, "id": self.target.id} if self.target else None,
            "details": self.details,
        }


#: ``subject.erased`` exactly, or ``subject.*``: every action of that family.
_ACTION = r"^[a-z_]{1,40}\.(?:[a-z_]{1,40}|\*)$"
#: A user's or visitor's id, or ``operator`` / ``system``; a conversation's, visitor's, user's or tenant's.
_ACTOR_ID = r"^(?:[a-z]{3}_[0-9a-f]{8,48}|operator|system)$"
_TARGET_ID = r"^[a-z]{3}_[0-9a-f]{8,48}$"


class AuditQuery(WireModel):
    """``GET /api/audit`` and ``GET /api/audit.csv``: the log filtered, newest first."""

    # A query string holds only text: "25" is read as the number 25 here.
    model_config = ConfigDict(**WireModel.model_config | {"strict": False, "populate_by_name": True})

    action: Annotated[str, Field(pattern=_ACTION)] | None = None
    actor_id: Annotated[str, Field(pattern=_ACTOR_ID)] | None = None
    target_id: Annotated[str, Field(pattern=_TARGET_ID)] | None = None
    since: datetime | None = Field(default=None, alias="from")
    until: datetime | None = Field(default=None, alias="to")
    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = PAGE
