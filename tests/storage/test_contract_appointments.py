"""Store contract: appointments (``wschat/appointments/store.py``) on both adapters: set-up records, a
booking's claims deciding races (ten visitors for one slot: one booking), cancelling frees the time,
reminders claimed once, a person's and a tenant's appointments deleted, tenant isolation."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from tests.storage.conftest import TwoTenants
from wschat.accounts.models import Tenant
from wschat.appointments.hours import AgentHours, Span
from wschat.appointments.models import (
    Appointment,
    AppointmentType,
    Kind,
    Settings,
    Status,
    hours_doc,
    hours_of,
)
from wschat.appointments.slots import Rules, cells
from wschat.appointments.store import Taken
from wschat.clock import new_id
from wschat.storage import Stores

START = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
RULES = Rules(timedelta(minutes=30), timedelta(minutes=10), timedelta(minutes=10))
AGENT = "usr_0123456789abcdef01234567"


def new_type(tenant: Tenant, **values: object) -> AppointmentType:
    fields: dict[str, object] = {
        "id": new_id("apt"),
        "tenant_id": tenant.id,
        "name": {"en": "Consultation", "de": "Beratung"},
        "duration": 30,
        "kind": Kind.VIDEO,
        "agent_ids": (AGENT,),
        "created_at": START,
    }
    return AppointmentType(**(fields | values))  # type: ignore[arg-type]


def new_appointment(
    tenant: Tenant, start: datetime = START, agent: str = AGENT, **values: object
) -> Appointment:
    blocked = RULES.blocked(start)
    fields: dict[str, object] = {
        "id": new_id("apm"),
        "tenant_id": tenant.id,
        "type_id": "apt_0123456789abcdef01234567",
        "title": {"en": "Consultation", "de": "Beratung"},
        "kind": Kind.VIDEO,
        "agent_id": agent,
        "starts_at": start,
        "ends_at": start + RULES.duration,
        "blocked_from": blocked[0],
        "blocked_until": blocked[1],
        "name": "Dora Dörfler",
        "email": "dora@example.org",
        "lang": "de",
        "time_zone": "America/New_York",
        "created_at": START - timedelta(days=3),
        "visitor_id": "vis_0123456789abcdef01234567",
        "conversation_id": "con_0123456789abcdef01234567",
        "remind_at": start - timedelta(hours=24),
    }
    return Appointment(**(fields | values))  # type: ignore[arg-type]


async def book(stores: Stores, appointment: Appointment) -> None:
    await stores.appointments.book(
        appointment.to_doc(), cells(appointment.blocked_from, appointment.blocked_until)
    )


async def stored(stores: Stores, tenant: Tenant) -> list[Appointment]:
    docs = await stores.appointments.between(
        tenant.id, START - timedelta(days=30), START + timedelta(days=30)
    )
    return [Appointment.from_doc(doc) for doc in docs]


async def test_types_hours_and_settings_round_trip_per_tenant(stores: Stores, two: TwoTenants) -> None:
    kind = new_type(two.a, kind=Kind.ON_SITE, address="Hauptstraße 1", buffer_before=15, min_notice=120)
    await stores.appointments.put_type(kind.to_doc())
    await stores.appointments.put_type(new_type(two.b).to_doc())
    hours = AgentHours(AGENT, {0: (Span(540, 720), Span(780, 1020))}, {START.date(): ()})
    await stores.appointments.put_hours(hours_doc(two.a.id, hours, START))
    await stores.appointments.put_settings(
        Settings(two.a.id, "Europe/Vienna", callback_offline=True).to_doc()
    )

    assert AppointmentType.from_doc(await stores.appointments.type_of(two.a.id, kind.id) or {}) == kind
    assert await stores.appointments.type_of(two.b.id, kind.id) is None
    assert [AppointmentType.from_doc(d) for d in await stores.appointments.types(two.a.id)] == [kind]
    assert hours_of((await stores.appointments.hours(two.a.id, [AGENT]))[0], AGENT) == hours
    assert await stores.appointments.hours(two.b.id, [AGENT]) == []
    assert Settings.from_doc(await stores.appointments.settings(two.a.id) or {}).time_zone == "Europe/Vienna"
    assert await stores.appointments.settings(two.b.id) is None

    changed = replace(kind, duration=45)
    await stores.appointments.put_type(changed.to_doc())
    assert [AppointmentType.from_doc(d) for d in await stores.appointments.types(two.a.id)] == [changed]
    assert not await stores.appointments.delete_type(two.b.id, kind.id)
    assert await stores.appointments.delete_type(two.a.id, kind.id)
    assert await stores.appointments.types(two.a.id) == []


async def test_a_booking_round_trips_and_blocks_its_cells(stores: Stores, two: TwoTenants) -> None:
    appointment = new_appointment(two.a, phone="+49 40 123456", location="")
    await book(stores, appointment)

    assert await stores.appointments.appointment(two.a.id, appointment.id) == appointment.to_doc()
    assert await stores.appointments.appointment(two.b.id, appointment.id) is None
    taken = await stores.appointments.taken(
        two.a.id, [AGENT], START - timedelta(hours=1), START + timedelta(hours=1)
    )
    assert taken[AGENT] == cells(appointment.blocked_from, appointment.blocked_until)
    other = await stores.appointments.taken(
        two.b.id, [AGENT], START - timedelta(hours=1), START + timedelta(hours=1)
    )
    assert other == {AGENT: []}


async def test_an_overlapping_booking_is_refused_whole(stores: Stores, two: TwoTenants) -> None:
    first = new_appointment(two.a)
    await book(stores, first)
    # Starts 35 minutes later: its buffer before meets the first one's buffer after.
    late = new_appointment(two.a, START + timedelta(minutes=35))

    with pytest.raises(Taken):
        await book(stores, late)

    assert await stored(stores, two.a) == [first]
    assert await stores.appointments.appointment(two.a.id, late.id) is None
    taken = await stores.appointments.taken(
        two.a.id, [AGENT], START - timedelta(hours=1), START + timedelta(hours=2)
    )
    assert taken[AGENT] == cells(first.blocked_from, first.blocked_until)
    # Another agent at the same time, and the first agent after the buffers, are free.
    await book(stores, new_appointment(two.a, agent="usr_ffffffffffffffffffffffff"))
    await book(stores, new_appointment(two.a, START + timedelta(minutes=50)))
    assert len(await stored(stores, two.a)) == 3


async def test_ten_visitors_racing_for_one_slot_get_one_booking(stores: Stores, two: TwoTenants) -> None:
    racers = [new_appointment(two.a, START + timedelta(minutes=n % 3 * 5)) for n in range(10)]

    results = await asyncio.gather(*(book(stores, racer) for racer in racers), return_exceptions=True)

    won = [racer for racer, result in zip(racers, results, strict=True) if result is None]
    assert len(won) == 1
    assert all(isinstance(result, Taken) for result in results if result is not None)
    assert await stored(stores, two.a) == won
    taken = await stores.appointments.taken(
        two.a.id, [AGENT], START - timedelta(hours=1), START + timedelta(hours=2)
    )
    assert taken[AGENT] == cells(won[0].blocked_from, won[0].blocked_until)


async def test_cancelling_frees_the_time_once(stores: Stores, two: TwoTenants) -> None:
    appointment = new_appointment(two.a)
    await book(stores, appointment)
    changes = {"cancelled_at": START - timedelta(days=1), "cancelled_by": "visitor"}

    assert await stores.appointments.cancel(two.b.id, appointment.id, 0, changes) is None
    results = await asyncio.gather(
        *(stores.appointments.cancel(two.a.id, appointment.id, 0, changes) for _ in range(5))
    )

    done = [Appointment.from_doc(doc) for doc in results if doc is not None]
    assert len(done) == 1
    assert done[0].status is Status.CANCELLED
    assert done[0].sequence == 1
    assert done[0].remind_at is None
    assert done[0].cancelled_by == "visitor"
    assert await stores.appointments.cancel(two.a.id, appointment.id, 1, changes) is None
    taken = await stores.appointments.taken(
        two.a.id, [AGENT], START - timedelta(hours=1), START + timedelta(hours=1)
    )
    assert taken[AGENT] == []
    again = new_appointment(two.a)
    await book(stores, again)
    assert [a.id for a in await stored(stores, two.a)] == sorted([appointment.id, again.id])


async def test_due_reminders_are_claimed_once(stores: Stores, two: TwoTenants) -> None:
    soon = new_appointment(two.a)
    later = new_appointment(two.b, START + timedelta(days=2))
    for appointment in (soon, later):
        await book(stores, appointment)

    due = await stores.appointments.due_reminders(START - timedelta(hours=23), 10)
    assert [doc["_id"] for doc in due] == [soon.id]
    results = await asyncio.gather(*(stores.appointments.reminded(two.a.id, soon.id) for _ in range(5)))
    assert results.count(True) == 1
    assert await stores.appointments.due_reminders(START - timedelta(hours=23), 10) == []
    assert not await stores.appointments.reminded(two.b.id, soon.id)


async def test_lists_by_agent_visitor_and_conversation(stores: Stores, two: TwoTenants) -> None:
    other_agent = "usr_ffffffffffffffffffffffff"
    mine = new_appointment(two.a)
    theirs = new_appointment(
        two.a,
        START + timedelta(hours=1),
        agent=other_agent,
        visitor_id="vis_ffffffffffffffffffffffff",
        conversation_id=None,
    )
    foreign = new_appointment(two.b)
    for appointment in (theirs, mine, foreign):
        await book(stores, appointment)
    since, until = START - timedelta(days=1), START + timedelta(days=1)

    assert [d["_id"] for d in await stores.appointments.between(two.a.id, since, until)] == [
        mine.id,
        theirs.id,
    ]
    assert [d["_id"] for d in await stores.appointments.between(two.a.id, since, until, other_agent)] == [
        theirs.id
    ]
    assert (
        await stores.appointments.between(two.a.id, START + timedelta(minutes=1), START + timedelta(hours=1))
        == []
    )
    assert [d["_id"] for d in await stores.appointments.of_visitor(two.a.id, mine.visitor_id or "")] == [
        mine.id
    ]
    assert [
        d["_id"] for d in await stores.appointments.of_conversation(two.a.id, mine.conversation_id or "")
    ] == [mine.id]
    assert await stores.appointments.of_visitor(two.b.id, "vis_ffffffffffffffffffffffff") == []


async def test_a_persons_and_old_appointments_are_deleted_with_their_claims(
    stores: Stores, two: TwoTenants
) -> None:
    mine = new_appointment(two.a)
    old = new_appointment(two.a, START - timedelta(days=10), visitor_id="vis_ffffffffffffffffffffffff")
    new = new_appointment(two.a, START + timedelta(days=10), visitor_id="vis_ffffffffffffffffffffffff")
    foreign = new_appointment(two.b)
    for appointment in (mine, old, new, foreign):
        await book(stores, appointment)

    assert await stores.appointments.delete_of_visitor(two.a.id, mine.visitor_id or "") == 1
    assert await stores.appointments.delete_ended_before(two.a.id, START - timedelta(days=1), 10) == 1
    assert await stored(stores, two.a) == [new]
    assert await stored(stores, two.b) == [foreign]
    taken = await stores.appointments.taken(
        two.a.id, [AGENT], START - timedelta(days=20), START + timedelta(days=20)
    )
    assert taken[AGENT] == cells(new.blocked_from, new.blocked_until)


async def test_a_tenants_deletion_takes_its_appointments(stores: Stores, two: TwoTenants) -> None:
    await stores.appointments.put_type(new_type(two.a).to_doc())
    await stores.appointments.put_hours(hours_doc(two.a.id, AgentHours(AGENT, {0: (Span(0, 60),)}), START))
    await stores.appointments.put_settings(Settings(two.a.id).to_doc())
    await book(stores, new_appointment(two.a))
    foreign = new_appointment(two.b)
    await book(stores, foreign)

    while await stores.tenant_data.delete_batch(two.a.id):
        pass

    assert await stores.appointments.types(two.a.id) == []
    assert await stores.appointments.hours(two.a.id, [AGENT]) == []
    assert await stores.appointments.settings(two.a.id) is None
    assert await stored(stores, two.a) == []
    assert await stored(stores, two.b) == [foreign]
