"""The appointment events' fixtures in tests/fixtures/protocol/ are what the server really accepts and
answers (the front end tests against the same files)."""

from __future__ import annotations

from typing import Any

from tests.appointments.conftest import VISITOR_ZONE, Desk
from tests.chat.test_protocol_fixtures import CLIENT, same_shape


async def test_real_appointment_traffic_matches_the_fixtures(desk: Desk) -> None:
    bert = await desk.server.agent(desk.room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await desk.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    fixture = CLIENT[("/visitor", "appointment.slots")]["payload"]
    acks: dict[tuple[str, str], Any] = {
        ("/agent", "appointment.offer"): await bert.ok(
            "appointment.offer", {"conversation_id": cid, "type_id": desk.type_id}
        ),
        ("/visitor", "appointment.slots"): await visitor.ok(
            "appointment.slots", fixture | {"type_id": desk.type_id, "from": None, "time_zone": VISITOR_ZONE}
        ),
    }
    slot = await desk.first_slot(visitor)
    booking = CLIENT[("/visitor", "appointment.book")]["payload"] | desk.booking(slot, conversation_id=cid)
    acks[("/visitor", "appointment.book")] = await visitor.ok("appointment.book", booking)

    appointment_events = {key for key in CLIENT if key[1].startswith("appointment.")}
    assert set(acks) == appointment_events
    for key, reply in acks.items():
        same_shape(reply, CLIENT[key]["ack"], f"{key[1]} ack")
