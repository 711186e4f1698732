"""A live wsChat with the demo sign-up switched on and mail through a real aiosmtpd, and helpers to sign up,
read the confirmation link from the mail that arrived, and take stock of what is stored."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import pytest

from tests.mail.conftest import serving_mail
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, LiveServer, Reply, stored, wait_for
from wschat.config import Settings

LINK = re.compile(r"https?://\S+/signup/confirm\?token=\S+")
#: What a sign-up may write: every table it touches.
TOUCHED = ("signups", "outbox", "outbox_transitions", "tenants", "users")


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    """``WSCHAT_SIGNUP=on``, mail through ``smtp``."""
    async with serving_mail(settings, clock, http, smtp, signup=True) as live:
        yield live


def form(**fields: Any) -> dict[str, Any]:
    """A sign-up's body: Dora of Initrode, in German, unless ``fields`` say otherwise."""
    return {
        "name": "Dora Demo",
        "company": "Initrode AG",
        "email": "dora@initrode.example",
        "lang": "de",
    } | fields


async def sign_up(server: LiveServer, body: Any) -> Reply:
    return await server.request("POST", "/api/signup", json=body)


async def link_for(server: LiveServer, smtp: SmtpServer, address: str, nth: int = 1) -> str:
    """The path and query of the confirmation link in the ``nth`` mail that reached ``address``."""

    def mails() -> list[str]:
        return [
            m.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            for m in smtp.received
            if address in m.recipients
        ]

    await wait_for(lambda: len(mails()) >= nth, timeout=10)
    await delivered(server)
    found = LINK.search(mails()[nth - 1])
    assert found is not None, mails()[nth - 1]
    url = urlsplit(found.group(0))
    assert f"{url.scheme}://{url.netloc}" == server.url, "the link points at the public URL"
    return f"{url.path}?{url.query}"


async def delivered(server: LiveServer) -> None:
    """Until every mail in the outbox is marked sent (the server's answer arrives before that)."""

    async def all_sent() -> bool:
        mails = await stored(server.app.runtime.db, "outbox")
        return all(mail["status"] == "sent" for mail in mails)

    await wait_for(all_sent, timeout=10)


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


async def confirm(
    server: LiveServer, token: str, slug: str = "initrode", password: str = "a long secret 1"
) -> Reply:
    body = {"token": token, "slug": slug, "password": password}
    return await server.request("POST", "/api/signup/confirm", json=body)


async def stock(server: LiveServer) -> dict[str, list[dict[str, Any]]]:
    """Every record of every table a sign-up touches."""
    db = server.app.runtime.db
    return {table: await stored(db, table) for table in TOUCHED}
