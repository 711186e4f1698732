"""Moving an appointment through a live wsChat, on both adapters: by the visitor on the manage page (a form
of free times, no script) and by the agent or an admin (``POST /api/appointments/{id}/move``). The new
time is claimed before the old one is freed; both sides get a METHOD:REQUEST for the same UID with
SEQUENCE + 1; the chat says so; the reminder follows; the old link still works. A time taken, not offered
or the same, a cancelled appointment, and two moves racing for one time: a clear error, nothing changed."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import unquote

import pytest

from tests.appointments.conftest import BERT_MAIL, Desk, calendar_of
from tests.support import stored, wait_for
from wschat.appointments.models import REMINDER_BEFORE


async def _booked_in_chat(desk: Desk, days: int = 2) -> tuple[Any, dict[str, Any], str]:
    """A visitor in a chat with Bert books the first time ``days`` ahead; the manage token of the mail."""
    bert = await desk.server.agent(desk.room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await desk.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": desk.type_id})
    later = (desk.server.clock() + timedelta(days=days)).date().isoformat()
    slot = await desk.first_slot(visitor, **{"from": later})
    booked = (await visitor.ok("appointment.book", desk.booking(slot, conversation_id=cid)))["appointment"]
    await wait_for(lambda: len(desk.room.smtp.received) == 2)
    text = next(m.message for m in desk.room.smtp.received if m.recipients == ["sam@example.com"])
    body = text.get_body(("plain",)).get_content()
    link = next(word for word in body.split() if "/appointments/manage?token=" in word)
    return visitor, booked, unquote(link.split("token=", 1)[1].rstrip(".,"))


async def _claims(desk: Desk) -> list[datetime]:
    found = await stored(desk.server.app.runtime.db, "appointment_claims")
    return sorted(claim["at"] for claim in found if claim["at"] is not None)


def later_day(html: str) -> str:
    """The ``from`` of the page's *Later days* link."""
    found = re.search(r"from=(\d{4}-\d{2}-\d{2})", html)
    assert found is not None
    return found.group(1)


def _later(booked: dict[str, Any], **delta: float) -> dict[str, str]:
    start = datetime.fromisoformat(booked["start"]) + timedelta(**delta)
    end = datetime.fromisoformat(booked["end"]) + timedelta(**delta)
    return {"start": start.isoformat(), "end": end.isoformat()}


@pytest.mark.both_backends
async def test_the_visitor_moves_it_on_the_manage_page_and_both_calendars_follow(desk: Desk) -> None:
    visitor, booked, token = await _booked_in_chat(desk)
    url = f"{desk.server.url}/appointments/manage"
    page = await desk.server.http.get(url, params={"token": token})
    html = await page.text()
    assert page.status == 200
    assert "Move to this time" in html
    assert "Times in your time zone (America/New_York)." in html
    offered = [unescape(value) for value in re.findall(r'name="slot" value="([^"]+)"', html)]
    assert f"{booked['start']}|{booked['end']}" not in offered, "its own time is no choice"
    # Its own time counts as free: fifteen minutes later (overlapping it) is offered.
    overlapping = _later(booked, minutes=15)
    assert f"{overlapping['start']}|{overlapping['end']}" in offered
    target = _later(booked, hours=1)
    assert f"{target['start']}|{target['end']}" in offered

    moved = await desk.server.http.post(
        f"{url}/move", data={"token": token, "slot": f"{target['start']}|{target['end']}"}
    )
    assert moved.status == 200
    assert "The appointment is moved." in await moved.text()

    [stored_one] = await desk.appointments()
    start = datetime.fromisoformat(target["start"])
    assert (stored_one["starts_at"], stored_one["sequence"], stored_one["status"]) == (start, 1, "booked")
    assert stored_one["remind_at"] == start - REMINDER_BEFORE, "the reminder follows"
    claims = await _claims(desk)
    assert claims[0] == start
    assert len(claims) == 6, "30 minutes: six cells, the old ones released"

    # Both sides: a REQUEST for the same UID, SEQUENCE 1, at the new time.
    await wait_for(lambda: len(desk.room.smtp.received) == 4)
    first = {m.recipients[0]: calendar_of(m.message) for m in desk.room.smtp.received[:2]}
    for got in desk.room.smtp.received[2:]:
        invite = calendar_of(got.message)
        event = invite.walk("VEVENT")[0]
        assert str(invite["METHOD"]) == "REQUEST"
        assert int(event["SEQUENCE"]) == 1
        assert str(event["UID"]) == str(first[got.recipients[0]].walk("VEVENT")[0]["UID"])
        assert event.decoded("DTSTART") == start
        assert got.message["Subject"].startswith("Moved:")
    assert {m.recipients[0] for m in desk.room.smtp.received[2:]} == {"sam@example.com", BERT_MAIL}

    # Later days: the next week's times, from the day the page names.
    html_later = await (
        await desk.server.http.get(url, params={"token": token, "from": later_day(html)})
    ).text()
    days = re.findall(r"<legend>(\w+day, [^<]+)</legend>", html_later)
    assert days
    assert days[0] not in re.findall(r"<legend>(\w+day, [^<]+)</legend>", html)

    # The chat says so; the old link (made for the old end) still opens it; the old time is free again.
    said = await visitor.wait("message.new", lambda m: m["message"].get("event") == "appointment_moved")
    assert said["message"]["data"]["previous_start"] == booked["start"]
    again = await desk.server.http.get(url, params={"token": token})
    assert again.status == 200
    assert "Move to this time" in await again.text()
    slot = await desk.first_slot(visitor, **{"from": booked["start"][:10]})
    assert slot["start"] == booked["start"]


@pytest.mark.both_backends
async def test_an_agent_moves_it_to_an_overlapping_time_and_bad_moves_change_nothing(desk: Desk) -> None:
    visitor, booked, token = await _booked_in_chat(desk)
    path = f"/api/appointments/{booked['id']}/move"

    # Another visitor takes the time an hour later.
    other = await desk.server.visitor()
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    taken = _later(booked, hours=1)
    assert (await other.call("appointment.book", desk.booking(taken, email="o@example.com")))["ok"]
    await wait_for(lambda: len(desk.room.smtp.received) == 4)
    before = (await desk.appointments(), await _claims(desk))

    now = desk.server.clock()
    past = {"start": (now - timedelta(hours=1)).isoformat(), "end": (now - timedelta(minutes=30)).isoformat()}
    for body, code in (
        (taken, "SLOT_TAKEN"),
        (_later(booked, minutes=7), "SLOT_NOT_OFFERED"),
        (past, "SLOT_NOT_OFFERED"),
        ({"start": booked["start"], "end": booked["end"]}, "SLOT_NOT_OFFERED"),
        ({"start": booked["start"]}, "VALIDATION_FAILED"),
    ):
        reply = await desk.call("POST", path, body, token=desk.room.bert)
        assert (reply.status, reply.code) == (409 if code != "VALIDATION_FAILED" else 400, code), body
    # The visitor's form, too: the time taken shows the times again with what went wrong.
    form = await desk.server.http.post(
        f"{desk.server.url}/appointments/manage/move",
        data={"token": token, "slot": f"{taken['start']}|{taken['end']}"},
    )
    assert form.status == 409
    assert "This time was just taken. Please pick another." in await form.text()
    assert (await desk.appointments(), await _claims(desk)) == before
    assert len(desk.room.smtp.received) == 4

    # Fifteen minutes later overlaps its own time: claimed around itself. An admin may move it, too.
    overlapping = _later(booked, minutes=15)
    reply = await desk.call("POST", path, overlapping)
    assert reply.status == 200, reply.body
    assert reply.body["appointment"]["start"] == datetime.fromisoformat(overlapping["start"]).isoformat()
    mine = [c for c in await _claims(desk) if c < datetime.fromisoformat(taken["start"])]
    assert mine[0] == datetime.fromisoformat(overlapping["start"])
    assert len(mine) == 6

    # Cancelled: it cannot be moved any more.
    assert (await desk.call("POST", f"/api/appointments/{booked['id']}/cancel")).status == 200
    reply = await desk.call("POST", path, _later(booked, hours=3), token=desk.room.bert)
    assert (reply.status, reply.code) == (409, "CONFLICT")
    page = await desk.server.http.post(
        f"{desk.server.url}/appointments/manage/move", data={"token": token, "slot": "x|y"}
    )
    assert page.status == 400  # not a time at all
    del visitor


@pytest.mark.both_backends
async def test_two_moves_racing_for_one_time_give_it_to_one(desk: Desk) -> None:
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    later = (desk.server.clock() + timedelta(days=2)).date().isoformat()
    ids = []
    for n in range(2):
        visitor = await desk.server.visitor()
        slot = await desk.first_slot(visitor, **{"from": later})
        booked = await visitor.ok("appointment.book", desk.booking(slot, email=f"v{n}@example.com"))
        ids.append(booked["appointment"]["id"])
    first = (await desk.appointments())[0]
    target = _later({"start": first["starts_at"].isoformat(), "end": first["ends_at"].isoformat()}, hours=2)
    claims = await _claims(desk)

    replies = await asyncio.gather(
        *(desk.call("POST", f"/api/appointments/{i}/move", target, token=desk.room.bert) for i in ids)
    )

    assert sorted(r.status for r in replies) == [200, 409]
    assert [r.code for r in replies if r.status == 409] == ["SLOT_TAKEN"]
    found = await desk.appointments()
    assert sorted(a["sequence"] for a in found) == [0, 1]
    assert len(await _claims(desk)) == len(claims), "the winner's old cells went, its new ones came"
    assert datetime.fromisoformat(target["start"]) in await _claims(desk)
