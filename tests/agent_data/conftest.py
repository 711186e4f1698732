"""A live wsChat with mail (a real aiosmtpd), and a tenant whose agent Quendolin Xaver took part in chats in
every way the product allows, filled through the product itself: chats he held (with a call, a transfer with
a note to his colleague Quendolin Xavier, a transcript forwarded), a waiting chat he closed without holding
it, and an offline message he answered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from tests.mail.conftest import serving_mail
from tests.mail.smtpd import SmtpServer
from tests.media import images
from tests.support import PASSWORD, FakeClock, LiveServer, Peer, stored, wait_for
from wschat.accounts.models import AgentCreate, Plan, Role, Tenant, User
from wschat.config import Settings

#: The deleted agent's alias and login, and his colleague's: alike, but neither holds the other.
XAVER = ("Quendolin Xaver", "q.xaver")
XAVIER = ("Quendolin Xavier", "q.xavier")
OFFLINE_FORM = {"name": "Olga Offline", "email": "olga@example.org", "text": "Bitte um Rückruf", "lang": "de"}


@pytest.fixture
async def server(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession, smtp: SmtpServer
) -> AsyncIterator[LiveServer]:
    async with serving_mail(settings, clock, http, smtp) as live:
        yield live


@dataclass
class Office:
    server: LiveServer
    tenant: Tenant
    xaver: User
    xavier: User
    tokens: dict[str, str]
    #: The chats Xaver took part in, each in its own way.
    chats: list[str]
    photo_id: str

    async def agent(self, name: str) -> Peer:
        return await self.server.agent(self.tokens[name])


async def office(server: LiveServer) -> Office:
    tenant = await server.accounts.create_tenant("acme", "Acme GmbH", Plan.CONTRACT, "info@acme.test")
    await server.make_user(tenant, "anna", Role.ADMIN)
    users = [
        await server.accounts.create_user(
            tenant, AgentCreate(login=login, display_name=name, password=PASSWORD)
        )
        for name, login in (XAVER, XAVIER)
    ]
    tokens = {"anna": await server.login("acme", "anna")}
    tokens |= {user.login: await server.login("acme", user.login) for user in users}
    photo = await server.request(
        "PUT",
        f"/api/agents/{users[0].id}/photo",
        data=images.jpeg(),
        token=tokens["q.xaver"],
        headers={"Content-Type": "image/jpeg"},
    )
    assert photo.status == 200, photo.body
    xaver = await server.accounts.users.by_id(tenant.id, users[0].id)
    assert xaver is not None
    assert xaver.photo_id is not None
    here = Office(server, tenant, xaver, users[1], tokens, [], xaver.photo_id)
    await _chats(here)
    return here


async def _chats(office: Office) -> None:
    server = office.server
    xaver = await office.agent("q.xaver")
    await xaver.ok("status.set", {"status": "online"})
    for n in range(1, 5):
        visitor = await server.visitor("acme")
        await visitor.ok("chat.start", {"alias": f"Besucherin{n}"})
        cid = (await visitor.wait("chat.assigned"))["conversation_id"]
        office.chats.append(cid)
        await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v1", "text": f"Frage {n}"})
        await xaver.ok("message.send", {"conversation_id": cid, "client_id": "x1", "text": f"Antwort {n}"})
        if n == 1:
            call = await xaver.ok("call.start", {"conversation_id": cid, "kind": "video"})
            await xaver.ok("call.end", {"call_id": call["call"]["id"]})
        if n == 2:
            xavier = await office.agent("q.xavier")
            await xavier.ok("status.set", {"status": "online"})
            transfer = {"conversation_id": cid, "to_agent_id": office.xavier.id, "note": "Stammkundin"}
            await xaver.ok("chat.transfer", transfer)
            await xavier.wait("chat.assigned")
            await xavier.ok(
                "message.send", {"conversation_id": cid, "client_id": "k1", "text": "Kollege hier"}
            )
            await xavier.ok("chat.close", {"conversation_id": cid})
            await xavier.ok("status.set", {"status": "offline"})
            await xavier.disconnect()
        else:
            await xaver.ok("chat.close", {"conversation_id": cid})
        if n == 3:
            forward = await server.request(
                "POST",
                f"/api/conversations/{cid}/transcripts",
                json={"to": "akte@example.org", "note": "Zur Akte"},
                token=office.tokens["q.xaver"],
            )
            assert forward.status == 202, forward.body
        await visitor.disconnect()
    # A waiting chat (nobody online) that he closes without ever holding it.
    await xaver.ok("status.set", {"status": "away"})
    waiting = await server.visitor("acme")
    cid = (await waiting.ok("chat.start", {"alias": "Wartende"}))["conversation"]["id"]
    office.chats.append(cid)
    await xaver.ok("chat.close", {"conversation_id": cid})
    await waiting.disconnect()
    # An offline message, left while nobody is online, that he answers by mail.
    await xaver.ok("status.set", {"status": "offline"})
    leaving = await server.visitor("acme")
    item = (await leaving.ok("offline.leave", OFFLINE_FORM))["id"]
    office.chats.append(item)
    answer = await server.request(
        "POST",
        f"/api/offline/{item}/answer",
        json={"text": "Wir rufen zurück"},
        token=office.tokens["q.xaver"],
    )
    assert answer.status == 202, answer.body
    done = await server.request("POST", f"/api/offline/{item}/done", token=office.tokens["q.xaver"])
    assert done.status == 200, done.body
    await leaving.disconnect()
    await xaver.disconnect()
    await _settled(server)


async def _settled(server: LiveServer) -> None:
    """Every socket's disconnect recorded, so that "nothing changed" compares a settled state."""
    db = server.app.runtime.db

    async def quiet() -> bool:
        return not await stored(db, "sockets")

    await wait_for(quiet)
