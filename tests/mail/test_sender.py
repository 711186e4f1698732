"""The SMTP client against a real server: STARTTLS and implicit TLS with a verified certificate, a server
that does not offer STARTTLS when it is required, and reasons that name the server, never a password."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.mail.smtpd import SmtpServer
from tests.mail.tls import Tls, make_tls
from tests.storage.builders import new_mail, new_tenant
from wschat.mail.message import to_mime
from wschat.mail.sender import SendFailed, SmtpSender
from wschat.smtp import parse_smtp_url

MESSAGE = to_mime(new_mail(new_tenant("acme")), "chat@acme.example", "ACME")


@pytest.fixture
def tls(tmp_path: Path) -> Tls:
    return make_tls(tmp_path)


async def _running(server: SmtpServer) -> AsyncIterator[SmtpServer]:
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def starttls_server(tls: Tls) -> AsyncIterator[SmtpServer]:
    async for server in _running(SmtpServer(tls.server)):
        yield server


@pytest.fixture
async def tls_server(tls: Tls) -> AsyncIterator[SmtpServer]:
    async for server in _running(SmtpServer(tls.server, implicit_tls=True)):
        yield server


async def test_sender_starttls_required_and_verified(starttls_server: SmtpServer, tls: Tls) -> None:
    url = parse_smtp_url(f"smtp://127.0.0.1:{starttls_server.port}")

    await SmtpSender(tls.client).send(url, MESSAGE, "chat@acme.example", "sam@example.com")

    assert [r.recipients for r in starttls_server.received] == [["sam@example.com"]]


async def test_sender_implicit_tls(tls_server: SmtpServer, tls: Tls) -> None:
    url = parse_smtp_url(f"smtps://127.0.0.1:{tls_server.port}")

    await SmtpSender(tls.client).send(url, MESSAGE, "chat@acme.example", "sam@example.com")

    assert len(tls_server.received) == 1


async def test_sender_a_certificate_it_cannot_verify_is_refused(starttls_server: SmtpServer) -> None:
    url = parse_smtp_url(f"smtp://127.0.0.1:{starttls_server.port}")

    with pytest.raises(SendFailed) as failed:
        await SmtpSender().send(url, MESSAGE, "chat@acme.example", "sam@example.com")  # the system's CAs

    assert "certificate verify failed" in failed.value.reason.lower(), failed.value.reason
    assert failed.value.permanent is False
    assert starttls_server.received == []


async def test_sender_starttls_required_but_not_offered_sends_nothing(smtp: SmtpServer) -> None:
    url = parse_smtp_url(f"smtp://mailer:s3cret@127.0.0.1:{smtp.port}")

    with pytest.raises(SendFailed) as failed:
        await SmtpSender().send(url, MESSAGE, "chat@acme.example", "sam@example.com")

    assert "STARTTLS" in failed.value.reason
    assert "s3cret" not in failed.value.reason
    assert "mailer" not in failed.value.reason
    assert failed.value.permanent is False
    assert smtp.received == []


async def test_sender_opportunistic_sends_in_plain_text_when_tls_is_not_offered(smtp: SmtpServer) -> None:
    url = parse_smtp_url(f"smtp://127.0.0.1:{smtp.port}?starttls=opportunistic")

    await SmtpSender().send(url, MESSAGE, "chat@acme.example", "sam@example.com")

    assert len(smtp.received) == 1
