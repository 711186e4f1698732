"""Appointments as the rules see them (types, a booked appointment, a tenant's settings) and as they cross
the boundary (the admin's set-up, the widget's questions and bookings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, model_validator

from wschat.appointments.hours import WEEKDAYS, AgentHours, Span, check_spans, parse_clock, zone_of
from wschat.appointments.slots import Rules
from wschat.records import Document
from wschat.visitors.models import Email, Phone
from wschat.wire import DisplayName, Id, WireModel

DEFAULT_ZONE = "Europe/Berlin"
Lang = Literal["en", "de"]
#: How far ahead a reminder goes out, when the tenant has reminders on.
REMINDER_BEFORE = timedelta(hours=24)
MAX_AGENTS = 50
MAX_EXCEPTIONS = 400


class Kind(StrEnum):
    VIDEO = "video"
    PHONE = "phone"
    ON_SITE = "on_site"


class Status(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AppointmentType:
    id: str
    tenant_id: str
    name: dict[str, str]
    duration: int
    kind: Kind
    agent_ids: tuple[str, ...]
    created_at: datetime
    address: str = ""
    buffer_before: int = 0
    buffer_after: int = 0
    min_notice: int = 0
    horizon_days: int = 30

    @property
    def rules(self) -> Rules:
        return Rules(
            duration=timedelta(minutes=self.duration),
            buffer_before=timedelta(minutes=self.buffer_before),
            buffer_after=timedelta(minutes=self.buffer_after),
            min_notice=timedelta(minutes=self.min_notice),
            horizon_days=self.horizon_days,
        )

    def title(self, lang: str) -> str:
        return self.name.get(lang) or self.name["en"]

    def to_doc(self) -> Document:
        doc = {k: v for k, v in self.__dict__.items() if k != "id"}
        return {"_id": self.id, **doc, "kind": self.kind.value, "agent_ids": list(self.agent_ids)}

    @classmethod
    def from_doc(cls, doc: Document) -> AppointmentType:
        values = {k: v for k, v in doc.items() if k != "_id"}
        return cls(
            id=doc["_id"], **values | {"kind": Kind(doc["kind"]), "agent_ids": tuple(doc["agent_ids"])}
        )

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": dict(self.name),
            "duration": self.duration,
            "kind": self.kind.value,
            "address": self.address,
            "buffer_before": self.buffer_before,
            "buffer_after": self.buffer_after,
            "min_notice": self.min_notice,
            "horizon_days": self.horizon_days,
            "agent_ids": list(self.agent_ids),
        }

    def offer_wire(self, lang: str) -> dict[str, Any]:
        """What a visitor sees of the type: never which agents take it."""
        return {"id": self.id, "name": self.title(lang), "duration": self.duration, "kind": self.kind.value}


@dataclass(frozen=True)
class Settings:
    tenant_id: str
    time_zone: str = DEFAULT_ZONE
    #: The widget offers "Book a call back" while no agent is online.
    callback_offline: bool = False
    #: A reminder mail goes out 24 hours before each appointment.
    reminder: bool = True
    #: The type the call back books (None: the first type by name).
    callback_type_id: str | None = None

    def to_doc(self) -> Document:
        return {"_id": self.tenant_id, **self.__dict__}

    @classmethod
    def from_doc(cls, doc: Document) -> Settings:
        return cls(**{k: v for k, v in doc.items() if k != "_id"})

    def to_wire(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "tenant_id"}


@dataclass(frozen=True)
class Appointment:
    id: str
    tenant_id: str
    type_id: str
    #: The type's name in both languages, its kind and place when booked (a type changed later leaves it).
    title: dict[str, str]
    kind: Kind
    agent_id: str
    starts_at: datetime
    ends_at: datetime
    blocked_from: datetime
    blocked_until: datetime
    name: str
    email: str
    lang: Lang
    #: The visitor's time zone, for the times in their mails.
    time_zone: str
    created_at: datetime
    status: Status = Status.BOOKED
    location: str = ""
    phone: str | None = None
    visitor_id: str | None = None
    conversation_id: str | None = None
    #: Bumped by every change the visitor's calendar must learn of (RFC 5545 ``SEQUENCE``).
    sequence: int = 0
    #: When the reminder is due; None once it went out, or with reminders off.
    remind_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None

    def to_doc(self) -> Document:
        doc = {k: v for k, v in self.__dict__.items() if k != "id"}
        return {"_id": self.id, **doc, "kind": self.kind.value, "status": self.status.value}

    @classmethod
    def from_doc(cls, doc: Document) -> Appointment:
        values = {k: v for k, v in doc.items() if k != "_id" and k in _APPOINTMENT_FIELDS}
        return cls(id=doc["_id"], **values | {"kind": Kind(doc["kind"]), "status": Status(doc["status"])})

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type_id": self.type_id,
            "title": dict(self.title),
            "kind": self.kind.value,
            "agent_id": self.agent_id,
            "start": self.starts_at.isoformat(),
            "end": self.ends_at.isoformat(),
            "status": self.status.value,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "location": self.location,
            "time_zone": self.time_zone,
            "visitor_id": self.visitor_id,
            "conversation_id": self.conversation_id,
            "created_at": self.created_at.isoformat(),
            "cancelled_at": self.cancelled_at.isoformat() if self.cancelled_at else None,
        }


_APPOINTMENT_FIELDS = set(Appointment.__dataclass_fields__) - {"id"}


def hours_of(doc: Document | None, agent_id: str) -> AgentHours:
    """An agent's stored hours (none stored: no hours at all)."""
    if doc is None:
        return AgentHours(agent_id)
    week = {int(day): _spans_of(spans) for day, spans in doc["week"].items()}
    exceptions = {date.fromisoformat(day): _spans_of(spans) for day, spans in doc["exceptions"].items()}
    return AgentHours(agent_id, week, exceptions)


def _spans_of(stored: list[Document]) -> tuple[Span, ...]:
    return tuple(Span(span["start"], span["end"]) for span in stored)


def _stored(spans: tuple[Span, ...]) -> list[Document]:
    # Objects, not pairs: FerretDB stores no nested arrays.
    return [{"start": span.start, "end": span.end} for span in spans]


def hours_doc(tenant_id: str, hours: AgentHours, now: datetime) -> Document:
    return {
        "_id": f"hrs_{hours.agent_id.partition('_')[2]}",
        "tenant_id": tenant_id,
        "agent_id": hours.agent_id,
        "week": {str(day): _stored(spans) for day, spans in hours.week.items()},
        "exceptions": {d.isoformat(): _stored(spans) for d, spans in hours.exceptions.items()},
        "updated_at": now,
    }


def hours_wire(hours: AgentHours) -> dict[str, Any]:
    return {
        "agent_id": hours.agent_id,
        "week": {WEEKDAYS[day]: [s.wire() for s in spans] for day, spans in sorted(hours.week.items())},
        "exceptions": [
            {"date": d.isoformat(), "hours": [s.wire() for s in spans]}
            for d, spans in sorted(hours.exceptions.items())
        ],
    }


# -- the boundary --------------------------------------------------------------------------------------------


def _minutes_on_grid(value: int) -> int:
    if value % 5:
        raise ValueError("must be a multiple of 5 minutes")
    return value


def _zone(value: str) -> str:
    zone_of(value)
    return value


Minutes = Annotated[int, AfterValidator(_minutes_on_grid)]
ZoneName = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_zone)]
Clock = Annotated[str, Field(min_length=5, max_length=5)]
Address = Annotated[str, Field(max_length=300)]


class Names(WireModel):
    en: DisplayName
    de: DisplayName


class TypeBody(WireModel):
    """``POST /api/appointments/types`` and ``PUT …/types/{id}``: a type, whole."""

    name: Names
    duration: Annotated[Minutes, Field(ge=5, le=8 * 60)]
    kind: Annotated[Kind, Field(strict=False)]
    address: Address = ""
    buffer_before: Annotated[Minutes, Field(ge=0, le=240)] = 0
    buffer_after: Annotated[Minutes, Field(ge=0, le=240)] = 0
    #: Minutes between now and the earliest slot offered.
    min_notice: Annotated[int, Field(ge=0, le=60 * 24 * 60)] = 0
    horizon_days: Annotated[int, Field(ge=1, le=365)] = 30
    agent_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_AGENTS)]

    @model_validator(mode="after")
    def _address(self) -> TypeBody:
        if self.kind is Kind.ON_SITE and not self.address.strip():
            raise ValueError("an appointment on site needs its address")
        return self


def _spans(value: list[tuple[Clock, Clock]]) -> tuple[Span, ...]:
    return check_spans(Span(parse_clock(a), parse_clock(b)) for a, b in value)


# A pair as a JSON array: the pair is read leniently (a list), its two times strictly as text.
DaySpans = Annotated[list[Annotated[tuple[Clock, Clock], Field(strict=False)]], Field(max_length=12)]


class ExceptionBody(WireModel):
    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    date: date
    #: The day's hours instead of the week's: none is a day off.
    hours: DaySpans = []


class HoursBody(WireModel):
    """``PUT /api/appointments/hours/{agent_id}``: the agent's week (``mon`` … ``sun``) and exceptions."""

    week: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], DaySpans] = {}
    exceptions: Annotated[list[ExceptionBody], Field(max_length=MAX_EXCEPTIONS)] = []
    #: Where this agent's appointment mails go (agents have no address of their own); none: no mails.
    email: Email | None = None

    def to_hours(self, agent_id: str) -> AgentHours:
        """Raises ValueError (a span that ends before it starts, spans that overlap, a date twice)."""
        week = {WEEKDAYS.index(day): _spans(spans) for day, spans in self.week.items()}
        exceptions: dict[date, tuple[Span, ...]] = {}
        for item in self.exceptions:
            if item.date in exceptions:
                raise ValueError(f"{item.date.isoformat()} is given twice")
            exceptions[item.date] = _spans(item.hours)
        return AgentHours(agent_id, {d: s for d, s in week.items() if s}, exceptions)


class SettingsBody(WireModel):
    time_zone: ZoneName = DEFAULT_ZONE
    callback_offline: bool = False
    reminder: bool = True
    callback_type_id: Id | None = None


class SlotsQuery(WireModel):
    """``appointment.slots``: a type's free slots on ``days`` of the visitor's dates from ``from``; without
    ``type_id``, the call back's (while the tenant offers one)."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    type_id: Id | None = None
    time_zone: ZoneName
    from_date: date | None = Field(default=None, alias="from")
    days: Annotated[int, Field(ge=1, le=14)] = 7


class BookingBody(WireModel):
    """``appointment.book``: one offered slot, and who the appointment is for."""

    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    type_id: Id
    start: datetime
    end: datetime
    time_zone: ZoneName
    name: DisplayName
    email: Email
    phone: Phone | None = None
    lang: Lang = "en"
    conversation_id: Id | None = None


class OfferBody(WireModel):
    """``appointment.offer`` (agent): offer a type in one of their chats."""

    conversation_id: Id
    type_id: Id


class UpcomingQuery(WireModel):
    model_config = ConfigDict(**WireModel.model_config | {"strict": False})

    #: ``today`` or ``week`` (the next seven days), in the tenant's zone.
    range: Literal["today", "week"] = "week"
    #: Admins: one agent's, or everyone's (left out).
    agent_id: Id | None = None


@dataclass(frozen=True)
class Booked:
    """A booking was stored (for the chat's system message and the console)."""

    appointment: Appointment
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AppointmentBooked:
    """A domain event: a booking was stored and its mails queued (webhooks follow it)."""

    appointment: Appointment


@dataclass(frozen=True)
class AppointmentMoved:
    """A domain event: an appointment was moved from ``previous_start`` (its ``sequence`` counts changes)."""

    appointment: Appointment
    previous_start: datetime


@dataclass(frozen=True)
class AppointmentCancelled:
    """A domain event: an appointment was cancelled, by the visitor's link or in the console."""

    appointment: Appointment


@dataclass(frozen=True)
class AppointmentsWithdrawn:
    """A domain event: an erasure deleted a person's appointments still to come (their agents' calendars
    drop them; the person, whose address went with them, is sent nothing)."""

    tenant_id: str
    appointments: tuple[Appointment, ...]
