"""Appointments reaching a tenant's CRM: ``appointment.booked`` and ``appointment.cancelled`` delivered by a
live wsChat to a real HTTP receiver (allowed through the operator's networks), signed, once each."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta

import aiohttp
import pytest

from tests.appointments.conftest import VISITOR_ZONE, Desk, set_up
from tests.mail.conftest import open_mailroom
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, wait_for
from tests.webhooks.receiver import Receiver
from wschat.config import Settings
from wschat.webhooks.signing import verify


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()
    await got.start()
    yield got
    await got.stop()


@pytest.fixture
async def hooked(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[Desk]:
    allowed = replace(settings, webhook_allow_networks="127.0.0.1/32")
    async with open_mailroom(allowed, clock, http, smtp) as room:
        yield await set_up(room)


@pytest.mark.both_backends
async def test_booked_and_cancelled_appointments_reach_the_crm_signed(
    hooked: Desk, receiver: Receiver
) -> None:
    events = ["appointment.booked", "appointment.moved", "appointment.cancelled"]
    registered = await hooked.call("POST", "/api/webhooks", {"url": receiver.url, "events": events})
    assert registered.status == 201, registered.body
    secret = registered.body["secret"]

    bert = await hooked.server.agent(hooked.room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await hooked.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid = (await visitor.wait("chat.assigned"))["conversation_id"]
    await bert.ok("appointment.offer", {"conversation_id": cid, "type_id": hooked.type_id})
    slot = await hooked.first_slot(visitor)
    booking = hooked.booking(slot, phone="+49 30 1234567", conversation_id=cid)
    ack = await visitor.ok("appointment.book", booking)
    appointment_id = ack["appointment"]["id"]
    await wait_for(lambda: len(receiver.received) == 1, timeout=10)
    start = datetime.fromisoformat(slot["start"]) + timedelta(hours=1)
    later = {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}
    moved = await hooked.call("POST", f"/api/appointments/{appointment_id}/move", later)
    assert moved.status == 200, moved.body
    await wait_for(lambda: len(receiver.received) == 2, timeout=10)
    cancelled = await hooked.call("POST", f"/api/appointments/{appointment_id}/cancel")
    assert cancelled.status == 200, cancelled.body
    await wait_for(lambda: len(receiver.received) == 3, timeout=10)

    bodies = []
    for got in receiver.received:
        assert verify(secret, got.headers["X-WsChat-Signature"], got.body, int(time.time()))
        bodies.append(json.loads(got.body))
    assert [(b["event"], b["data"]["appointment"]["status"]) for b in bodies] == [
        ("appointment.booked", "booked"),
        ("appointment.moved", "booked"),
        ("appointment.cancelled", "cancelled"),
    ]
    move = bodies[1]["data"]
    assert datetime.fromisoformat(move["appointment"]["start"]) == start
    assert datetime.fromisoformat(move["previous_start"]) == datetime.fromisoformat(slot["start"])
    booked = bodies[0]["data"]
    assert booked["appointment"]["id"] == appointment_id
    assert booked["appointment"]["agent_id"] == hooked.bert_id
    assert booked["appointment"]["conversation_id"] == cid
    assert booked["booker"] == {
        "name": "Sam Smith",
        "email": "sam@example.com",
        "phone": "+49 30 1234567",
        "lang": "en",
        "time_zone": VISITOR_ZONE,
    }
    assert booked["appointment"]["start"].endswith("Z")
    assert len({got.headers["X-WsChat-Delivery"] for got in receiver.received}) == 3
