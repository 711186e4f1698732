"""What appointments need from storage. Implemented in ``wschat/storage/`` (``sqlite/appointments.py``,
``mongo/appointments.py``); every method takes the tenant and filters by it.

A booking is stored with one *claim* per five-minute cell of the time it blocks (``slots.cells``), each
under the unique key ``<tenant id>:<agent id>@<cell>``: of two bookings that would overlap, the second
finds a cell claimed and is refused whole, nothing of it stored. Cancelling releases the cells. A change of an
appointment (cancelling it, its reminder going out) is claimed once as ``<appointment id>#<change>`` in
the same table, so that of two that race exactly one goes through, on MongoDB and on FerretDB alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from wschat.records import Document

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def claim_rows(doc: Document, cells: Sequence[datetime]) -> list[Document]:
    """The claims of an appointment record's cells, each under its unique key
    ``<tenant id>:<agent id>@<cell>``."""
    agent = doc["agent_id"]
    return [
        {
            "_id": f"{doc['tenant_id']}:{agent}@{(cell - _EPOCH) // timedelta(microseconds=1)}",
            "tenant_id": doc["tenant_id"],
            "agent_id": agent,
            "appointment_id": doc["_id"],
            "at": cell,
        }
        for cell in cells
    ]


class Taken(Exception):
    """A cell the booking needs is claimed already; nothing of the booking was stored."""


class AppointmentStore(Protocol):
    # -- set-up ------------------------------------------------------------------------------------------
    async def put_type(self, doc: Document) -> None:
        """Insert or replace the tenant's type ``doc["_id"]``."""

    async def type_of(self, tenant_id: str, type_id: str) -> Document | None: ...

    async def types(self, tenant_id: str) -> list[Document]: ...

    async def delete_type(self, tenant_id: str, type_id: str) -> bool: ...

    async def put_hours(self, doc: Document) -> None:
        """Insert or replace an agent's hours (one record per agent)."""

    async def hours(self, tenant_id: str, agent_ids: Sequence[str]) -> list[Document]: ...

    async def put_settings(self, doc: Document) -> None: ...

    async def settings(self, tenant_id: str) -> Document | None: ...

    # -- appointments ------------------------------------------------------------------------------------
    async def book(self, doc: Document, cells: Sequence[datetime]) -> None:
        """Store the appointment with a claim on each of its agent's ``cells``. Raises :class:`Taken`."""

    async def appointment(self, tenant_id: str, appointment_id: str) -> Document | None: ...

    async def cancel(
        self, tenant_id: str, appointment_id: str, sequence: int, changes: Document
    ) -> Document | None:
        """Mark a booked appointment cancelled with ``changes`` and release its cells, if its ``sequence`` is
        still the one given (the change claims ``sequence + 1``); returns it as stored, None if someone
        else changed it first or it is not booked."""

    async def move(self, before: Document, changes: Document, cells: Sequence[datetime]) -> Document | None:
        """Move the booked appointment ``before`` to ``changes`` (its new start, end, blocked time, agent,
        reminder), if its ``sequence`` is still ``before``'s: first the new ``cells`` (of
        ``changes["agent_id"]``) are claimed, those it does not hold already, then the appointment is stored
        with ``sequence + 1``, then the cells it no longer needs are released. Raises :class:`Taken`
        (a new cell is someone else's: nothing changed); returns it as stored, None if someone else changed
        it first or it is not booked (nothing changed)."""

    async def repair(self, before: datetime, limit: int) -> int:
        """Settle what a process that died inside a booking or change left behind (claims made before
        ``before`` and still pending), at most ``limit`` claims' worth; returns how many claims changed.
        SQLite's transactions leave nothing: 0 there."""

    async def taken(
        self, tenant_id: str, agent_ids: Sequence[str], since: datetime, until: datetime
    ) -> dict[str, list[datetime]]:
        """The claimed cells of these agents in ``[since, until)``, per agent."""

    async def between(
        self, tenant_id: str, since: datetime, until: datetime, agent_id: str | None = None
    ) -> list[Document]:
        """The appointments (cancelled ones too) starting in ``[since, until)``, by start; one agent's
        or everyone's."""

    async def due_reminders(self, now: datetime, limit: int) -> list[Document]:
        """Booked appointments of any tenant whose reminder is due (``remind_at`` ≤ now), oldest first."""

    async def reminded(self, tenant_id: str, appointment_id: str) -> bool:
        """Clear the reminder of an appointment; True for exactly one of several callers."""

    async def of_visitor(self, tenant_id: str, visitor_id: str) -> list[Document]: ...

    async def of_conversation(self, tenant_id: str, conversation_id: str) -> list[Document]: ...

    async def delete_of_visitor(self, tenant_id: str, visitor_id: str) -> int:
        """Delete a person's appointments with their claims; returns how many appointments went."""

    async def delete_ended_before(self, tenant_id: str, before: datetime, limit: int) -> int:
        """Delete up to ``limit`` of the tenant's appointments that ended before ``before``, with their
        claims, oldest first; returns how many went (fewer than ``limit``: none older is left)."""
