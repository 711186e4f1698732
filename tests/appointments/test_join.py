"""The join link of a video appointment through a live wsChat: the call page opens from 10 minutes before
the start until the end, in the tenant's design, with the strict policy; the widget's socket connects with
the link as the appointment's visitor, in a conversation claimed for the appointment's agent (never the
queue); the agent's *Start video call* opens that same conversation. A changed link, one made for another
action, one too early, one past the end and one of a cancelled appointment let nobody in and create
nothing."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest

from tests.appointments.conftest import Desk
from tests.support import Peer, stored
from wschat.appointments.tokens import AppointmentLinks


async def _book(desk: Desk, **more: Any) -> tuple[dict[str, Any], str]:
    booked, token, _ = await _book_by(desk, **more)
    return booked, token


async def _book_by(desk: Desk, **more: Any) -> tuple[dict[str, Any], str, str]:
    """The call back (a video one here), booked two days ahead by a visitor without a chat; its join token
    as the visitor's mail carries it, and the visitor's widget session."""
    settings = {"callback_offline": True, "callback_type_id": desk.type_id}
    assert (await desk.call("PUT", "/api/appointments/settings", settings)).status == 200
    visitor = await desk.server.visitor()
    later = (desk.server.clock() + timedelta(days=2)).date().isoformat()
    slot = await desk.first_slot(visitor, **{"from": later})
    booked = (await visitor.ok("appointment.book", desk.booking(slot, **more)))["appointment"]
    outbox = await desk.room.stored()
    text = next(mail for mail in outbox if mail.to == "sam@example.com").text
    link = next(word for word in text.split() if "/appointments/join?token=" in word)
    return booked, unquote(link.split("token=", 1)[1].rstrip(".,")), visitor.token


async def _page(desk: Desk, token: str) -> tuple[int, str, Any]:
    reply = await desk.server.http.get(f"{desk.server.url}/appointments/join", params={"token": token})
    return reply.status, await reply.text(), reply.headers


async def _at(desk: Desk, when: datetime) -> str:
    """Time goes on until ``when``; Bert signs in again then (his session of days ago is over)."""
    desk.server.clock.advance(seconds=(when - desk.server.clock()).total_seconds())
    token: str = await desk.server.login("acme", "bert")
    return token


async def _conversations(desk: Desk) -> list[dict[str, Any]]:
    return await stored(desk.server.app.runtime.db, "conversations")


@pytest.mark.both_backends
async def test_the_call_page_lets_the_visitor_in_only_in_its_time(desk: Desk) -> None:
    booked, token = await _book(desk)
    start, end = datetime.fromisoformat(booked["start"]), datetime.fromisoformat(booked["end"])
    auth = {"tenant": "acme", "token": "", "appointment": token}

    # Too early: the page says when to come back; the socket is refused; nothing is made.
    status, page, _ = await _page(desk, token)
    assert status == 409
    assert "Please come back then" in page
    assert (await desk.server.refused("/visitor", auth))["code"] == "TOO_EARLY"
    assert await _conversations(desk) == []

    # Ten minutes before: the page in the tenant's design, the widget on it in appointment mode.
    bert_token = await _at(desk, start - timedelta(minutes=10))
    status, page, headers = await _page(desk, token)
    assert status == 200
    assert "<strong>Acme GmbH</strong>" in page
    assert "Consultation" in page
    assert f'data-appointment="{token}"' in page
    assert 'src="/widget.js"' in page
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in page.split("<body>")[1], "nothing from anywhere else"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Referrer-Policy"] == "no-referrer"

    # The widget's socket: the appointment's visitor, in a chat claimed for Bert, not queued.
    bert = await desk.server.agent(bert_token)
    widget = Peer(await desk.server.connect("/visitor", auth), "/visitor")
    assigned = await bert.wait("chat.assigned")
    [conversation] = await _conversations(desk)
    assert (conversation["status"], conversation["agent_id"]) == ("active", desk.bert_id)
    assert conversation["visitor_id"] == (await desk.appointments())[0]["visitor_id"]
    assert assigned["conversation"]["id"] == conversation["_id"]
    current = await widget.ok("chat.current", {})
    assert current["conversation"]["id"] == conversation["_id"]
    assert [e for e, p in bert.events if e == "queue.updated" and p.get("added")] == []

    # Bert's "Start video call" opens the same conversation; a second connect makes no second one.
    reply = await desk.call("POST", f"/api/appointments/{booked['id']}/conversation", token=bert_token)
    assert reply.status == 200
    assert reply.body == {"conversation_id": conversation["_id"]}
    Peer(await desk.server.connect("/visitor", auth), "/visitor")
    assert len(await _conversations(desk)) == 1

    # Past the end: the link is over.
    await _at(desk, end)
    status, page, _ = await _page(desk, token)
    assert status == 410
    assert "expired" in page
    assert (await desk.server.refused("/visitor", auth))["code"] == "LINK_EXPIRED"


async def test_a_changed_foreign_or_cancelled_link_lets_nobody_in(desk: Desk) -> None:
    booked, token = await _book(desk)
    bert_token = await _at(desk, datetime.fromisoformat(booked["start"]))
    secret = desk.server.app.runtime.settings.secret_key.reveal().encode()
    links = AppointmentLinks(secret)
    end = datetime.fromisoformat(booked["end"])
    manage = links.make(desk.room.acme.id, booked["id"], end)  # genuine, but for another action
    stranger = AppointmentLinks(b"x" * 32).make(desk.room.acme.id, booked["id"], end, "join")
    for bad in (token[:-2], token + "A", manage, stranger, "", "join.1.2.3"):
        status, page, _ = await _page(desk, bad)
        assert status == 400
        assert "not valid" in page
        refusal = await desk.server.refused("/visitor", {"tenant": "acme", "appointment": bad, "token": ""})
        # An empty link is no link: the socket then needs a visitor session, and has none.
        assert refusal["code"] == ("AUTH_INVALID" if bad == "" else "LINK_INVALID")
    assert await _conversations(desk) == []

    # Another tenant's socket: the link is for acme only.
    await desk.server.make_tenant("globex")
    other = await desk.server.refused("/visitor", {"tenant": "globex", "appointment": token})
    assert other["code"] == "LINK_INVALID"

    cancelled = await desk.call("POST", f"/api/appointments/{booked['id']}/cancel", token=bert_token)
    assert cancelled.status == 200
    status, page, _ = await _page(desk, token)
    assert status == 409
    assert "cancelled" in page
    refusal = await desk.server.refused("/visitor", {"tenant": "acme", "appointment": token})
    assert refusal["code"] == "CONFLICT"
    assert await _conversations(desk) == []


async def test_only_the_appointments_agent_starts_its_call(desk: Desk) -> None:
    booked, _ = await _book(desk)
    path = f"/api/appointments/{booked['id']}/conversation"
    by_admin = await desk.call("POST", path)  # Anna is an admin, not the appointment's agent
    assert (by_admin.status, by_admin.code) == (403, "FORBIDDEN")
    unknown = await desk.call("POST", "/api/appointments/apm_000000000000000000000000/conversation")
    assert unknown.code == "NOT_FOUND"
    assert await _conversations(desk) == []

    # The visitor is not on the website: the conversation is made for Bert all the same.
    reply = await desk.call("POST", path, token=desk.room.bert)
    assert reply.status == 200
    [conversation] = await _conversations(desk)
    assert (conversation["_id"], conversation["agent_id"]) == (reply.body["conversation_id"], desk.bert_id)


async def test_a_waiting_chat_is_claimed_for_the_agent_and_a_colleagues_is_left_alone(desk: Desk) -> None:
    booked, token, session = await _book_by(desk)
    # Who booked stays (engaged): visitors idle for a day without a chat are deleted, they are not.
    assert (
        await desk.server.app.runtime.db.stores.visitors.delete_idle(
            desk.server.clock() + timedelta(days=9), 10
        )
        == []
    )
    bert_token = await _at(desk, datetime.fromisoformat(booked["start"]))
    anna_token = await desk.server.login("acme", "anna")
    path = f"/api/appointments/{booked['id']}/conversation"

    # Anna is online: a chat the visitor starts from the tenant's website goes to her.
    anna = await desk.server.agent(anna_token)
    await anna.ok("status.set", {"status": "online"})
    visitor = await desk.server.visitor(token=session)
    await visitor.ok("chat.start", {"alias": "Sam"})
    held = (await visitor.wait("chat.assigned"))["conversation_id"]
    reply = await desk.call("POST", path, token=bert_token)
    assert (reply.status, reply.code) == (409, "CONFLICT")
    assert "colleague" in reply.body["error"]["message"]
    # The call page still lets the visitor in, to the chat they have.
    widget = Peer(await desk.server.connect("/visitor", {"tenant": "acme", "appointment": token}), "/visitor")
    assert (await widget.ok("chat.current", {}))["conversation"]["id"] == held
    [conversation] = await _conversations(desk)
    assert conversation["agent_id"] != desk.bert_id

    # Anna ends it; the visitor's next chat waits (nobody else is online): the call page claims it for Bert.
    await anna.ok("chat.close", {"conversation_id": held})
    await anna.ok("status.set", {"status": "offline"})
    await visitor.ok("chat.start", {})
    waiting = [c for c in await _conversations(desk) if c["status"] == "queued"]
    assert len(waiting) == 1
    two = [desk.server.connect("/visitor", {"tenant": "acme", "appointment": token}) for _ in range(2)]
    await asyncio.gather(*two)
    claimed = [c for c in await _conversations(desk) if c["status"] != "closed"]
    assert [(c["_id"], c["agent_id"]) for c in claimed] == [(waiting[0]["_id"], desk.bert_id)]
