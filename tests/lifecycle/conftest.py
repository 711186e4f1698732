"""A live wsChat with mail (a real aiosmtpd) and the operator's token, and tenants filled with data through
the product itself: agents with photos and canned replies, a visitor with a page trail and contact data,
a chat with a call, a transcript mailed, an export made, a data-subject export (a request logged)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest

from tests.mail.conftest import serving_mail
from tests.mail.smtpd import SmtpServer
from tests.media import images
from tests.support import FakeClock, LiveServer, Reply, stored, wait_for
from wschat.accounts.models import Plan, Role, Tenant
from wschat.config import Settings
from wschat.secret import Secret
from wschat.storage import TABLES, Database

OPERATOR_TOKEN = "operator-token-for-the-lifecycle-tests-0123456789"


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    """Mail through ``smtp``; the operator's API open to :data:`OPERATOR_TOKEN`."""
    async with serving_mail(settings, clock, http, smtp, operator_token=Secret(OPERATOR_TOKEN)) as live:
        yield live


async def operator(
    server: LiveServer, method: str, path: str, json: Any = None, token: str = OPERATOR_TOKEN
) -> Reply:
    """A call of the operator's API (``/api/operator/tenants…``)."""
    return await server.request(
        method, "/api/operator/tenants" + path, json=json, headers={"Authorization": f"Bearer {token}"}
    )


@dataclass
class Seeded:
    tenant: Tenant
    #: Strings of the tenant's people that must be gone once its data is deleted.
    personal: tuple[str, ...]
    admin_token: str


async def seed(server: LiveServer, slug: str, plan: Plan, contact: str, who: str) -> Seeded:
    """A tenant used as customers use it. ``who`` makes its people's strings unique to it."""
    tenant = await server.accounts.create_tenant(slug, f"{slug.title()} GmbH", plan, contact)
    await server.make_user(tenant, "anna", Role.ADMIN)
    bert = await server.make_user(tenant, "bert")
    anna_token, bert_token = await server.login(slug, "anna"), await server.login(slug, "bert")
    photo = await server.request(
        "PUT",
        f"/api/agents/{bert.id}/photo",
        data=images.jpeg(),
        token=bert_token,
        headers={"Content-Type": "image/jpeg"},
    )
    assert photo.status == 200, photo.body
    text = {"de": f"Guten Tag, {who}agent"}
    reply = {"scope": "shared", "title": "Hallo", "shortcut": "hallo", "text": text}
    made = await server.request("POST", "/api/canned-replies", json=reply, token=anna_token)
    assert made.status == 201, made.body

    agent = await server.agent(bert_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await server.visitor(slug)
    await visitor.ok("page.view", {"url": f"https://www.{slug}.example/{who}seite", "title": f"{who}titel"})
    await visitor.ok("chat.start", {"alias": f"{who}alias"})
    cid = (await visitor.wait("chat.assigned"))["conversation_id"]
    contact_data = {"conversation_id": cid, "name": f"{who}name", "email": f"{who}@example.org"}
    await visitor.ok("contact.submit", contact_data)
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v1", "text": f"Frage {who}text"})
    await agent.ok("message.send", {"conversation_id": cid, "client_id": "a1", "text": f"Antwort {who}reply"})
    call = await agent.ok("call.start", {"conversation_id": cid, "kind": "video"})
    await agent.ok("call.end", {"call_id": call["call"]["id"]})
    await visitor.ok("chat.end", {"conversation_id": cid})
    await visitor.ok("transcript.request", {"conversation_id": cid, "email": f"{who}@example.org"})
    # A data-subject export: the request log then holds a record of the tenant's.
    session = await server.request("POST", f"/api/widget/{slug}/session", json={"token": visitor.token})
    subject = await server.request(
        "GET", f"/api/subjects/{session.body['visitor_id']}/export", token=anna_token
    )
    assert subject.status == 200, subject.body
    headers = {"Authorization": f"Bearer {anna_token}"}
    async with server.http.get(f"{server.url}/api/archive/export?format=jsonl", headers=headers) as export:
        assert export.status == 200
        assert f"{who}text" in await export.text()
    await agent.disconnect()
    await visitor.disconnect()
    personal = (f"{who}name", f"{who}@example.org", f"{who}text", f"{who}reply", f"{who}seite", f"{who}alias")
    return Seeded(tenant, personal, anna_token)


async def traces(db: Database, needles: tuple[str, ...]) -> dict[str, set[str]]:
    """Which needles are found in which table: every record of every table (and on SQLite every row of
    every table in the file, the full-text indexes' own tables too), as text and as bytes."""
    found: dict[str, set[str]] = {}
    if db.kind == "sqlite":
        rows = _sqlite_rows(db)
    else:
        rows = [(table, repr(doc).encode()) for table in TABLES for doc in await stored(db, table)]
    for table, blob in rows:
        lowered = blob.lower()
        for needle in needles:
            if needle.lower().encode() in lowered:
                found.setdefault(table, set()).add(needle)
    return found


def _sqlite_rows(db: Database) -> list[tuple[str, bytes]]:
    path = db.path  # type: ignore[attr-defined]  # the SQLite adapter's file
    rows: list[tuple[str, bytes]] = []
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for name in names:
            for row in conn.execute(f'SELECT * FROM "{name}"'):  # noqa: S608 - the file's own table names
                rows.append((name, b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in row)))
    return rows


async def mails_to(smtp: SmtpServer, address: str, count: int) -> list[str]:
    """The subjects of the first ``count`` mails received for ``address`` (waits for them)."""

    def subjects() -> list[str]:
        return [m.message["Subject"] for m in smtp.received if address in m.recipients]

    await wait_for(lambda: len(subjects()) >= count, timeout=10)
    return subjects()
