"""The admin's webhook API on a live server, and the chat's events reaching a real receiver through it:
registration (the secret shown once, sealed at rest), every bad URL refused with nothing stored, the
deliveries' log by pages and "send again", and conversation.closed, offline_message.created and
contact.submitted as receivers get them (restricted visitors never)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from tests.support import FakeClock, LiveServer, Peer, Reply, start_server, stored, wait_for
from tests.webhooks.receiver import Answer, Receiver
from wschat.accounts.models import Role, Tenant
from wschat.config import Settings
from wschat.webhooks.addresses import MAX_URL
from wschat.webhooks.signing import verify


@dataclass
class Office:
    """A live wsChat whose operator allows 127.0.0.1/32; tenant acme with admin Anna, agents Bert and
    Carl; tenant globex with admin Gina."""

    server: LiveServer
    acme: Tenant
    tokens: dict[str, str]

    async def call(self, method: str, path: str, json: object = None, who: str = "anna") -> Reply:
        return await self.server.request(method, path, json=json, token=self.tokens[who])

    async def register(self, url: str, *events: str) -> tuple[str, str]:
        reply = await self.call("POST", "/api/webhooks", {"url": url, "events": list(events)})
        assert reply.status == 201, reply.body
        return reply.body["endpoint"]["id"], reply.body["secret"]

    async def agent(self, name: str) -> Peer:
        peer = await self.server.agent(self.tokens[name])
        await peer.ok("status.set", {"status": "online"})
        return peer


@pytest.fixture
async def office(
    hook_settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> AsyncIterator[Office]:
    async with start_server(hook_settings, clock, http) as server:
        acme = await server.make_tenant("acme")
        await server.make_user(acme, "anna", Role.ADMIN)
        for name in ("bert", "carl"):
            await server.make_user(acme, name)
        globex = await server.make_tenant("globex")
        await server.make_user(globex, "gina", Role.ADMIN)
        tokens = {name: await server.login("acme", name) for name in ("anna", "bert", "carl")}
        tokens["gina"] = await server.login("globex", "gina")
        yield Office(server, acme, tokens)
        if server.app.runtime.db.kind == "mongodb":
            await server.app.runtime.db.drop()


async def _deliveries(office: Office) -> list[dict[str, object]]:
    reply = await office.call("GET", "/api/webhooks/deliveries")
    assert reply.status == 200, reply.body
    found: list[dict[str, object]] = reply.body["deliveries"]
    return found


@pytest.mark.both_backends
async def test_admin_registers_an_endpoint_and_sees_its_secret_once(
    office: Office, receiver: Receiver
) -> None:
    endpoint_id, secret = await office.register(receiver.url, "conversation.closed", "appointment.booked")

    assert secret.startswith("whsec_")
    listed = await office.call("GET", "/api/webhooks")
    [endpoint] = listed.body["endpoints"]
    assert endpoint["id"] == endpoint_id
    assert endpoint["events"] == ["conversation.closed", "appointment.booked"]
    assert "secret" not in endpoint
    assert secret not in json.dumps(listed.body)
    assert "appointment.cancelled" in listed.body["events"]
    [doc] = await stored(office.server.app.runtime.db, "webhook_endpoints")
    assert secret not in json.dumps(doc, default=str), "the secret is sealed at rest"
    assert doc["secret"]["sealed"] == 1
    rotated = await office.call("PATCH", f"/api/webhooks/{endpoint_id}", {"rotate_secret": True})
    assert rotated.body["secret"].startswith("whsec_")
    assert rotated.body["secret"] != secret


BAD_URLS = [
    ("http://crm.example.com/hook", "WEBHOOK_URL_INVALID"),
    ("https://crm.example.com/" + "x" * MAX_URL, "WEBHOOK_URL_INVALID"),
    ("https://user:pass@crm.example.com/hook", "WEBHOOK_URL_INVALID"),
    ("https://127.0.0.2/hook", "WEBHOOK_ADDRESS_FORBIDDEN"),
    ("https://10.0.0.1/hook", "WEBHOOK_ADDRESS_FORBIDDEN"),
    ("https://169.254.169.254/latest/meta-data/", "WEBHOOK_ADDRESS_FORBIDDEN"),
    ("https://[::1]/hook", "WEBHOOK_ADDRESS_FORBIDDEN"),
    ("https://[::ffff:10.0.0.1]/hook", "WEBHOOK_ADDRESS_FORBIDDEN"),
]


@pytest.mark.parametrize(("url", "code"), BAD_URLS)
async def test_bad_url_is_refused_clearly_and_nothing_is_stored(office: Office, url: str, code: str) -> None:
    reply = await office.call("POST", "/api/webhooks", {"url": url, "events": ["conversation.closed"]})

    assert reply.status == 400
    assert reply.code == code
    assert reply.body["error"]["message"]
    assert "Traceback" not in json.dumps(reply.body)
    assert await stored(office.server.app.runtime.db, "webhook_endpoints") == []


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://crm.example.com/hook", "events": []},
        {"url": "https://crm.example.com/hook", "events": ["chat.started"]},
        {"url": "https://crm.example.com/hook"},
        {"url": {"$ne": None}, "events": ["conversation.closed"]},
        {"url": "https://crm.example.com/hook", "events": ["conversation.closed"], "secret": "mine"},
    ],
)
async def test_bad_body_is_refused_and_nothing_is_stored(office: Office, body: dict[str, object]) -> None:
    reply = await office.call("POST", "/api/webhooks", body)

    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert await stored(office.server.app.runtime.db, "webhook_endpoints") == []


async def test_eleventh_endpoint_is_refused_and_not_stored(office: Office, receiver: Receiver) -> None:
    for n in range(10):
        await office.register(f"{receiver.url}/{n}", "conversation.closed")

    body = {"url": receiver.url, "events": ["conversation.closed"]}
    reply = await office.call("POST", "/api/webhooks", body)

    assert (reply.status, reply.code) == (409, "LIMIT_REACHED")
    assert len(await stored(office.server.app.runtime.db, "webhook_endpoints")) == 10


async def test_bad_url_in_a_change_is_refused_and_nothing_changes(office: Office, receiver: Receiver) -> None:
    endpoint_id, _ = await office.register(receiver.url, "conversation.closed")
    before = await stored(office.server.app.runtime.db, "webhook_endpoints")

    for url, code in BAD_URLS:
        reply = await office.call("PATCH", f"/api/webhooks/{endpoint_id}", {"url": url, "events": []})
        assert reply.status == 400, url
        reply = await office.call("PATCH", f"/api/webhooks/{endpoint_id}", {"url": url})
        assert reply.code == code, url

    assert await stored(office.server.app.runtime.db, "webhook_endpoints") == before


async def test_agents_and_other_tenants_cannot_touch_the_webhooks(office: Office, receiver: Receiver) -> None:
    endpoint_id, _ = await office.register(receiver.url, "conversation.closed")

    assert (await office.call("GET", "/api/webhooks", who="bert")).code == "FORBIDDEN"
    body = {"url": receiver.url, "events": ["conversation.closed"]}
    assert (await office.call("POST", "/api/webhooks", body, who="bert")).code == "FORBIDDEN"
    assert (await office.call("GET", "/api/webhooks", who="gina")).body["endpoints"] == []
    for method, path, payload in (
        ("PATCH", f"/api/webhooks/{endpoint_id}", {"enabled": False}),
        ("DELETE", f"/api/webhooks/{endpoint_id}", None),
    ):
        assert (await office.call(method, path, payload, who="gina")).code == "NOT_FOUND"
    [endpoint] = (await office.call("GET", "/api/webhooks")).body["endpoints"]
    assert endpoint["enabled"] is True


async def _all_in(office: Office, state: str, *, attempts: int) -> bool:
    """Whether every delivery is in ``state``, each tried ``attempts`` times (its outcome is stored just
    after the receiver answered)."""
    return {(d["status"], d["attempts"]) for d in await _deliveries(office)} == {(state, attempts)}


async def _closed_chat(office: Office) -> tuple[str, Peer]:
    """A chat: the visitor writes, Bert answers, hands it to Carl with a note, Carl closes it."""
    bert, carl = await office.agent("bert"), await office.agent("carl")
    visitor = await office.server.visitor()
    await visitor.ok("chat.start", {"name": "Sam Sommer"})
    cid: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    holder = bert if (await visitor.wait("chat.assigned"))["agent"]["display_name"] == "Bert" else carl
    other_id = "carl" if holder is bert else "bert"
    await visitor.ok(
        "message.send", {"conversation_id": cid, "client_id": "v1", "text": "Wo bleibt Paket 42?"}
    )
    await holder.ok("message.send", {"conversation_id": cid, "client_id": "a1", "text": "Ich schaue nach."})
    await visitor.ok("contact.submit", {"conversation_id": cid, "email": "sam@example.org"})
    users = await office.server.accounts.users.by_login(office.acme.id, other_id)
    assert users is not None
    await holder.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": users.id, "note": "VIP, intern"})
    closer = carl if holder is bert else bert
    await closer.ok("chat.close", {"conversation_id": cid})
    return cid, visitor


@pytest.mark.both_backends
async def test_chat_events_reach_the_receiver_signed_without_agents_only_notes(
    office: Office, receiver: Receiver, clock: FakeClock
) -> None:
    _, secret = await office.register(receiver.url, "conversation.closed", "contact.submitted")

    cid, _ = await _closed_chat(office)
    await wait_for(lambda: len(receiver.received) == 2)

    bodies = {json.loads(r.body)["event"]: r for r in receiver.received}
    for got in bodies.values():
        assert verify(secret, got.headers["X-WsChat-Signature"], got.body, int(clock().timestamp()))
    contact = json.loads(bodies["contact.submitted"].body)["data"]
    assert contact["visitor"]["contact"]["email"] == "sam@example.org"
    assert contact["conversation_id"] == cid
    closed = json.loads(bodies["conversation.closed"].body)["data"]
    assert closed["conversation"]["id"] == cid
    assert closed["conversation"]["closed_at"].endswith("Z")
    assert closed["visitor"]["name"] == "Sam Sommer"
    assert "ip" not in closed["visitor"]
    texts = [line["text"] for line in closed["transcript"]]
    assert "Wo bleibt Paket 42?" in texts
    assert "Ich schaue nach." in texts
    assert "VIP, intern" not in json.dumps(closed), "an agents-only note never leaves"
    assert closed["transcript_complete"] is True

    async def both_delivered() -> bool:
        return [d["status"] for d in await _deliveries(office)] == ["delivered"] * 2

    await wait_for(both_delivered)  # the outcome is stored just after the receiver answered


async def test_offline_message_reaches_the_receiver(office: Office, receiver: Receiver) -> None:
    await office.register(receiver.url, "offline_message.created")
    visitor = await office.server.visitor()
    form = {"email": "later@example.org", "text": "Bitte um Rückruf", "lang": "de", "client_id": "form-1"}

    item = (await visitor.ok("offline.leave", form))["id"]
    await visitor.ok("offline.leave", form)  # sent again (no ack came): the same item, one delivery
    await wait_for(lambda: len(receiver.received) == 1)

    data = json.loads(receiver.received[0].body)["data"]
    assert data["offline_message"] == {
        "id": item,
        "created_at": data["offline_message"]["created_at"],
        "email": "later@example.org",
        "lang": "de",
        "text": "Bitte um Rückruf",
    }
    assert len(await _deliveries(office)) == 1


async def test_restricted_visitor_is_never_sent(office: Office, receiver: Receiver) -> None:
    await office.register(receiver.url, "contact.submitted", "offline_message.created")
    visitor = await office.server.visitor()
    await visitor.ok("offline.leave", {"email": "r@example.org", "text": "Hallo", "client_id": "f1"})
    await wait_for(lambda: len(receiver.received) == 1)
    visitor_id = json.loads(receiver.received[0].body)["data"]["visitor"]["id"]
    reply = await office.call("PUT", f"/api/subjects/{visitor_id}/restriction", {"restricted": True})
    assert reply.status == 200, reply.body

    await visitor.ok("contact.submit", {"email": "r@example.org", "phone": "+49 30 1234567"})
    await visitor.ok("offline.leave", {"email": "r@example.org", "text": "Noch mal", "client_id": "f2"})
    await office.server.app.runtime.webhooks.worker.run_once()

    assert len(receiver.received) == 1
    assert len(await _deliveries(office)) == 1


async def test_deliveries_listed_by_pages_and_sent_again(office: Office, receiver: Receiver) -> None:
    endpoint_id, _ = await office.register(receiver.url, "appointment.booked")
    receiver.answer(Answer(410, b"gone for now"))
    service = office.server.app.runtime.webhooks.service
    for n in range(5):
        office.server.clock.advance(seconds=1)
        await service.enqueue(office.acme.id, "appointment.booked", {"n": n}, key=f"apt_{n}")
    await wait_for(lambda: len(receiver.received) == 5)
    await wait_for(lambda: _all_in(office, "pending", attempts=1))

    first = await office.call("GET", "/api/webhooks/deliveries?limit=3")
    assert len(first.body["deliveries"]) == 3
    rest = await office.call("GET", f"/api/webhooks/deliveries?limit=3&before={first.body['next_before']}")
    assert rest.body["next_before"] is None
    everything = first.body["deliveries"] + rest.body["deliveries"]
    created = [d["created_at"] for d in everything]
    assert created == sorted(created, reverse=True)
    assert len(set(created)) == 5
    assert {d["id"] for d in everything} == {r.headers["X-WsChat-Delivery"] for r in receiver.received}
    assert [d["response_status"] for d in everything] == [410] * 5
    assert everything[0]["response_body"] == "gone for now"
    of_endpoint = await office.call("GET", f"/api/webhooks/deliveries?endpoint_id={endpoint_id}")
    assert len(of_endpoint.body["deliveries"]) == 5

    pending = everything[0]["id"]
    assert (await office.call("POST", f"/api/webhooks/deliveries/{pending}/resend")).code == "CONFLICT"
    office.server.clock.advance(hours=25)
    office.tokens["anna"] = await office.server.login("acme", "anna")  # 25 h later
    office.tokens["gina"] = await office.server.login("globex", "gina")
    office.server.app.runtime.webhooks.worker.wake()  # each is tried once more, and failed for good
    await wait_for(lambda: _all_in(office, "failed", attempts=2))
    assert len(receiver.received) == 10
    receiver.answer(Answer(200))
    again = await office.call("POST", f"/api/webhooks/deliveries/{pending}/resend")
    assert again.status == 202, again.body
    assert again.body["delivery"]["status"] == "pending"
    await wait_for(lambda: len(receiver.received) == 11)

    async def resent_delivered() -> bool:
        newest = (await _deliveries(office))[0]
        return (newest["id"], newest["status"], newest["attempts"]) == (pending, "delivered", 3)

    await wait_for(resent_delivered)
    earlier = [r.body for r in receiver.received[:-1] if r.headers["X-WsChat-Delivery"] == pending]
    assert earlier == [receiver.received[-1].body] * 2  # the same bytes each time
    gina = await office.call("POST", f"/api/webhooks/deliveries/{pending}/resend", who="gina")
    assert gina.code == "NOT_FOUND"
    deleted = await office.call("DELETE", f"/api/webhooks/{endpoint_id}")
    assert deleted.status == 204
    assert await _deliveries(office) == []


async def test_erasing_a_person_deletes_the_deliveries_about_them(office: Office, receiver: Receiver) -> None:
    await office.register(receiver.url, "offline_message.created", "appointment.booked")
    visitor = await office.server.visitor()
    await visitor.ok("offline.leave", {"email": "e@example.org", "text": "Hallo", "client_id": "f1"})
    await wait_for(lambda: len(receiver.received) == 1)
    visitor_id = json.loads(receiver.received[0].body)["data"]["visitor"]["id"]
    service = office.server.app.runtime.webhooks.service
    await service.enqueue(office.acme.id, "appointment.booked", {"n": 1}, key="apt_other")
    await wait_for(lambda: len(receiver.received) == 2)

    reply = await office.call("POST", f"/api/subjects/{visitor_id}/erase", {"mode": "delete"})

    assert reply.status == 200, reply.body
    assert reply.body["erased"]["counts"]["webhook_deliveries"] == 1
    [left] = await _deliveries(office)
    assert left["event"] == "appointment.booked"


async def test_registering_changing_and_deleting_an_endpoint_is_in_the_audit_log(
    office: Office, receiver: Receiver
) -> None:
    endpoint_id, secret = await office.register(receiver.url + "?token=crm-token-1", "contact.submitted")
    office.server.clock.advance(seconds=1)
    changed = await office.call(
        "PATCH", f"/api/webhooks/{endpoint_id}", {"enabled": False, "rotate_secret": True}
    )
    assert changed.status == 200, changed.body
    office.server.clock.advance(seconds=1)
    assert (await office.call("DELETE", f"/api/webhooks/{endpoint_id}")).status == 204

    reply = await office.call("GET", "/api/audit?action=webhook.*")

    entries = reply.body["entries"]
    assert [e["action"] for e in entries] == ["webhook.deleted", "webhook.changed", "webhook.created"]
    assert {e["actor"]["name"] for e in entries} == {"Anna"}
    assert entries[2]["details"] == {
        "endpoint_id": endpoint_id,
        "host": "127.0.0.1",
        "events": ["contact.submitted"],
        "enabled": True,
    }
    assert entries[1]["details"]["fields"] == ["enabled"]
    assert entries[1]["details"]["secret_rotated"] is True
    logged = json.dumps(entries)
    assert "crm-token-1" not in logged, "a receiver's token in the URL stays out of the log"
    assert secret not in logged
    assert changed.body["secret"] not in logged
