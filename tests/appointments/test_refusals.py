"""Every bad input the issue names, through a live wsChat: a clear error with its stable code, and nothing
booked, changed or mailed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.appointments.conftest import EVERY_DAY, Desk
from tests.support import stored, wait_for
from wschat.accounts.models import Role
from wschat.appointments.tokens import AppointmentLinks


async def _in_chat(desk: Desk) -> tuple[Any, str]:
    bert = await desk.server.agent(desk.room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await desk.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": desk.type_id})
    return visitor, cid


async def _nothing_booked(desk: Desk) -> None:
    assert await desk.appointments() == []
    assert await stored(desk.server.app.runtime.db, "appointment_claims") == []
    assert await stored(desk.server.app.runtime.db, "outbox") == []


def _moved(slot: dict[str, str], **delta: float) -> dict[str, str]:
    start = datetime.fromisoformat(slot["start"]) + timedelta(**delta)
    end = datetime.fromisoformat(slot["end"]) + timedelta(**delta)
    return {"start": start.isoformat(), "end": end.isoformat()}


@pytest.mark.both_backends
async def test_a_slot_that_is_not_offered_is_refused_and_nothing_is_booked(desk: Desk) -> None:
    visitor, cid = await _in_chat(desk)
    slot = await desk.first_slot(visitor)
    now = desk.server.clock()
    past = {
        "start": (now - timedelta(hours=2)).isoformat(),
        "end": (now - timedelta(hours=1, minutes=30)).isoformat(),
    }
    night = datetime.fromisoformat(slot["start"]).replace(hour=1, minute=0) + timedelta(
        days=1
    )  # 02:00/03:00 Berlin
    outside = {"start": night.isoformat(), "end": (night + timedelta(minutes=30)).isoformat()}
    longer = {"start": slot["start"], "end": _moved(slot, minutes=15)["end"]}
    off_grid = _moved(slot, minutes=7)
    too_far = _moved(slot, days=40)
    naive = {"start": slot["start"][:19], "end": slot["end"][:19]}

    # The call back, so that each try comes from a visitor of its own (bookings are limited per visitor).
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    for bad in (past, outside, longer, off_grid, too_far, naive):
        other = await desk.server.visitor()
        assert await other.error("appointment.book", desk.booking(bad)) == "SLOT_NOT_OFFERED", bad
    assert (
        await visitor.error("appointment.book", desk.booking(past, conversation_id=cid)) == "SLOT_NOT_OFFERED"
    )

    await _nothing_booked(desk)


@pytest.mark.both_backends
async def test_a_taken_slot_is_refused_with_slot_taken(desk: Desk) -> None:
    visitor, cid = await _in_chat(desk)
    slot = await desk.first_slot(visitor)
    await visitor.ok("appointment.book", desk.booking(slot, conversation_id=cid))
    before = await desk.appointments()

    code = await visitor.error(
        "appointment.book", desk.booking(slot, conversation_id=cid, email="x@example.com")
    )
    # 15 minutes later overlaps the first one.
    overlap = await visitor.error(
        "appointment.book", desk.booking(_moved(slot, minutes=15), conversation_id=cid)
    )

    assert (code, overlap) == ("SLOT_TAKEN", "SLOT_TAKEN")
    assert await desk.appointments() == before


async def test_an_unknown_or_other_tenants_type_is_not_found(desk: Desk) -> None:
    visitor, cid = await _in_chat(desk)
    slot = await desk.first_slot(visitor)
    globex = await desk.server.make_tenant("globex")
    admin = await desk.server.make_user(globex, "gina", Role.ADMIN)
    token = await desk.server.login("globex", "gina")
    theirs = await desk.call(
        "POST",
        "/api/appointments/types",
        {"name": {"en": "X", "de": "X"}, "duration": 30, "kind": "phone", "agent_ids": [admin.id]},
        token=token,
    )
    assert theirs.status == 201

    for type_id in ("apt_000000000000000000000000", theirs.body["type"]["id"]):
        assert (
            await visitor.error("appointment.slots", {"type_id": type_id, "time_zone": "UTC"}) == "NOT_FOUND"
        )
        code = await visitor.error(
            "appointment.book", desk.booking(slot, type_id=type_id, conversation_id=cid)
        )
        assert code == "NOT_FOUND"
    await _nothing_booked(desk)


@pytest.mark.parametrize(
    "change",
    [
        {"email": "not-an-address"},
        {"email": "sam@example.com\r\nBcc: x@example.net"},
        {"email": {"$ne": None}},
        {"time_zone": "Europe/Atlantis"},
        {"time_zone": "../../etc/passwd"},
        {"phone": "call me"},
        {"name": ""},
        {"extra": 1},
    ],
)
async def test_bad_booking_fields_are_refused(desk: Desk, change: dict[str, Any]) -> None:
    visitor, cid = await _in_chat(desk)
    slot = await desk.first_slot(visitor)
    code = await visitor.error("appointment.book", desk.booking(slot, conversation_id=cid) | change)
    assert code == "VALIDATION_FAILED"
    await _nothing_booked(desk)


async def test_a_time_zone_that_does_not_exist_is_refused_for_slots(desk: Desk) -> None:
    visitor = await desk.server.visitor()
    code = await visitor.error("appointment.slots", {"type_id": desk.type_id, "time_zone": "Mars/Olympus"})
    assert code == "VALIDATION_FAILED"
    admin_code = await desk.call("PUT", "/api/appointments/settings", {"time_zone": "Europe/Atlantis"})
    assert admin_code.code == "VALIDATION_FAILED"
    assert (await desk.call("GET", "/api/appointments/settings")).body["settings"][
        "time_zone"
    ] == "Europe/Berlin"


@pytest.mark.parametrize(
    "week",
    [
        {"mon": [["10:00", "09:00"]]},
        {"mon": [["09:00", "09:00"]]},
        {"mon": [["09:00", "12:00"], ["11:30", "13:00"]]},
        {"mon": [["9:00", "12:00"]]},
        {"mon": [["09:00", "25:00"]]},
        {"someday": [["09:00", "12:00"]]},
    ],
)
async def test_hours_that_overlap_or_end_before_they_start_are_refused(
    desk: Desk, week: dict[str, Any]
) -> None:
    before = await desk.call("GET", f"/api/appointments/hours/{desk.bert_id}")

    reply = await desk.call("PUT", f"/api/appointments/hours/{desk.bert_id}", {"week": week})

    assert reply.code == "VALIDATION_FAILED"
    assert (await desk.call("GET", f"/api/appointments/hours/{desk.bert_id}")).body == before.body


async def test_an_exception_given_twice_is_refused(desk: Desk) -> None:
    body = {
        "week": EVERY_DAY,
        "exceptions": [{"date": "2030-01-01", "hours": []}, {"date": "2030-01-01", "hours": []}],
    }
    reply = await desk.call("PUT", f"/api/appointments/hours/{desk.bert_id}", body)
    assert reply.code == "VALIDATION_FAILED"


async def test_only_admins_change_the_set_up(desk: Desk) -> None:
    bert = desk.room.bert
    body = {"name": {"en": "X", "de": "X"}, "duration": 30, "kind": "phone", "agent_ids": [desk.bert_id]}
    assert (await desk.call("POST", "/api/appointments/types", body, token=bert)).code == "FORBIDDEN"
    assert (
        await desk.call("PUT", f"/api/appointments/hours/{desk.bert_id}", {"week": {}}, token=bert)
    ).code == "FORBIDDEN"
    assert (await desk.call("PUT", "/api/appointments/settings", {}, token=bert)).code == "FORBIDDEN"
    assert len((await desk.call("GET", "/api/appointments/types", token=bert)).body["types"]) == 1
    unknown = await desk.call(
        "POST", "/api/appointments/types", body | {"agent_ids": ["usr_000000000000000000000000"]}
    )
    assert unknown.code == "NOT_FOUND"
    on_site = await desk.call("POST", "/api/appointments/types", body | {"kind": "on_site"})
    assert on_site.code == "VALIDATION_FAILED"
    assert len((await desk.call("GET", "/api/appointments/types")).body["types"]) == 1


async def test_a_tampered_or_expired_link_changes_nothing(desk: Desk) -> None:
    """A link lives as long as its appointment (its current end, not the one the token was made with: a
    moved appointment keeps its links)."""
    visitor, cid = await _in_chat(desk)
    slot = await desk.first_slot(visitor)
    booked = (await visitor.ok("appointment.book", desk.booking(slot, conversation_id=cid)))["appointment"]
    secret = desk.server.app.runtime.settings.secret_key.reveal().encode()
    links = AppointmentLinks(secret)
    tenant = desk.room.acme.id
    end = datetime.fromisoformat(booked["end"])
    good = links.make(tenant, booked["id"], end)
    join = links.make(tenant, booked["id"], end, action="join")
    url = f"{desk.server.url}/appointments/manage"

    async def refused(token: str, status: int) -> None:
        page = await desk.server.http.get(url, params={"token": token})
        assert page.status == status
        posted = await desk.server.http.post(f"{url}/cancel", data={"token": token})
        assert posted.status == status
        assert "http" not in (await posted.text()).split("<main>")[1], "no link to anywhere"
        moved = await desk.server.http.post(f"{url}/move", data={"token": token, "slot": "x|y"})
        assert moved.status == status

    for token in (good[:-2], good + "x", "", join):
        await refused(token, 400)
    desk.server.clock.advance(seconds=(end - desk.server.clock()).total_seconds())
    await refused(good, 410)

    assert [a["status"] for a in await desk.appointments()] == ["booked"]
    assert len(desk.room.smtp.received) <= 2, "no mail but the booking's"


async def test_in_a_chat_only_an_offered_type_is_booked(desk: Desk) -> None:
    bert = await desk.server.agent(desk.room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await desk.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    other = await desk.call(
        "POST",
        "/api/appointments/types",
        {"name": {"en": "Quick", "de": "Kurz"}, "duration": 15, "kind": "phone", "agent_ids": [desk.bert_id]},
    )
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": other.body["type"]["id"]})
    slot = await desk.first_slot(visitor)

    # The consultation was never offered in this chat (the call back is no way around it either).
    error = await visitor.call("appointment.book", desk.booking(slot, conversation_id=cid))
    assert error["error"]["code"] == "FORBIDDEN"
    assert "offered" in error["error"]["message"]
    await _nothing_booked(desk)

    # Offered twice: two cards; either books.
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": desk.type_id})
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": desk.type_id})

    def offers() -> int:
        events = visitor.events
        return sum(
            1 for e, p in events if e == "message.new" and p["message"]["event"] == "appointment_offered"
        )

    await wait_for(lambda: offers() == 3)
    await visitor.ok("appointment.book", desk.booking(slot, conversation_id=cid))
    assert len(await desk.appointments()) == 1


async def test_a_call_back_is_refused_unless_the_tenant_offers_it(desk: Desk) -> None:
    visitor = await desk.server.visitor()
    assert await visitor.error("appointment.slots", {"time_zone": "UTC"}) == "FORBIDDEN"
    slot = {"start": "2030-01-01T09:00:00+00:00", "end": "2030-01-01T09:30:00+00:00"}
    assert await visitor.error("appointment.book", desk.booking(slot)) == "FORBIDDEN"

    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    ack = await visitor.ok("appointment.slots", {"time_zone": "UTC"})
    assert ack["type"]["id"] == desk.type_id
    await _nothing_booked(desk)
