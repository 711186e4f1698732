"""Appointments are the visitor's data: in their export, gone with their erasure (the slot free again),
and deleted by the tenant's retention of chat data, counted from their end."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.appointments.conftest import BERT_MAIL, Desk, calendar_of
from tests.retention.conftest import run, set_retention
from tests.support import stored, wait_for


async def _booked_in_chat(desk: Desk) -> tuple[object, str, dict[str, str]]:
    bert = await desk.server.agent(desk.room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await desk.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": desk.type_id})
    slot = await desk.first_slot(visitor)
    await visitor.ok("appointment.book", desk.booking(slot, conversation_id=cid, phone="+1 212 555 0100"))
    return visitor, cid, slot


@pytest.mark.both_backends
async def test_the_export_holds_the_appointments_and_the_erasure_takes_them(desk: Desk) -> None:
    visitor, cid, slot = await _booked_in_chat(desk)
    visitor_id = (await desk.appointments())[0]["visitor_id"]
    await wait_for(lambda: len(desk.room.smtp.received) == 2)

    export = await desk.call("GET", f"/api/subjects/{visitor_id}/export?format=json")
    assert export.status == 200
    (booked,) = export.body["appointments"]
    assert (booked["start"], booked["email"], booked["phone"]) == (
        datetime.fromisoformat(slot["start"]).isoformat(),
        "sam@example.com",
        "+1 212 555 0100",
    )
    assert any(mail["to"] == "sam@example.com" for mail in export.body["mails"]), "the booking's mail"

    await visitor.ok("chat.end", {"conversation_id": cid})
    erased = await desk.call("POST", f"/api/subjects/{visitor_id}/erase", {"mode": "anonymise"})

    assert erased.status == 200
    assert erased.body["erased"]["counts"]["appointments"] == 1
    db = desk.server.app.runtime.db
    assert await desk.appointments() == []
    assert await stored(db, "appointment_claims") == []
    assert await stored(db, "outbox", to="sam@example.com") == []
    other = await desk.server.visitor()
    assert (await desk.first_slot(other)) == slot, "its time is free again"

    # Bert's calendar drops it: a METHOD:CANCEL that names nobody; the erased person is sent nothing.
    await wait_for(lambda: len(desk.room.smtp.received) == 3)
    cancel = desk.room.smtp.received[2]
    assert cancel.recipients == [BERT_MAIL]
    invite = calendar_of(cancel.message)
    event = invite.walk("VEVENT")[0]
    assert (str(invite["METHOD"]), int(event["SEQUENCE"])) == ("CANCEL", 1)
    assert event.decoded("DTSTART") == datetime.fromisoformat(slot["start"])
    assert "ATTENDEE" not in event
    raw = cancel.message.as_string()
    assert "sam@example.com" not in raw
    assert "Sam Smith" not in raw


@pytest.mark.both_backends
async def test_retention_deletes_appointments_with_the_chat_data(desk: Desk) -> None:
    await set_retention(desk.server, desk.room.anna, {"days": {"chat": 30}})
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    early, late = await desk.server.visitor(), await desk.server.visitor()
    first = await desk.first_slot(early)
    await early.ok("appointment.book", desk.booking(first))
    later_day = (desk.server.clock() + timedelta(days=5)).date().isoformat()
    await late.ok("appointment.book", desk.booking(await desk.first_slot(late, **{"from": later_day})))

    desk.server.clock.now = datetime.fromisoformat(first["end"]) + timedelta(days=32)
    report = await run(desk.server)

    assert report.counts["acme"]["chat"]["appointments"] == 1
    left = await desk.appointments()
    assert [a["starts_at"].date().isoformat() >= later_day for a in left] == [True]


async def test_the_archive_entry_of_the_chat_shows_its_appointment(desk: Desk) -> None:
    visitor, cid, slot = await _booked_in_chat(desk)
    await visitor.ok("chat.end", {"conversation_id": cid})

    opened = await desk.call("GET", f"/api/archive/{cid}")

    assert opened.status == 200
    (booked,) = opened.body["appointments"]
    assert booked["start"] == datetime.fromisoformat(slot["start"]).isoformat()
    assert (booked["status"], booked["name"]) == ("booked", "Sam Smith")
