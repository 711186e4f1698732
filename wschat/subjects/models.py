"""Data-subject requests on the wire: how a person is looked for, the erasure's mode, the request log."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, model_validator

from wschat.visitors.models import Email, Phone
from wschat.wire import DisplayName, Id, WireModel

#: People one search returns at most.
FOUND = 50
PAGE = 25

Term = Annotated[str, Field(min_length=1, max_length=200)]


class FindQuery(WireModel):
    """``GET /api/subjects``: exactly one way to look for a person."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    email: Term | None = None
    phone: Term | None = None
    name: Term | None = None
    visitor_id: Id | None = None
    conversation_id: Id | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> FindQuery:
        given = [name for name, value in self.model_dump().items() if value is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of email, phone, name, visitor_id, conversation_id")
        return self


class ExportFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    #: Both of the above in one archive.
    ZIP = "zip"


class ExportQuery(WireModel):
    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    format: ExportFormat = ExportFormat.JSON


class EraseMode(StrEnum):
    #: The visitor and everything of theirs is deleted.
    DELETE = "delete"
    #: Conversations and messages are kept (records the tenant must keep), without a word or a name in them.
    ANONYMISE = "anonymise"


class EraseRequest(WireModel):
    # Strict models take no string for an enum; a JSON string naming a mode is what is sent.
    mode: Annotated[EraseMode, Field(strict=False)]


class OwnEraseRequest(WireModel):
    """The visitor's own erasure: everything of theirs deleted (anonymising is the tenant's choice)."""

    mode: Literal["delete"]


class ContactChange(WireModel):
    """The contact data as it should be; a field left out (or null) is removed."""

    name: DisplayName | None = None
    email: Email | None = None
    phone: Phone | None = None


class Rectification(WireModel):
    """``PATCH /api/subjects/<visitor_id>``: the fields sent are set, null clears one; those left out stay."""

    name: DisplayName | None = None
    alias: DisplayName | None = None
    contact: ContactChange | None = None

    def changes(self) -> dict[str, Any]:
        given = self.model_fields_set
        if not given:
            raise ValueError("nothing to change")
        out: dict[str, Any] = {key: getattr(self, key) for key in ("name", "alias") if key in given}
        if "contact" in given:
            out["contact"] = self.contact.model_dump(exclude_none=True) if self.contact else {}
        return out


class Restriction(WireModel):
    """``PUT /api/subjects/<visitor_id>/restriction``: restrict (true) or lift (false)."""

    restricted: bool


class RequestKind(StrEnum):
    """The rights of GDPR Art. 15–21 that an admin answers."""

    ACCESS = "access"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    RESTRICTION = "restriction"
    OBJECTION = "objection"


class RequestState(StrEnum):
    OPEN = "open"
    DONE = "done"


class LogRequest(WireModel):
    """``POST /api/subjects/requests``: a request received that is not answered at once (an objection, a
    request by letter), kept open with its deadline until it is marked done."""

    visitor_id: Id
    kind: Annotated[RequestKind, Field(strict=False)]
    note: Annotated[str, Field(max_length=500)] | None = None


class RequestsQuery(WireModel):
    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    cursor: Annotated[str, Field(max_length=200)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = PAGE


def one_month_later(received: datetime) -> datetime:
    """The deadline of Art. 12 (3): one month after receipt; the same day of the next month, or its last day
    when the next month is shorter (31 January → 28/29 February)."""
    year, month = (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    return received.replace(year=year, month=month, day=min(received.day, monthrange(year, month)[1]))


@dataclass(frozen=True)
class SubjectRequest:
    id: str
    tenant_id: str
    visitor_id: str
    kind: RequestKind
    state: RequestState
    received_at: datetime
    due_at: datetime
    by_id: str
    by_name: str
    done_at: datetime | None = None
    detail: dict[str, Any] | None = None

    def to_doc(self) -> dict[str, Any]:
        return {
            "_id": self.id,
            "tenant_id": self.tenant_id,
            "visitor_id": self.visitor_id,
            "kind": self.kind.value,
            "state": self.state.value,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "done_at": self.done_at,
            "by_id": self.by_id,
            "by_name": self.by_name,
            "detail": dict(self.detail or {}),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SubjectRequest:
        return cls(
            id=doc["_id"],
            tenant_id=doc["tenant_id"],
            visitor_id=doc["visitor_id"],
            kind=RequestKind(doc["kind"]),
            state=RequestState(doc["state"]),
            received_at=_utc(doc["received_at"]),
            due_at=_utc(doc["due_at"]),
            done_at=_utc(doc["done_at"]) if doc.get("done_at") else None,
            by_id=doc["by_id"],
            by_name=doc["by_name"],
            detail=doc.get("detail") or {},
        )

    def to_wire(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "visitor_id": self.visitor_id,
            "kind": self.kind.value,
            "state": self.state.value,
            "received_at": self.received_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "done_at": self.done_at.isoformat() if self.done_at else None,
            "overdue": self.state is RequestState.OPEN and now > self.due_at,
            "by": {"id": self.by_id, "display_name": self.by_name},
            "detail": dict(self.detail or {}),
        }


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
