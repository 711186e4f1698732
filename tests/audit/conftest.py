"""A live wsChat for the audit log's tests: mail through a real aiosmtpd, behind a trusted proxy (so each
visitor has an address of its own, as stored), with the operator's API open; and a company with people
who chatted, filled through the product (tests/subjects/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.lifecycle.conftest import OPERATOR_TOKEN
from tests.mail.conftest import MAIL_FROM
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, LiveServer, Reply, start_server, stored
from wschat.config import MailSettings, Settings
from wschat.records import Document
from wschat.secret import Secret
from wschat.smtp import parse_smtp_url


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    mail = MailSettings(smtp_url=parse_smtp_url(smtp.url), mail_from=MAIL_FROM)
    behind_proxy = replace(settings.server, trusted_proxies="127.0.0.0/8")
    configured = replace(settings, mail=mail, server=behind_proxy, operator_token=Secret(OPERATOR_TOKEN))
    async with start_server(configured, clock, http) as live:
        yield live
        if live.app.runtime.db.kind == "mongodb":
            await live.app.runtime.db.drop()


async def audit(server: LiveServer, token: str, **query: str) -> Reply:
    """``GET /api/audit`` with these query parameters."""
    return await server.request("GET", "/api/audit" + ("?" + urlencode(query) if query else ""), token=token)


async def entries(server: LiveServer, **equal: Any) -> list[Document]:
    """The stored audit log (every tenant's), oldest first, whose fields equal ``equal``."""
    found = await stored(server.app.runtime.db, "audit_log", **equal)
    return sorted(found, key=lambda entry: (entry["at"], entry["_id"]))


def actions(found: list[Document]) -> list[str]:
    return [entry["action"] for entry in found]
