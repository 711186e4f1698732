"""A live wsChat with mail (a real aiosmtpd) behind a trusted proxy, so that each visitor has an address of
its own, and tenants whose people chat through the product itself (tests/subjects/conftest.py's people:
a page trail, contact data, a chat with a call, a transcript mailed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from tests.mail.conftest import serving_mail
from tests.mail.smtpd import SmtpServer
from tests.support import FakeClock, LiveServer, stored, wait_for
from wschat.config import Settings
from wschat.retention.runner import RunReport
from wschat.storage import TABLES, Database


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    async with serving_mail(settings, clock, http, smtp, behind_proxy=True) as live:
        yield live


async def run(server: LiveServer) -> RunReport:
    """One pass of the retention runner (its housekeeping step), now; it must get the lease."""
    report = await server.app.runtime.retention_runner.run_once()
    assert report is not None, "another runner held the lease"
    return report


async def set_retention(server: LiveServer, token: str, body: dict[str, Any]) -> dict[str, Any]:
    reply = await server.request("PATCH", "/api/tenant/retention", json=body, token=token)
    assert reply.status == 200, reply.body
    retention: dict[str, Any] = reply.body["retention"]
    return retention


async def mails_sent(db: Database, tenant_id: str) -> None:
    """Every mail of the tenant has been handed to the mail server (so none is pending any more)."""

    async def all_sent() -> bool:
        mails = await stored(db, "outbox", tenant_id=tenant_id)
        return bool(mails) and all(m["status"] == "sent" for m in mails)

    await wait_for(all_sent, timeout=10)


async def rows_of(db: Database, tenant_id: str) -> dict[str, int]:
    """How many records of the tenant each table holds."""
    counts: dict[str, int] = {}
    for table in TABLES:
        key = "_id" if table in ("tenants", "tenant_presence") else "tenant_id"
        if found := await stored(db, table, **{key: tenant_id}):
            counts[table] = len(found)
    return counts


DAY = timedelta(days=1)
