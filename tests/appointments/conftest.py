"""A live wsChat sending mail through a real SMTP server (aiosmtpd), tenant ``acme`` with admin Anna and
agent Bert, and an appointment type Bert takes every day from 08:00 to 20:00 (Europe/Berlin)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiohttp
import icalendar
import pytest

from tests.mail.conftest import Mailroom, open_mailroom
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, Peer, stored
from wschat.config import Settings

EVERY_DAY = {day: [["08:00", "20:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
BERT_MAIL = "bert@acme.example"
VISITOR_ZONE = "America/New_York"


@dataclass
class Desk:
    room: Mailroom
    type_id: str
    bert_id: str

    @property
    def server(self) -> Any:
        return self.room.server

    async def call(self, method: str, path: str, json: object = None, token: str | None = None) -> Any:
        return await self.room.call(method, path, json, token)

    async def appointments(self) -> list[dict[str, Any]]:
        return await stored(self.server.app.runtime.db, "appointments")

    async def first_slot(self, visitor: Peer, **query: Any) -> dict[str, Any]:
        ack = await visitor.ok(
            "appointment.slots", {"type_id": self.type_id, "time_zone": VISITOR_ZONE} | query
        )
        days = [day for day in ack["days"] if day["slots"]]
        assert days, ack
        slot: dict[str, Any] = days[0]["slots"][0]
        return slot

    def booking(self, slot: dict[str, Any], **more: Any) -> dict[str, Any]:
        return {
            "type_id": self.type_id,
            "start": slot["start"],
            "end": slot["end"],
            "time_zone": VISITOR_ZONE,
            "name": "Sam Smith",
            "email": "sam@example.com",
            "lang": "en",
        } | more


async def set_up(room: Mailroom, **type_fields: Any) -> Desk:
    bert = next(
        u for u in await room.server.app.runtime.db.stores.users.all(room.acme.id) if u.login == "bert"
    )
    body = {
        "name": {"en": "Consultation", "de": "Beratung"},
        "duration": 30,
        "kind": "video",
        "agent_ids": [bert.id],
    } | type_fields
    reply = await room.call("POST", "/api/appointments/types", body)
    assert reply.status == 201, reply.body
    hours = await room.call(
        "PUT", f"/api/appointments/hours/{bert.id}", {"week": EVERY_DAY, "email": BERT_MAIL}
    )
    assert hours.status == 200, hours.body
    return Desk(room, reply.body["type"]["id"], bert.id)


@pytest.fixture
async def desk(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[Desk]:
    async with open_mailroom(settings, clock, http, smtp) as room:
        yield await set_up(room)


def calendar_of(message: EmailMessage) -> icalendar.Calendar:
    """The ``text/calendar`` attachment of a mail, parsed by a real iCalendar parser."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            return icalendar.Calendar.from_ical(part.get_payload(decode=True))
    raise AssertionError("no text/calendar part")
