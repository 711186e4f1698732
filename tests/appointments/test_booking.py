"""Booking in the chat through a live wsChat: an agent offers a type, the widget asks for slots in the
visitor's zone and books one; both sides get a mail with the .ics at a real SMTP server; the console lists
it; the mail's link cancels it with METHOD:CANCEL and frees the slot; ten visitors racing for one slot get
one booking."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest

from tests.appointments.conftest import BERT_MAIL, Desk, calendar_of
from tests.support import wait_for


async def _chat(desk: Desk) -> tuple[object, object, str]:
    bert = await desk.server.agent(desk.room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await desk.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    return visitor, bert, cid


def _token_of(text: str) -> str:
    link = next(word for word in text.split() if "/appointments/manage?token=" in word)
    return unquote(link.split("token=", 1)[1].rstrip(".,"))


@pytest.mark.both_backends
async def test_a_booking_in_the_chat_mails_both_sides_an_ics_and_the_link_cancels_it(desk: Desk) -> None:
    visitor, bert, cid = await _chat(desk)
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": desk.type_id})
    offer = await visitor.wait("message.new", lambda m: m["message"].get("event") == "appointment_offered")
    assert offer["message"]["data"]["type_id"] == desk.type_id

    slot = await desk.first_slot(visitor)
    ack = await visitor.ok("appointment.book", desk.booking(slot, conversation_id=cid))

    booked = ack["appointment"]
    assert (booked["start"], booked["status"]) == (slot["start"], "booked")
    await bert.wait("message.new", lambda m: m["message"].get("event") == "appointment_booked")
    listed = await desk.call("GET", "/api/appointments?range=week", token=desk.room.bert)
    assert [a["id"] for a in listed.body["appointments"]] == [booked["id"]]
    await wait_for(lambda: len(desk.room.smtp.received) == 2)
    by_recipient = {got.recipients[0]: got.message for got in desk.room.smtp.received}
    assert set(by_recipient) == {"sam@example.com", BERT_MAIL}
    for to, message in by_recipient.items():
        parsed = calendar_of(message)
        event = parsed.walk("VEVENT")[0]
        assert str(parsed["METHOD"]) == "REQUEST"
        assert event.decoded("DTSTART") == datetime.fromisoformat(slot["start"])
        assert event.decoded("DTEND") == datetime.fromisoformat(slot["end"])
        if to == BERT_MAIL:  # the agent starts the call in the console: no visitor's link in his copy
            assert str(event["LOCATION"]) == "Video call in the chat of Acme GmbH"
            assert "URL" not in event
        else:  # the visitor's place is the call page
            assert str(event["LOCATION"]).startswith(f"{desk.server.url}/appointments/join?token=")
            assert str(event["URL"]).startswith(f"{desk.server.url}/appointments/manage?token=")
    text = by_recipient["sam@example.com"].get_body(("plain",)).get_content()
    token = _token_of(text)

    page = await desk.server.http.get(f"{desk.server.url}/appointments/manage", params={"token": token})
    assert page.status == 200
    assert "Cancel this appointment" in await page.text()
    done = await desk.server.http.post(f"{desk.server.url}/appointments/manage/cancel", data={"token": token})
    assert done.status == 200
    assert "is cancelled" in await done.text()

    await wait_for(lambda: len(desk.room.smtp.received) == 4)
    for got in desk.room.smtp.received[2:]:
        parsed = calendar_of(got.message)
        assert str(parsed["METHOD"]) == "CANCEL"
        assert int(parsed.walk("VEVENT")[0]["SEQUENCE"]) == 1
    assert (await desk.first_slot(visitor)) == slot, "the slot is offered again"
    again = await desk.server.http.post(
        f"{desk.server.url}/appointments/manage/cancel", data={"token": token}
    )
    assert again.status == 409
    assert len(desk.room.smtp.received) == 4


@pytest.mark.both_backends
async def test_ten_visitors_racing_for_one_slot_get_one_booking(desk: Desk) -> None:
    # Each books the call back (no chat needed): the tenant offers it.
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    visitors = [await desk.server.visitor() for _ in range(10)]
    slot = await desk.first_slot(visitors[0])

    replies = await asyncio.gather(
        *(
            v.call("appointment.book", desk.booking(slot, email=f"v{n}@example.com"))
            for n, v in enumerate(visitors)
        )
    )

    assert sum(1 for r in replies if r["ok"]) == 1
    assert sorted(r["error"]["code"] for r in replies if not r["ok"]) == ["SLOT_TAKEN"] * 9
    assert len(await desk.appointments()) == 1
    assert (await desk.first_slot(visitors[0]))["start"] != slot["start"]


async def test_slots_are_given_on_the_visitors_dates_in_their_zone(desk: Desk) -> None:
    visitor = await desk.server.visitor()
    ack = await visitor.ok(
        "appointment.slots", {"type_id": desk.type_id, "time_zone": "Asia/Tokyo", "days": 3}
    )
    for day in ack["days"]:
        for slot in day["slots"]:
            start = datetime.fromisoformat(slot["start"])
            assert start.astimezone(ZoneInfo("Asia/Tokyo")).date().isoformat() == day["date"]
            assert datetime.fromisoformat(slot["end"]) - start == timedelta(minutes=30)
    assert ack["type"]["name"] == {"en": "Consultation", "de": "Beratung"}


@pytest.mark.both_backends
async def test_a_reminder_goes_out_a_day_before_once(desk: Desk) -> None:
    visitor = await desk.server.visitor()
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    later = (desk.server.clock() + timedelta(days=3)).date().isoformat()
    slot = await desk.first_slot(visitor, **{"from": later})
    await visitor.ok("appointment.book", desk.booking(slot, lang="de"))
    await wait_for(lambda: len(desk.room.smtp.received) == 2)
    changes = desk.server.app.runtime.appointments.changes

    assert await changes.send_reminders() == 0
    desk.server.clock.now = datetime.fromisoformat(slot["start"]) - timedelta(hours=24)
    assert await changes.send_reminders() == 1
    assert await changes.send_reminders() == 0

    await wait_for(lambda: len(desk.room.smtp.received) == 3)
    reminder = desk.room.smtp.received[2]
    assert reminder.recipients == ["sam@example.com"]
    assert reminder.message["Subject"] == "Erinnerung: Beratung morgen"


async def test_without_reminders_none_is_due(desk: Desk) -> None:
    settings = {"callback_offline": True, "callback_type_id": desk.type_id, "reminder": False}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    visitor = await desk.server.visitor()
    later = (desk.server.clock() + timedelta(days=3)).date().isoformat()
    await visitor.ok("appointment.book", desk.booking(await desk.first_slot(visitor, **{"from": later})))

    assert [a["remind_at"] for a in await desk.appointments()] == [None]


async def test_a_buffer_before_reaching_into_the_day_before_keeps_midnight_taken(desk: Desk) -> None:
    """A slot at midnight with an hour's buffer before it is blocked by a meeting at 23:00 the day before:
    the booked time read for a day starts that buffer earlier (it once started only a meeting earlier)."""
    body = {
        "name": {"en": "Late", "de": "Spät"},
        "duration": 30,
        "kind": "phone",
        "agent_ids": [desk.bert_id],
    }
    late = await desk.call("POST", "/api/appointments/types", body | {"buffer_before": 60})
    assert late.status == 201
    whole_day = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assert (
        await desk.call("PUT", f"/api/appointments/hours/{desk.bert_id}", {"week": whole_day})
    ).status == 200
    settings = {"callback_offline": True, "callback_type_id": late.body["type"]["id"]}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    visitor = await desk.server.visitor()
    day = (desk.server.clock() + timedelta(days=2)).date()
    query = {"time_zone": "Europe/Berlin", "from": day.isoformat(), "days": 1}
    evening = [s for s in (await visitor.ok("appointment.slots", query))["days"][0]["slots"]]
    berlin = ZoneInfo("Europe/Berlin")
    at_eleven = next(
        s
        for s in evening
        if datetime.fromisoformat(s["start"]).astimezone(berlin).strftime("%H:%M") == "23:00"
    )
    await visitor.ok("appointment.book", desk.booking(at_eleven, type_id=late.body["type"]["id"]))

    next_day = {**query, "from": (day + timedelta(days=1)).isoformat()}
    first = (await visitor.ok("appointment.slots", next_day))["days"][0]["slots"][0]

    local = datetime.fromisoformat(first["start"]).astimezone(ZoneInfo("Europe/Berlin"))
    assert local.strftime("%H:%M") == "00:30", "00:00 and 00:15 need the hour before free"


async def test_a_disabled_agent_is_offered_no_more(desk: Desk) -> None:
    visitor = await desk.server.visitor()
    assert await desk.first_slot(visitor)
    reply = await desk.call("PATCH", f"/api/agents/{desk.bert_id}", {"disabled": True})
    assert reply.status == 200, reply.body

    ack = await visitor.ok("appointment.slots", {"type_id": desk.type_id, "time_zone": "UTC"})

    assert ack["days"] == []
