"""The outbox end to end: a live wsChat, its worker, and a real SMTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.mail.conftest import DELAYS, MAIL_FROM, Mailroom
from tests.support import wait_for
from wschat.accounts.models import Role
from wschat.mail.models import MailStatus


async def _queue(room: Mailroom, to: str = "sam@example.com", **extra: object) -> dict[str, object]:
    reply = await room.call("POST", "/api/mail/test", {"to": to, **extra})
    assert reply.status == 202, reply.body
    mail: dict[str, object] = reply.body["mail"]
    return mail


async def _listed(room: Mailroom, status: str) -> list[dict[str, object]]:
    reply = await room.call("GET", f"/api/mail/outbox?status={status}")
    assert reply.status == 200, reply.body
    mails: list[dict[str, object]] = reply.body["mails"]
    return mails


@pytest.mark.both_backends
async def test_outbox_test_mail_goes_out_once_as_multipart_in_the_admins_choice_of_language(
    mailroom: Mailroom,
) -> None:
    queued = await _queue(mailroom, lang="de", note="Bitte kurz bestätigen.")
    assert queued["status"] == "queued"

    await wait_for(lambda: len(mailroom.smtp.received) == 1)
    got = mailroom.smtp.received[0]
    assert (got.sender, got.recipients) == (MAIL_FROM, ["sam@example.com"])
    message = got.message
    assert message["Subject"] == "Test-E-Mail von Acme GmbH"
    assert message["Message-ID"] == queued["message_id"]
    plain, rich = message.iter_parts()
    assert "Bitte kurz bestätigen." in plain.get_content()
    assert "Acme GmbH" in rich.get_content()
    assert "background:#0b5fff" in rich.get_content()  # the tenant's (default) colour

    await wait_for(lambda: _sent(mailroom))
    sent = (await _listed(mailroom, "sent"))[0]
    assert (sent["id"], sent["attempts"], sent["last_error"]) == (queued["id"], 1, None)
    assert await mailroom.send_round() == 0
    assert len(mailroom.smtp.received) == 1


async def _sent(room: Mailroom) -> bool:
    return [m.status for m in await room.stored()] == [MailStatus.SENT]


@pytest.mark.both_backends
async def test_outbox_retries_with_backoff_while_the_server_is_down_then_fails_and_is_listed(
    mailroom_down: Mailroom,
) -> None:
    room, clock = mailroom_down, mailroom_down.server.clock
    queued = await _queue(room)
    await wait_for(lambda: _is(room, MailStatus.QUEUED, 1))
    [mail] = await room.stored()
    assert mail.status is MailStatus.QUEUED
    assert mail.last_error == f"cannot connect to 127.0.0.1:{room.smtp.port}"
    assert mail.next_attempt_at == clock.now + timedelta(seconds=DELAYS[0])

    clock.advance(seconds=DELAYS[0] - 1)
    assert await room.send_round() == 0
    assert await _is(room, MailStatus.QUEUED, 1)
    clock.advance(seconds=1)
    assert await room.send_round() == 0
    assert await _is(room, MailStatus.QUEUED, 2)
    clock.advance(seconds=DELAYS[1])
    assert await room.send_round() == 0  # the last try

    [failed] = await _listed(room, "failed")
    assert failed["id"] == queued["id"]
    assert failed["attempts"] == len(DELAYS) + 1
    assert failed["next_attempt_at"] is None
    assert str(failed["last_error"]).startswith("cannot connect to 127.0.0.1:")
    clock.advance(minutes=30)
    assert await room.send_round() == 0  # failed is final: no more tries
    assert await _is(room, MailStatus.FAILED, 3)

    # The server is back; the admin queues the mail again from the console.
    await room.smtp.start()
    retried = await room.call("POST", f"/api/mail/outbox/{queued['id']}/retry")
    assert retried.status == 200, retried.body
    assert (retried.body["mail"]["status"], retried.body["mail"]["attempts"]) == ("queued", 0)
    await wait_for(lambda: len(room.smtp.received) == 1)
    await wait_for(lambda: _sent(room))
    assert await _listed(room, "failed") == []
    again = await room.call("POST", f"/api/mail/outbox/{queued['id']}/retry")
    assert (again.status, again.code) == (409, "CONFLICT")


async def _is(room: Mailroom, status: MailStatus, attempts: int) -> bool:
    return [(m.status, m.attempts) for m in await room.stored()] == [(status, attempts)]


async def test_outbox_a_permanent_refusal_fails_at_once(mailroom: Mailroom) -> None:
    await _queue(mailroom, "nobody@refused.example")

    await wait_for(lambda: _failed(mailroom))
    [mail] = await mailroom.stored()
    assert mail.attempts == 1
    assert mail.last_error == f"127.0.0.1:{mailroom.smtp.port} refused the recipient (550)"
    assert mailroom.smtp.received == []


async def _failed(room: Mailroom) -> bool:
    return [m.status for m in await room.stored()] == [MailStatus.FAILED]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"to": "sam@example.com\r\nBcc: everyone@example.com"}, "to"),
        ({"to": "sam@example.com\nX-Injected: yes"}, "to"),
        ({"to": "sam@example.com, eve@example.com"}, "to"),
        ({"to": "sam@example.com;eve@example.com"}, "to"),
        ({"to": '"Sam" <sam@example.com>'}, "to"),
        ({"to": "Sam <sam@example.com>, <eve@example.com>"}, "to"),
        ({"to": "sam@example"}, "to"),
        ({"to": "x" * 300 + "@example.com"}, "to"),
        ({"to": "sam@example.com", "note": "n" * 1001}, "note"),
        ({"to": "sam@example.com", "lang": "fr"}, "lang"),
        ({"to": ["sam@example.com", "eve@example.com"]}, "to"),
        ({"to": {"$ne": None}}, "(payload)"),
    ],
)
async def test_outbox_bad_input_is_refused_and_nothing_is_stored_or_sent(
    mailroom: Mailroom, body: dict[str, object], field: str
) -> None:
    reply = await mailroom.call("POST", "/api/mail/test", body)

    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert reply.body["error"]["details"]["fields"][0]["field"].startswith(field)
    assert await mailroom.stored() == []
    assert await mailroom.send_round() == 0
    assert mailroom.smtp.received == []


async def test_outbox_without_any_mail_server_refuses_and_stores_nothing(no_mail_server: Mailroom) -> None:
    reply = await no_mail_server.call("POST", "/api/mail/test", {"to": "sam@example.com"})

    assert (reply.status, reply.code) == (409, "MAIL_NOT_CONFIGURED")
    assert await no_mail_server.stored() == []
    settings = await no_mail_server.call("GET", "/api/mail/settings")
    assert settings.body["mail"] == {
        "smtp_url": None,
        "from_address": None,
        "password_set": False,
        "operator_server": False,
    }


async def test_outbox_is_for_admins_of_the_tenant_only(mailroom: Mailroom) -> None:
    queued = await _queue(mailroom, "nobody@refused.example")
    await wait_for(lambda: _failed(mailroom))
    for method, path, body in (
        ("GET", "/api/mail/outbox", None),
        ("POST", f"/api/mail/outbox/{queued['id']}/retry", None),
        ("GET", "/api/mail/settings", None),
        ("PUT", "/api/mail/settings", {"smtp_url": None}),
        ("POST", "/api/mail/test", {"to": "sam@example.com"}),
    ):
        reply = await mailroom.call(method, path, body, token=mailroom.bert)
        assert (reply.status, reply.code) == (403, "FORBIDDEN"), (method, path)

    other = await mailroom.server.make_tenant("globex")
    await mailroom.server.make_user(other, "carl", Role.ADMIN)
    carl = await mailroom.server.login("globex", "carl")
    reply = await mailroom.call("POST", f"/api/mail/outbox/{queued['id']}/retry", token=carl)
    assert (reply.status, reply.code) == (404, "NOT_FOUND")
    assert (await mailroom.call("GET", "/api/mail/outbox", token=carl)).body["mails"] == []
    assert [m.status for m in await mailroom.stored()] == [MailStatus.FAILED]


async def test_outbox_pages_newest_first_and_refuses_bad_queries(mailroom: Mailroom) -> None:
    for n in range(5):
        await _queue(mailroom, f"nobody{n}@refused.example")
        mailroom.server.clock.advance(seconds=1)
    await wait_for(lambda: _all_failed(mailroom, 5))

    first = await mailroom.call("GET", "/api/mail/outbox?status=failed&limit=2")
    second = await mailroom.call("GET", f"/api/mail/outbox?limit=2&before={first.body['next_before']}")
    third = await mailroom.call("GET", f"/api/mail/outbox?limit=2&before={second.body['next_before']}")
    seen = [m["to"] for page in (first, second, third) for m in page.body["mails"]]
    assert seen == [f"nobody{n}@refused.example" for n in reversed(range(5))]
    assert third.body["next_before"] is None

    for query in ("status=lost", "limit=0", "limit=1000", "limit=x", "before=nope", "sort=asc"):
        reply = await mailroom.call("GET", f"/api/mail/outbox?{query}")
        assert (reply.status, reply.code) == (400, "VALIDATION_FAILED"), query
    unknown = await mailroom.call("GET", "/api/mail/outbox?before=mai_000000000000000000000000")
    assert (unknown.status, unknown.code) == (404, "NOT_FOUND")


async def _all_failed(room: Mailroom, count: int) -> bool:
    return [m.status for m in await room.stored()] == [MailStatus.FAILED] * count
