"""The audit log records appointments' changes by people in the console: an admin's set-up (types, hours,
settings) and an agent's or admin's cancel and move, each with its actor and target and never the person's
name or address; the visitor's own cancel through the mail's link is no console action."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.appointments.conftest import Desk


async def _log(desk: Desk) -> list[dict[str, Any]]:
    reply = await desk.call("GET", "/api/audit?action=appointment.*")
    assert reply.status == 200, reply.body
    entries: list[dict[str, Any]] = reply.body["entries"]
    return entries[::-1]  # oldest first


async def test_set_up_cancels_and_moves_in_the_console_are_recorded(desk: Desk) -> None:
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    visitor = await desk.server.visitor()
    later = (desk.server.clock() + timedelta(days=2)).date().isoformat()
    slot = await desk.first_slot(visitor, **{"from": later})
    booked = (await visitor.ok("appointment.book", desk.booking(slot)))["appointment"]
    start = datetime.fromisoformat(booked["start"])
    moved_to = {
        "start": (start + timedelta(hours=1)).isoformat(),
        "end": (start + timedelta(hours=1, minutes=30)).isoformat(),
    }
    moved = await desk.call("POST", f"/api/appointments/{booked['id']}/move", moved_to, token=desk.room.bert)
    assert moved.status == 200, moved.body
    assert (await desk.call("POST", f"/api/appointments/{booked['id']}/cancel")).status == 200
    refused = await desk.call("POST", f"/api/appointments/{booked['id']}/move", moved_to)
    assert refused.status == 409
    deleted = await desk.call("DELETE", f"/api/appointments/types/{desk.type_id}")
    assert deleted.status == 204

    entries = {e["action"]: e for e in await _log(desk)}  # one of each (the clock stands still: no order)

    assert sorted(entries) == [
        "appointment.cancelled",
        "appointment.hours_saved",
        "appointment.moved",
        "appointment.settings_saved",
        "appointment.type_deleted",
        "appointment.type_saved",
    ], "the refused move left no entry"
    assert len(await _log(desk)) == 6
    move, cancel = entries["appointment.moved"], entries["appointment.cancelled"]
    assert (move["actor"]["kind"], move["actor"]["id"]) == ("agent", desk.bert_id)
    assert cancel["actor"]["kind"] == "admin"
    visitor_id = (await desk.appointments())[0]["visitor_id"]
    assert move["target"] == cancel["target"] == {"kind": "visitor", "id": visitor_id}
    assert move["details"] == {
        "appointment_id": booked["id"],
        "from": start.isoformat(),
        "to": (start + timedelta(hours=1)).isoformat(),
    }
    assert entries["appointment.hours_saved"]["target"] == {"kind": "user", "id": desk.bert_id}
    assert entries["appointment.type_saved"]["details"]["created"] is True
    assert entries["appointment.settings_saved"]["details"]["callback_offline"] is True
    text = str(entries)
    assert "sam@example.com" not in text
    assert "Sam Smith" not in text
