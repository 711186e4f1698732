"""Store contract: moving an appointment (``AppointmentStore.move``) on both adapters: the new cells are
claimed around the ones it holds, the old ones released, ``sequence`` + 1; a cell someone else holds, a
stale sequence, another tenant or a cancelled appointment change nothing; of moves racing, one wins; the
reminder of a moved appointment is claimed again."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from tests.storage.conftest import TwoTenants
from tests.storage.test_contract_appointments import AGENT, RULES, START, book, new_appointment, stored
from wschat.appointments.models import Appointment
from wschat.appointments.slots import cells
from wschat.appointments.store import Taken
from wschat.storage import Stores


def to(appointment: Appointment, minutes: int) -> tuple[dict[str, Any], list[Any]]:
    """The changes that move ``appointment`` by ``minutes``, and the cells it then blocks."""
    start = appointment.starts_at + timedelta(minutes=minutes)
    blocked = RULES.blocked(start)
    changes = {
        "agent_id": appointment.agent_id,
        "starts_at": start,
        "ends_at": start + RULES.duration,
        "blocked_from": blocked[0],
        "blocked_until": blocked[1],
        "remind_at": start - timedelta(hours=24),
    }
    return changes, cells(*blocked)


async def taken(stores: Stores, two: TwoTenants) -> list[Any]:
    found = await stores.appointments.taken(
        two.a.id, [AGENT], START - timedelta(hours=2), START + timedelta(hours=6)
    )
    return found[AGENT]


async def test_a_move_claims_the_new_time_around_its_own_and_frees_the_old(
    stores: Stores, two: TwoTenants
) -> None:
    appointment = new_appointment(two.a)
    await book(stores, appointment)
    changes, new_cells = to(appointment, 15)  # overlaps its own time

    doc = await stores.appointments.move(appointment.to_doc(), changes, new_cells)

    assert doc is not None
    moved = Appointment.from_doc(doc)
    assert (moved.starts_at, moved.sequence, moved.remind_at) == (
        changes["starts_at"],
        1,
        changes["remind_at"],
    )
    assert await taken(stores, two) == new_cells
    assert await stored(stores, two.a) == [moved]
    # The old sequence is stale now; the new one moves it again.
    assert await stores.appointments.move(appointment.to_doc(), *to(appointment, 60)) is None
    assert await stores.appointments.move(moved.to_doc(), *to(appointment, 120)) is not None
    assert await taken(stores, two) == to(appointment, 120)[1]


@pytest.mark.parametrize("minutes", [35, 60])
async def test_a_move_onto_taken_time_changes_nothing(stores: Stores, two: TwoTenants, minutes: int) -> None:
    appointment = new_appointment(two.a)
    other = new_appointment(two.a, START + timedelta(hours=1, minutes=30))
    for booked in (appointment, other):
        await book(stores, booked)
    before = await taken(stores, two)

    with pytest.raises(Taken):
        await stores.appointments.move(appointment.to_doc(), *to(appointment, minutes + 30))

    assert await taken(stores, two) == before
    assert await stored(stores, two.a) == [appointment, other]
    # Nothing of the failed move stays in the way: it moves elsewhere, and cancels, afterwards.
    assert await stores.appointments.move(appointment.to_doc(), *to(appointment, 180)) is not None
    changes = {"cancelled_at": START, "cancelled_by": "agent"}
    assert await stores.appointments.cancel(two.a.id, appointment.id, 1, changes) is not None


async def test_another_tenant_or_a_cancelled_appointment_is_not_moved(
    stores: Stores, two: TwoTenants
) -> None:
    appointment = new_appointment(two.a)
    await book(stores, appointment)
    foreign = appointment.to_doc() | {"tenant_id": two.b.id}
    assert await stores.appointments.move(foreign, *to(appointment, 60)) is None
    changes = {"cancelled_at": START, "cancelled_by": "agent"}
    cancelled = await stores.appointments.cancel(two.a.id, appointment.id, 0, changes)
    assert cancelled is not None
    assert await stores.appointments.move(cancelled, *to(appointment, 60)) is None
    assert await taken(stores, two) == []


async def test_moves_racing_for_one_appointment_let_one_win(stores: Stores, two: TwoTenants) -> None:
    appointment = new_appointment(two.a)
    await book(stores, appointment)

    results = await asyncio.gather(
        *(stores.appointments.move(appointment.to_doc(), *to(appointment, 60 * n)) for n in range(1, 6)),
        return_exceptions=True,
    )

    won = [Appointment.from_doc(r) for r in results if isinstance(r, dict)]
    assert len(won) == 1, results
    assert all(r is None or isinstance(r, (dict, Taken)) for r in results)
    assert await taken(stores, two) == cells(won[0].blocked_from, won[0].blocked_until)
    assert await stored(stores, two.a) == won


async def test_a_moved_appointments_reminder_is_claimed_again(stores: Stores, two: TwoTenants) -> None:
    appointment = new_appointment(two.a)
    await book(stores, appointment)
    assert await stores.appointments.reminded(two.a.id, appointment.id)
    doc = await stores.appointments.appointment(two.a.id, appointment.id)
    assert doc is not None

    moved = await stores.appointments.move(doc, *to(appointment, 60))

    assert moved is not None
    due = await stores.appointments.due_reminders(START + timedelta(hours=1), 10)
    assert [d["_id"] for d in due] == [appointment.id]
    assert await stores.appointments.reminded(two.a.id, appointment.id)
    assert not await stores.appointments.reminded(two.a.id, appointment.id)
