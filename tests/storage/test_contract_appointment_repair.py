"""The crash windows of the MongoDB adapter's bookings and changes, closed: a process that dies between the
steps leaves claims *pending*, and ``repair`` sets them right against the appointment as stored (the states
are made here as such a process leaves them). On SQLite every booking and change is one transaction:
nothing is ever left, and ``repair`` has nothing to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.storage.conftest import TwoTenants
from tests.storage.test_contract_appointment_moves import taken, to
from tests.storage.test_contract_appointments import START, book, new_appointment, stored
from wschat.appointments.slots import cells
from wschat.appointments.store import claim_rows
from wschat.records import Document
from wschat.storage import Stores
from wschat.storage.mongo.appointments import MongoAppointmentStore

MONGO = pytest.mark.parametrize("adapter", ["mongodb"], indirect=True)
LONG_AGO = datetime.now(UTC) - timedelta(hours=1)


def later() -> datetime:
    """A cut-off after everything the test made: whatever is pending counts as interrupted."""
    return datetime.now(UTC) + timedelta(minutes=1)


def mongo(stores: Stores) -> MongoAppointmentStore:
    store = stores.appointments
    assert isinstance(store, MongoAppointmentStore)
    return store


async def claims_of(stores: Stores, appointment_id: str) -> list[Document]:
    return [c async for c in mongo(stores)._claims.find({"appointment_id": appointment_id})]


@MONGO
async def test_a_booking_that_died_before_its_appointment_frees_its_time(
    stores: Stores, two: TwoTenants
) -> None:
    lost = new_appointment(two.a)
    rows = [
        row | {"pending": LONG_AGO}
        for row in claim_rows(lost.to_doc(), cells(lost.blocked_from, lost.blocked_until))
    ]
    await mongo(stores)._claims.insert_many(rows)
    # A booking under way right now (its claims pending since after the cut-off) is left alone.
    now_booking = new_appointment(two.a, START + timedelta(hours=3))
    fresh = claim_rows(now_booking.to_doc(), cells(now_booking.blocked_from, now_booking.blocked_until))
    await mongo(stores)._claims.insert_many([row | {"pending": datetime.now(UTC)} for row in fresh])

    assert await stores.appointments.repair(datetime.now(UTC) - timedelta(minutes=10), 100) == len(rows)

    assert await taken(stores, two) == cells(now_booking.blocked_from, now_booking.blocked_until)
    await book(stores, new_appointment(two.a))  # the time is free again
    assert await stores.appointments.repair(later(), 100) == len(fresh), "the other one, once stale"


@MONGO
async def test_a_cancel_that_died_before_it_was_applied_is_released(stores: Stores, two: TwoTenants) -> None:
    appointment = new_appointment(two.a)
    await book(stores, appointment)
    claim = {
        "_id": f"{appointment.id}#1",
        "tenant_id": two.a.id,
        "agent_id": "",
        "appointment_id": appointment.id,
    }
    await mongo(stores)._claims.insert_one(claim | {"at": None, "pending": LONG_AGO})
    changes = {"cancelled_at": START, "cancelled_by": "agent"}
    assert await stores.appointments.cancel(two.a.id, appointment.id, 0, changes) is None, "stuck"

    assert await stores.appointments.repair(later(), 100) == 1

    assert await stores.appointments.cancel(two.a.id, appointment.id, 0, changes) is not None
    assert await taken(stores, two) == []


@MONGO
async def test_a_cancel_that_died_before_freeing_the_time_frees_it(stores: Stores, two: TwoTenants) -> None:
    appointment = new_appointment(two.a)
    await book(stores, appointment)
    store = mongo(stores)
    claim = {
        "_id": f"{appointment.id}#1",
        "tenant_id": two.a.id,
        "agent_id": "",
        "appointment_id": appointment.id,
    }
    await store._claims.insert_one(claim | {"at": None, "pending": LONG_AGO})
    state = {"status": "cancelled", "sequence": 1, "remind_at": None}
    await store._appointments.update_one({"_id": appointment.id}, {"$set": state})
    assert await taken(stores, two) != []

    await stores.appointments.repair(later(), 100)

    assert await taken(stores, two) == []
    assert [c["_id"] for c in await claims_of(stores, appointment.id)] == [f"{appointment.id}#1"]
    assert "pending" not in (await claims_of(stores, appointment.id))[0]


@MONGO
async def test_a_move_that_died_halfway_keeps_one_time(stores: Stores, two: TwoTenants) -> None:
    store = mongo(stores)
    # Died after claiming the new cells, before storing the move: the old time stays, the new one goes.
    first = new_appointment(two.a)
    await book(stores, first)
    changes, new_cells = to(first, 120)
    claim = {"_id": f"{first.id}#1", "tenant_id": two.a.id, "agent_id": "", "appointment_id": first.id}
    await store._claims.insert_one(claim | {"at": None, "pending": LONG_AGO})
    rows = claim_rows(first.to_doc() | changes, new_cells)
    await store._claims.insert_many([row | {"pending": LONG_AGO} for row in rows])

    await stores.appointments.repair(later(), 100)

    assert await taken(stores, two) == cells(first.blocked_from, first.blocked_until)
    assert await stores.appointments.move(first.to_doc(), changes, new_cells) is not None, "movable again"
    # Died after storing a move, before releasing the old cells: the new time stays, the old one goes.
    doc = await stores.appointments.appointment(two.a.id, first.id)
    assert doc is not None
    again, newer = to(first, 240)
    claim = {"_id": f"{first.id}#2", "tenant_id": two.a.id, "agent_id": "", "appointment_id": first.id}
    await store._claims.insert_one(claim | {"at": None, "pending": LONG_AGO})
    await store._claims.insert_many([row | {"pending": LONG_AGO} for row in claim_rows(doc | again, newer)])
    await store._appointments.update_one({"_id": first.id}, {"$set": again | {"sequence": 2}})

    await stores.appointments.repair(later(), 100)

    assert await taken(stores, two) == newer
    assert [a.starts_at for a in await stored(stores, two.a)] == [again["starts_at"]]
    assert [c for c in await claims_of(stores, first.id) if "pending" in c] == []


async def test_nothing_is_ever_left_to_repair(stores: Stores, two: TwoTenants) -> None:
    """On both adapters: bookings, a refused one, a move, a cancel and a reminder leave nothing pending."""
    appointment = new_appointment(two.a)
    await book(stores, appointment)
    await book(stores, other := new_appointment(two.a, START + timedelta(hours=2)))
    moved = await stores.appointments.move(appointment.to_doc(), *to(appointment, 60))
    assert moved is not None
    assert await stores.appointments.reminded(two.a.id, appointment.id)
    assert await stores.appointments.cancel(two.a.id, other.id, 0, {"cancelled_at": START}) is not None

    assert await stores.appointments.repair(later(), 100) == 0
    assert await taken(stores, two) == to(appointment, 60)[1]
