"""A live wsChat for the audit log's tests: mail through a real aiosmtpd, behind a trusted proxy (so each
visitor has an address of its own, as stored), with the operator's API open; and a company with people
who chatted, filled through the product (tests/subjects/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from tests.lifecycle.conftest import OPERATOR_TOKEN
from tests.mail.conftest import serving_mail
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, LiveServer, Reply, stored
from wschat.config import Settings
from wschat.records import Document
from wschat.secret import Secret


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    async with serving_mail(
        settings, clock, http, smtp, behind_proxy=True, operator_token=Secret(OPERATOR_TOKEN)
    ) as live:
        yield live


async def audit(server: LiveServer, token: str, **query: str) -> Reply:
    """``GET /api/audit`` with these query parameters."""
    return await server.request("GET", "/api/audit" + ("?" + urlencode(query) if query else ""), token=token)


async def entries(server: LiveServer, **equal: Any) -> list[Document]:
    """The stored audit log (every tenant's), oldest first, whose fields equal ``equal``."""
    found = await stored(server.app.runtime.db, "audit_log", **equal)
    return sorted(found, key=lambda entry: (entry["at"], entry["_id"]))


def actions(found: list[Document]) -> list[str]:
    return [entry["action"] for entry in found]
