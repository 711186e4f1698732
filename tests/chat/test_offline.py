"""Offline messages: left in the widget while nobody is online, counted live in the consoles, listed, answered
by e-mail through the outbox, and marked done; every bad request refused with nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.chat.conftest import Team
from tests.mail.conftest import serving_mail
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, LiveServer, stored, wait_for
from wschat.accounts.models import Role
from wschat.config import Settings

FORM = {"name": "Sam Smith", "email": "sam@example.com", "text": "Bitte rufen Sie mich zurück.", "lang": "de"}


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    """The chat tests' server, sending mail through ``smtp``."""
    async with serving_mail(settings, clock, http, smtp) as live:
        yield live


async def _conversations(team: Team) -> list[dict[str, object]]:
    return await stored(team.server.app.runtime.db, "conversations")


@pytest.mark.both_backends
async def test_offline_message_is_counted_listed_answered_by_mail_and_done(
    team: Team, smtp: SmtpServer
) -> None:
    bert = await team.agent("bert", online=False)
    visitor = await team.server.visitor()

    ack = await visitor.ok("offline.leave", FORM)

    assert (await bert.wait("offline.count")) == {"open": 1}
    assert (await bert.ok("queue.list"))["conversations"] == [], "never queued"
    [doc] = await _conversations(team)
    assert (doc["origin"], doc["status"], doc["answer_state"]) == ("offline_form", "closed", "open")
    listed = await team.server.request("GET", "/api/offline", token=team.tokens["bert"])
    assert listed.body["open"] == 1
    [item] = listed.body["items"]
    assert item["id"] == ack["id"]
    assert (item["text"], item["email"], item["visitor"]["display_name"]) == (
        FORM["text"],
        "sam@example.com",
        "Sam Smith",
    )

    reply = await team.server.request(
        "POST",
        f"/api/offline/{ack['id']}/answer",
        json={"text": "Gern, morgen um 10 Uhr."},
        token=team.tokens["bert"],
    )
    assert reply.status == 202, reply.body
    await wait_for(lambda: len(smtp.received) == 1)
    got = smtp.received[0]
    assert got.recipients == ["sam@example.com"]
    assert got.message["Subject"] == "Unsere Antwort auf Ihre Nachricht an Acme GmbH"
    plain = next(iter(got.message.iter_parts())).get_content()
    assert "Gern, morgen um 10 Uhr." in plain
    assert FORM["text"] in plain
    kept = await stored(team.server.app.runtime.db, "messages", conversation_id=ack["id"])
    texts = [m["text"] for m in sorted(kept, key=lambda m: m["seq"])]
    assert texts == [FORM["text"], "Gern, morgen um 10 Uhr."]

    done = await team.server.request("POST", f"/api/offline/{ack['id']}/done", token=team.tokens["bert"])
    assert done.status == 200, done.body
    assert (done.body["item"]["answer_state"], done.body["item"]["done_by"]) == ("done", team.bert.id)
    assert done.body["item"]["done_at"] is not None
    await bert.wait("offline.count", lambda p: p == {"open": 0})
    listed = await team.server.request("GET", "/api/offline", token=team.tokens["bert"])
    assert (listed.body["items"], listed.body["open"]) == ([], 0)


async def test_offline_message_is_refused_while_an_agent_is_online(team: Team) -> None:
    await team.agent("bert")
    visitor = await team.server.visitor()

    assert await visitor.error("offline.leave", FORM) == "AGENTS_ONLINE"
    assert await _conversations(team) == []


@pytest.mark.both_backends
async def test_offline_form_sent_again_with_its_client_id_returns_the_item_it_made(team: Team) -> None:
    """The widget sends the form again when the first got no answer: one item, one message, one count —
    also when an agent came online in between (the first sending was stored before)."""
    bert = await team.agent("bert", online=False)
    visitor = await team.server.visitor()
    form = FORM | {"client_id": "form-1"}

    first = await visitor.ok("offline.leave", form)
    await bert.wait("offline.count", lambda p: p == {"open": 1})
    again = await visitor.ok("offline.leave", form)
    await bert.ok("status.set", {"status": "online"})
    after_online = await visitor.ok("offline.leave", form)
    other = await team.server.visitor()
    assert await other.error("offline.leave", form) == "AGENTS_ONLINE", "another visitor's id is another item"

    assert first["id"] == again["id"] == after_online["id"]
    [doc] = await _conversations(team)
    assert doc["_id"] == first["id"]
    messages = await stored(team.server.app.runtime.db, "messages")
    assert [m["text"] for m in messages] == [FORM["text"]]
    listed = await team.server.request("GET", "/api/offline", token=team.tokens["bert"])
    assert listed.body["open"] == 1


@pytest.mark.parametrize(
    "change",
    [
        {"text": ""},
        {"text": " \t "},
        {"text": "x" * 20_001},
        {"text": "x" * 4001},
        {"email": "sam@example.com\r\nBcc: spam@example.net"},
        {"email": "sam@example.com, spam@example.net"},
        {"email": ""},
        {"email": None},
        {"name": "x" * 81},
    ],
)
async def test_offline_message_with_bad_input_is_refused_and_nothing_stored(
    team: Team, change: dict[str, object]
) -> None:
    visitor = await team.server.visitor()

    assert await visitor.error("offline.leave", FORM | change) == "VALIDATION_FAILED"
    assert await _conversations(team) == []
    assert await stored(team.server.app.runtime.db, "messages") == []


async def test_offline_list_pages_oldest_first(team: Team) -> None:
    ids = []
    for n in range(3):
        visitor = await team.server.visitor()
        ids.append((await visitor.ok("offline.leave", FORM | {"text": f"Nachricht {n}"}))["id"])
        team.server.clock.advance(seconds=1)

    first = await team.server.request("GET", "/api/offline?limit=2", token=team.tokens["bert"])
    assert [i["id"] for i in first.body["items"]] == ids[:2]
    after = first.body["next_after"]
    second = await team.server.request(
        "GET", f"/api/offline?limit=2&after={after}", token=team.tokens["bert"]
    )
    assert [i["id"] for i in second.body["items"]] == ids[2:]
    assert (second.body["next_after"], second.body["open"]) == (None, 3)


async def test_offline_items_of_another_tenant_and_chats_are_not_found(team: Team, smtp: SmtpServer) -> None:
    visitor = await team.server.visitor()
    item = (await visitor.ok("offline.leave", FORM))["id"]
    chat = (await visitor.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
    other = await team.server.make_tenant("globex")
    await team.server.make_user(other, "gus", Role.ADMIN)
    gus = await team.server.login("globex", "gus")

    for path in (f"/api/offline/{item}/answer", f"/api/offline/{item}/done"):
        reply = await team.server.request("POST", path, json={"text": "Hallo"}, token=gus)
        assert (reply.status, reply.code) == (404, "NOT_FOUND")
    reply = await team.server.request("POST", f"/api/offline/{chat}/done", token=team.tokens["bert"])
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
    assert (await team.server.request("GET", "/api/offline", token=gus)).body["open"] == 0
    [doc] = [d for d in await _conversations(team) if d["_id"] == item]
    assert doc["answer_state"] == "open"
    assert smtp.received == []


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "x" * 4001},
        {"text": "ok", "subject": "a\r\nBcc: x@example.net"},
        {"text": "ok", "subject": "s" * 201},
    ],
)
async def test_offline_answer_with_bad_input_is_refused_and_nothing_sent(
    team: Team, smtp: SmtpServer, body: dict[str, object]
) -> None:
    visitor = await team.server.visitor()
    item = (await visitor.ok("offline.leave", FORM))["id"]

    reply = await team.server.request(
        "POST", f"/api/offline/{item}/answer", json=body, token=team.tokens["bert"]
    )

    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert len(await stored(team.server.app.runtime.db, "messages")) == 1
    assert await stored(team.server.app.runtime.db, "outbox") == []


async def test_offline_messages_per_visitor_are_rate_limited(team: Team) -> None:
    visitor = await team.server.visitor()
    codes = []
    for n in range(6):
        reply = await visitor.call("offline.leave", FORM | {"text": f"Nachricht {n}"})
        codes.append("ok" if reply["ok"] else reply["error"]["code"])

    assert codes == ["ok"] * 5 + ["RATE_LIMITED"]
    assert len(await _conversations(team)) == 5


async def test_offline_list_refuses_an_unknown_after_and_a_bad_limit(team: Team) -> None:
    token = team.tokens["bert"]
    unknown = await team.server.request("GET", "/api/offline?after=cnv_0123456789abcdef01234567", token=token)
    assert (unknown.status, unknown.code) == (404, "NOT_FOUND")
    for query in ("limit=0", "limit=101", "limit=x", "after[$ne]=1"):
        reply = await team.server.request("GET", f"/api/offline?{query}", token=token)
        assert (reply.status, reply.code) == (400, "VALIDATION_FAILED"), query
