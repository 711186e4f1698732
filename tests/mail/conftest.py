"""Fixtures of the mail tests: a real SMTP server (aiosmtpd) on 127.0.0.1, running or down, and a live
wsChat whose operator's mail server it is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
import pytest

from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, LiveServer, Reply, start_server, stored
from wschat.accounts.models import Role, Tenant
from wschat.config import MailSettings, Settings
from wschat.mail.models import OutgoingMail
from wschat.smtp import parse_smtp_url

MAIL_FROM = "chat@wschat.test"
#: Short, so a test walks through every try: 30 s, then 120 s, then failed (3 tries).
DELAYS = (30, 120)


@pytest.fixture
async def smtp_down() -> AsyncIterator[SmtpServer]:
    """An SMTP server that is not running yet (nothing listens on its port until the test starts it)."""
    server = SmtpServer()
    yield server
    await server.stop()


@dataclass
class Mailroom:
    """A live wsChat sending through ``smtp``; tenant ``acme`` with admin Anna and agent Bert."""

    server: LiveServer
    smtp: SmtpServer
    acme: Tenant
    anna: str
    bert: str

    async def call(self, method: str, path: str, json: object = None, token: str | None = None) -> Reply:
        return await self.server.request(method, path, json=json, token=token or self.anna)

    async def stored(self) -> list[OutgoingMail]:
        return [
            mail
            for doc in await stored(self.server.app.runtime.db, "outbox")
            if (mail := await self.server.app.runtime.db.stores.outbox.get(doc["tenant_id"], doc["_id"]))
        ]

    async def send_round(self) -> int:
        """One round of this process's worker, now (as its task does when woken)."""
        return await self.server.app.runtime.outbox_worker.run_once()


def mail_settings(settings: Settings, smtp: SmtpServer | None) -> Settings:
    url = parse_smtp_url(smtp.url) if smtp is not None else None
    mail = MailSettings(smtp_url=url, mail_from=MAIL_FROM if url else None, retry_delays=DELAYS)
    return replace(settings, mail=mail)


@asynccontextmanager
async def serving_mail(
    settings: Settings,
    clock: FakeClock,
    http: aiohttp.ClientSession,
    smtp: SmtpServer,
    *,
    behind_proxy: bool = False,
    **changes: Any,
) -> AsyncIterator[LiveServer]:
    """A live wsChat whose operator's mail server is ``smtp`` (``changes``: more settings); ``behind_proxy``
    trusts ``X-Forwarded-For`` from 127.0.0.1, so that a test can say where a visitor's browser is. Its
    MongoDB database is dropped afterwards."""
    mail = MailSettings(smtp_url=parse_smtp_url(smtp.url), mail_from=MAIL_FROM)
    if behind_proxy:
        changes["server"] = replace(settings.server, trusted_proxies="127.0.0.0/8")
    async with start_server(replace(settings, mail=mail, **changes), clock, http) as live:
        yield live
        if live.app.runtime.db.kind == "mongodb":
            await live.app.runtime.db.drop()


@asynccontextmanager
async def open_mailroom(
    settings: Settings,
    clock: FakeClock,
    http: aiohttp.ClientSession,
    smtp: SmtpServer,
    *,
    operator: bool = True,
) -> AsyncIterator[Mailroom]:
    async with start_server(mail_settings(settings, smtp if operator else None), clock, http) as server:
        acme = await server.make_tenant("acme")
        await server.make_user(acme, "anna", Role.ADMIN)
        await server.make_user(acme, "bert")
        yield Mailroom(
            server, smtp, acme, await server.login("acme", "anna"), await server.login("acme", "bert")
        )
        if server.app.runtime.db.kind == "mongodb":
            await server.app.runtime.db.drop()


@pytest.fixture
async def mailroom(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[Mailroom]:
    async with open_mailroom(settings, clock, http, smtp) as room:
        yield room


@pytest.fixture
async def mailroom_down(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp_down: SmtpServer
) -> AsyncIterator[Mailroom]:
    """As ``mailroom``, but its SMTP server is down until the test starts it."""
    async with open_mailroom(settings, clock, http, smtp_down) as room:
        yield room


@pytest.fixture
async def no_mail_server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp_down: SmtpServer
) -> AsyncIterator[Mailroom]:
    """A wsChat without the operator's mail server (``smtp`` is only there for a tenant to set)."""
    async with open_mailroom(settings, clock, http, smtp_down, operator=False) as room:
        yield room
