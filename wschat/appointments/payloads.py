"""The acks of the appointments' Socket.IO events (docs/protocol.md, *Appointments*)."""

from __future__ import annotations

from typing import TypedDict

from wschat.appointments.models import Appointment


class SlotWire(TypedDict):
    start: str
    end: str


class DayWire(TypedDict):
    #: The visitor's date (in the zone they asked in).
    date: str
    slots: list[SlotWire]


class OfferedTypeWire(TypedDict):
    id: str
    name: dict[str, str]
    duration: int
    kind: str


class SlotsAck(TypedDict):
    type: OfferedTypeWire
    time_zone: str
    days: list[DayWire]
    #: The ``from`` of the next page of days.
    next: str


class BookedWire(TypedDict):
    id: str
    title: dict[str, str]
    kind: str
    start: str
    end: str
    location: str
    status: str


class BookAck(TypedDict):
    appointment: BookedWire


def booked_wire(appointment: Appointment) -> BookedWire:
    """What the visitor sees of their booking."""
    return {
        "id": appointment.id,
        "title": dict(appointment.title),
        "kind": appointment.kind.value,
        "start": appointment.starts_at.isoformat(),
        "end": appointment.ends_at.isoformat(),
        "location": appointment.location,
        "status": appointment.status.value,
    }
