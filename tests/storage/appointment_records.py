"""Appointment records for the installation-wide storage tests (copy, database API, query plans): a type,
an agent's hours, the tenant's settings, and a booked appointment with its claims."""

from __future__ import annotations

from datetime import timedelta

from tests.storage.builders import at
from wschat.accounts.models import Tenant
from wschat.appointments.hours import AgentHours, Span
from wschat.appointments.models import Appointment, AppointmentType, Kind, Settings, hours_doc
from wschat.appointments.slots import cells
from wschat.clock import new_id
from wschat.storage import Stores


def appointment_type(tenant: Tenant, agent_id: str) -> AppointmentType:
    name = {"en": "Consultation", "de": "Beratung"}
    agents = (agent_id,)
    return AppointmentType(new_id("apt"), tenant.id, name, 30, Kind.VIDEO, agents, at(0), buffer_after=10)


def appointment(tenant: Tenant, kind: AppointmentType, visitor_id: str, starts: float) -> Appointment:
    start = at(starts)
    return Appointment(
        id=new_id("apm"), tenant_id=tenant.id, type_id=kind.id, title=dict(kind.name), kind=kind.kind,
        agent_id=kind.agent_ids[0], starts_at=start, ends_at=start + timedelta(minutes=30),
        blocked_from=start, blocked_until=start + timedelta(minutes=40), name="Dora",
        email="dora@example.org", lang="de", time_zone="Europe/Berlin", created_at=at(1),
        visitor_id=visitor_id, remind_at=start - timedelta(hours=24),
    )  # fmt: skip


async def add_appointments(stores: Stores, tenant: Tenant, agent_id: str, visitor_id: str) -> Appointment:
    """The tenant's set-up and one booked appointment of ``visitor_id`` a day from ``at(0)``."""
    kind = appointment_type(tenant, agent_id)
    await stores.appointments.put_type(kind.to_doc())
    hours = AgentHours(agent_id, {0: (Span(540, 1020),)}, {at(0).date(): ()})
    await stores.appointments.put_hours(hours_doc(tenant.id, hours, at(0)))
    await stores.appointments.put_settings(Settings(tenant.id, callback_offline=True).to_doc())
    booked = appointment(tenant, kind, visitor_id, 86400)
    await stores.appointments.book(booked.to_doc(), cells(booked.blocked_from, booked.blocked_until))
    return booked
