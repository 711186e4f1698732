"""Transcripts by e-mail: the visitor's copy (at most 3 per conversation) and an agent's forward, through
a live wsChat, its outbox and a real SMTP server; and every bad request refused with nothing sent."""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage

import pytest

from tests.mail.conftest import Mailroom
from tests.support import Peer, stored, wait_for
from wschat.limits.counter import MemoryCounter

BAD_ADDRESSES = [
    "sam@example.com\r\nBcc: spam@example.net",
    "sam@example.com\nBcc: spam@example.net",
    "sam@example.com, spam@example.net",
    "Sam <sam@example.com>",
    "not-an-address",
    "",
    {"$ne": None},
]


@pytest.fixture
async def carl(mailroom: Mailroom) -> str:
    """A second agent, Carl: his user id."""
    user = await mailroom.server.make_user(mailroom.acme, "carl")
    return user.id


async def _chat(room: Mailroom) -> tuple[Peer, Peer, str]:
    """Bert (online) chats with visitor Sam; two messages each way."""
    bert = await room.server.agent(room.bert)
    await bert.ok("status.set", {"status": "online"})
    visitor = await room.server.visitor()
    await visitor.ok("chat.start", {"alias": "Sam"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    await visitor.ok(
        "message.send", {"conversation_id": cid, "client_id": "v1", "text": "Wo ist mein Paket?"}
    )
    await bert.ok("message.send", {"conversation_id": cid, "client_id": "a1", "text": "Es kommt morgen."})
    return visitor, bert, cid


async def _nothing_sent(room: Mailroom) -> None:
    assert await stored(room.server.app.runtime.db, "outbox") == []
    assert await stored(room.server.app.runtime.db, "transcripts") == []
    assert await room.send_round() == 0
    assert room.smtp.received == []


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain, rich = message.iter_parts()
    return str(plain.get_content()), str(rich.get_content())


@pytest.mark.both_backends
async def test_transcript_visitor_copy_holds_the_visible_chat_without_agents_notes(
    mailroom: Mailroom, carl: str
) -> None:
    room = mailroom
    visitor, bert, cid = await _chat(room)
    colleague = await room.server.agent(await room.server.login("acme", "carl"))
    await colleague.ok("status.set", {"status": "online"})
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": carl, "note": "VIP, geheim"})
    await visitor.ok("chat.end", {"conversation_id": cid})

    ack = await visitor.ok(
        "transcript.request", {"conversation_id": cid, "email": "sam@example.com", "lang": "de"}
    )
    assert ack["remaining"] == 2

    await wait_for(lambda: len(room.smtp.received) == 1)
    got = room.smtp.received[0]
    assert got.recipients == ["sam@example.com"]
    assert got.message["Subject"] == "Ihr Chat mit Acme GmbH"
    plain, rich = _parts(got.message)
    for text in ("Wo ist mein Paket?", "Es kommt morgen.", "Sie", "Bert", "Carl hat den Chat übernommen."):
        assert text in plain, text
        assert text in rich, text
    assert "Der Chat wurde vom Besucher beendet." in plain
    assert "VIP" not in plain, "an agents-only note never leaves"
    assert "VIP" not in rich
    assert "<img" not in rich
    assert "http" not in rich.replace("http-equiv", "")

    [record] = await stored(room.server.app.runtime.db, "transcripts")
    assert (record["kind"], record["conversation_id"]) == ("visitor", cid)


@pytest.mark.both_backends
async def test_transcript_a_fourth_copy_is_refused_and_not_sent(mailroom: Mailroom) -> None:
    visitor, _, cid = await _chat(mailroom)
    remaining = [
        (await visitor.ok("transcript.request", {"conversation_id": cid, "email": f"s{n}@example.com"}))[
            "remaining"
        ]
        for n in range(3)
    ]
    assert remaining == [2, 1, 0]
    assert await visitor.error("transcript.request", {"conversation_id": cid, "email": "s4@example.com"}) == (
        "TRANSCRIPT_LIMIT"
    )
    await wait_for(lambda: len(mailroom.smtp.received) == 3)
    assert await mailroom.send_round() == 0
    assert len(mailroom.smtp.received) == 3
    assert len(await stored(mailroom.server.app.runtime.db, "outbox")) == 3
    assert "s4@example.com" not in [r for got in mailroom.smtp.received for r in got.recipients]


@pytest.mark.both_backends
async def test_transcript_concurrent_requests_never_make_a_fourth(mailroom: Mailroom) -> None:
    visitor, _, cid = await _chat(mailroom)
    replies = await asyncio.gather(
        *(
            visitor.call("transcript.request", {"conversation_id": cid, "email": f"s{n}@example.com"})
            for n in range(5)
        )
    )
    assert sorted(r["ok"] for r in replies) == [False, False, True, True, True]
    assert {r["error"]["code"] for r in replies if not r["ok"]} == {"TRANSCRIPT_LIMIT"}
    assert len(await stored(mailroom.server.app.runtime.db, "transcripts")) == 3
    assert len(await stored(mailroom.server.app.runtime.db, "outbox")) == 3


@pytest.mark.parametrize("address", BAD_ADDRESSES)
async def test_transcript_request_with_a_bad_address_is_refused_and_nothing_sent(
    mailroom: Mailroom, address: object
) -> None:
    visitor = await mailroom.server.visitor()
    cid = (await visitor.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]

    code = await visitor.error("transcript.request", {"conversation_id": cid, "email": address})

    assert code == "VALIDATION_FAILED"
    await _nothing_sent(mailroom)


async def test_transcript_of_another_visitors_or_tenants_conversation_is_not_found(
    mailroom: Mailroom,
) -> None:
    sam = await mailroom.server.visitor()
    sams = (await sam.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
    eve = await mailroom.server.visitor()
    await eve.ok("chat.start", {"alias": "Eve"})
    other = await mailroom.server.make_tenant("globex")
    await mailroom.server.make_user(other, "gus")
    gus = await mailroom.server.login("globex", "gus")

    assert await eve.error("transcript.request", {"conversation_id": sams, "email": "eve@example.com"}) == (
        "NOT_FOUND"
    )
    reply = await mailroom.call(
        "POST", f"/api/conversations/{sams}/transcripts", {"to": "x@example.com"}, gus
    )
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
    reply = await mailroom.call("GET", f"/api/conversations/{sams}/transcripts", None, gus)
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
    await _nothing_sent(mailroom)


async def test_transcript_without_a_mail_server_is_refused_and_uses_no_copy(no_mail_server: Mailroom) -> None:
    visitor = await no_mail_server.server.visitor()
    cid = (await visitor.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
    for _ in range(4):
        assert await visitor.error(
            "transcript.request", {"conversation_id": cid, "email": "s@example.com"}
        ) == ("MAIL_NOT_CONFIGURED")
    assert await stored(no_mail_server.server.app.runtime.db, "transcripts") == []


async def test_transcript_requests_per_visitor_are_rate_limited(mailroom: Mailroom) -> None:
    visitor = await mailroom.server.visitor()
    codes = []
    for _ in range(3):
        cid = (await visitor.ok("chat.start", {"alias": "Sam"}))["conversation"]["id"]
        for n in range(2):
            reply = await visitor.call(
                "transcript.request", {"conversation_id": cid, "email": f"{n}@example.com"}
            )
            codes.append(reply["error"]["code"] if not reply["ok"] else "ok")
        await visitor.ok("chat.end", {"conversation_id": cid})
    assert codes == ["ok"] * 5 + ["RATE_LIMITED"]


# -- agents' forwards ------------------------------------------------------------------------------------


@pytest.mark.both_backends
async def test_transcript_forward_by_the_agent_is_sent_with_the_note_and_recorded(mailroom: Mailroom) -> None:
    _, _, cid = await _chat(mailroom)

    reply = await mailroom.call(
        "POST",
        f"/api/conversations/{cid}/transcripts",
        {"to": "boss@example.com", "note": "Bitte übernehmen.", "lang": "de"},
        mailroom.bert,
    )

    assert reply.status == 202, reply.body
    await wait_for(lambda: len(mailroom.smtp.received) == 1)
    got = mailroom.smtp.received[0]
    assert got.recipients == ["boss@example.com"]
    plain, _ = _parts(got.message)
    assert "Bitte übernehmen." in plain
    assert "Wo ist mein Paket?" in plain
    assert "Bert von Acme GmbH" in plain
    listed = await mailroom.call("GET", f"/api/conversations/{cid}/transcripts", None, mailroom.bert)
    [record] = listed.body["transcripts"]
    assert record["kind"] == "agent"
    assert record["to"] == "boss@example.com"
    assert record["by"]["display_name"] == "Bert"
    assert record["note"] == "Bitte übernehmen."


async def test_transcript_forward_needs_part_in_the_chat_unless_admin(mailroom: Mailroom, carl: str) -> None:
    room = mailroom
    _, _, cid = await _chat(room)
    token = await room.server.login("acme", "carl")

    reply = await room.call("POST", f"/api/conversations/{cid}/transcripts", {"to": "c@example.com"}, token)
    assert (reply.status, reply.code) == (403, "FORBIDDEN")
    await _nothing_sent(room)

    reply = await room.call("POST", f"/api/conversations/{cid}/transcripts", {"to": "a@example.com"})
    assert reply.status == 202, reply.body  # Anna is an admin


@pytest.mark.parametrize(
    "body",
    [
        *({"to": address} for address in BAD_ADDRESSES),
        {"to": "boss@example.com", "note": "x" * 1001},
        {"to": "boss@example.com", "subject": "y" * 201},
        {"to": "boss@example.com", "subject": "Hi\r\nBcc: spam@example.net"},
        {"to": ["boss@example.com", "spam@example.net"]},
    ],
)
async def test_transcript_forward_with_bad_input_is_refused_and_nothing_sent(
    mailroom: Mailroom, body: dict[str, object]
) -> None:
    _, _, cid = await _chat(mailroom)

    reply = await mailroom.call("POST", f"/api/conversations/{cid}/transcripts", body, mailroom.bert)

    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    await _nothing_sent(mailroom)


async def test_transcript_forward_of_a_past_chat_by_an_agent_who_handed_it_over(
    mailroom: Mailroom, carl: str
) -> None:
    visitor, bert, cid = await _chat(mailroom)
    colleague = await mailroom.server.agent(await mailroom.server.login("acme", "carl"))
    await colleague.ok("status.set", {"status": "online"})
    await bert.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": carl})
    await visitor.ok("chat.end", {"conversation_id": cid})

    reply = await mailroom.call(
        "POST", f"/api/conversations/{cid}/transcripts", {"to": "boss@example.com"}, mailroom.bert
    )

    assert reply.status == 202, reply.body
    await wait_for(lambda: len(mailroom.smtp.received) == 1)


async def test_transcript_addresses_never_reach_the_log(
    mailroom: Mailroom, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    visitor, _, cid = await _chat(mailroom)
    await visitor.ok("transcript.request", {"conversation_id": cid, "email": "secret.sam@example.com"})
    await mailroom.call(
        "POST", f"/api/conversations/{cid}/transcripts", {"to": "secret.boss@example.com"}, mailroom.bert
    )
    await wait_for(lambda: len(mailroom.smtp.received) == 2)

    # Every log line but the test SMTP server's own (aiosmtpd's "mail.log").
    ours = [record.getMessage() for record in caplog.records if not record.name.startswith("mail.log")]
    assert ours
    assert not [line for line in ours if "secret." in line]


async def _three_visitors_ask(room: Mailroom) -> list[str]:
    """Three new widget sessions each start a chat and ask for its transcript: each answer's code."""
    codes = []
    for n in range(3):
        visitor = await room.server.visitor()
        cid = (await visitor.ok("chat.start", {"alias": f"V{n}"}))["conversation"]["id"]
        reply = await visitor.call(
            "transcript.request", {"conversation_id": cid, "email": f"v{n}@example.com"}
        )
        codes.append("ok" if reply["ok"] else reply["error"]["code"])
    return codes


async def test_transcript_visitor_mails_of_a_tenant_are_capped(mailroom: Mailroom) -> None:
    runtime = mailroom.server.app.runtime
    # The tenant's hourly cap (100) made small: the same counter, of two.
    runtime.transcripts._tenant_mails = MemoryCounter(2, 3600, mailroom.server.clock)
    codes = await _three_visitors_ask(mailroom)

    assert codes == ["ok", "ok", "RATE_LIMITED"]
    assert len(await stored(runtime.db, "transcripts")) == 2
    assert len(await stored(runtime.db, "outbox")) == 2


async def test_transcript_visitor_mails_from_one_address_are_capped(mailroom: Mailroom) -> None:
    """Three widget sessions from one address share its cap, refused past it with nothing stored; an hour
    later the address may ask again."""
    runtime = mailroom.server.app.runtime
    # The per-address cap (10) made small: the same counter, of two.
    runtime.transcripts._address_mails = MemoryCounter(2, 3600, mailroom.server.clock)
    codes = await _three_visitors_ask(mailroom)
    assert codes == ["ok", "ok", "RATE_LIMITED"]
    assert len(await stored(runtime.db, "transcripts")) == 2
    assert len(await stored(runtime.db, "outbox")) == 2

    fourth = await mailroom.server.visitor()
    cid = (await fourth.ok("chat.start", {"alias": "V3"}))["conversation"]["id"]
    assert await fourth.error("transcript.request", {"conversation_id": cid, "email": "v3@example.com"}) == (
        "RATE_LIMITED"
    )
    mailroom.server.clock.advance(seconds=3601)
    again = await fourth.ok("transcript.request", {"conversation_id": cid, "email": "v3@example.com"})
    assert again["remaining"] == 2, "the address's cap is an hour's"


async def test_offline_answer_without_a_mail_server_is_refused_and_not_stored(
    no_mail_server: Mailroom,
) -> None:
    visitor = await no_mail_server.server.visitor()
    form = {"email": "sam@example.com", "text": "Call me back, please."}
    item = (await visitor.ok("offline.leave", form))["id"]

    reply = await no_mail_server.call(
        "POST", f"/api/offline/{item}/answer", {"text": "Sure."}, no_mail_server.bert
    )

    assert (reply.status, reply.code) == (409, "MAIL_NOT_CONFIGURED")
    db = no_mail_server.server.app.runtime.db
    assert [m["text"] for m in await stored(db, "messages")] == ["Call me back, please."]
    assert await stored(db, "outbox") == []
