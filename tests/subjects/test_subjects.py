"""Data-subject requests end to end: find a person, export everything about them, erase them (deleted or
anonymised), and prove with a scan of every table that nothing of them is left, while the other person of
the same tenant keeps everything."""

from __future__ import annotations

import io
import json
import re
import zipfile
from typing import Any

import pytest

from tests.lifecycle.conftest import traces
from tests.storage.builders import at
from tests.subjects.conftest import company, person, widget
from tests.support import LiveServer, stored
from wschat.clock import new_id
from wschat.storage import TABLES, Database
from wschat.visitors.models import Visitor


async def _everything(db: Database) -> dict[str, list[Any]]:
    return {table: await stored(db, table) for table in TABLES}


@pytest.mark.both_backends
async def test_subject_export_then_erasure_leaves_nothing_of_the_person(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    beta = await person(server, "acme", acme.agent_token, "betaperson", "198.51.100.23")
    db = server.app.runtime.db
    for someone in (alpha, beta):  # each chat forwarded by the agent to the same third address
        forwarded = await server.request(
            "POST",
            f"/api/conversations/{someone.conversation_id}/transcripts",
            json={"to": "boss@acme.example"},
            token=acme.agent_token,
        )
        assert forwarded.status == 202, forwarded.body

    found = await server.request("GET", "/api/subjects?email=AlphaPerson@example.org", token=acme.admin_token)
    assert found.status == 200, found.body
    assert [s["id"] for s in found.body["subjects"]] == [alpha.visitor_id]
    by_conversation = await server.request(
        "GET", f"/api/subjects?conversation_id={beta.conversation_id}", token=acme.admin_token
    )
    assert [s["id"] for s in by_conversation.body["subjects"]] == [beta.visitor_id]

    export = await server.request("GET", f"/api/subjects/{alpha.visitor_id}/export", token=acme.admin_token)
    assert export.status == 200, export.body
    data = export.body
    assert data["visitor"]["contact"]["email"] == "alphaperson@example.org"
    assert data["visitor"]["ip"] == "203.0.113.0"
    [chat] = data["conversations"]
    texts = [m["text"] for m in chat["messages"]]
    assert "Frage alphapersontext" in texts
    assert "Antwort alphapersonreply" in texts
    assert [c["kind"] for c in chat["calls"]] == ["video"]
    assert sorted(t["to"] for t in chat["transcripts_sent"]) == [
        "alphaperson@example.org",
        "boss@acme.example",
    ]
    assert [p["url"] for p in data["pages"]] == ["https://www.acme.example/alphapersonseite"]
    assert sorted(m["to"] for m in data["mails"]) == ["alphaperson@example.org", "boss@acme.example"]
    assert all("betaperson" not in m["text"] for m in data["mails"]), "only the forward of their own chat"
    assert "betaperson" not in json.dumps(data), "another person's data in the export"
    server.clock.advance(seconds=5)

    erased = await server.request(
        "POST", f"/api/subjects/{alpha.visitor_id}/erase", json={"mode": "delete"}, token=acme.admin_token
    )
    assert erased.status == 200, erased.body
    counts = erased.body["erased"]["counts"]
    assert counts["visitors"] == 1
    assert counts["conversations"] == 1
    assert counts["outbox"] >= 1

    assert await traces(db, alpha.strings) == {}, "the forward to a third address is gone too"
    to_boss = await stored(db, "outbox", recipient="boss@acme.example")
    assert len(to_boss) == 1, "the other person's forward stays"
    assert "betapersontext" in to_boss[0]["text"]
    left = await traces(db, beta.strings)
    assert set().union(*left.values()) == set(beta.strings), "the other person lost data"
    again = await server.request(
        "GET", f"/api/subjects?visitor_id={alpha.visitor_id}", token=acme.admin_token
    )
    assert again.body["subjects"] == []

    log = await server.request("GET", "/api/subjects/requests", token=acme.admin_token)
    kinds = [(r["kind"], r["state"], r["visitor_id"]) for r in log.body["requests"]]
    assert kinds == [("erasure", "done", alpha.visitor_id), ("access", "done", alpha.visitor_id)]


@pytest.mark.both_backends
async def test_subject_anonymised_keeps_the_chat_without_a_word_of_the_person(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    beta = await person(server, "acme", acme.agent_token, "betaperson", "198.51.100.23")
    db = server.app.runtime.db
    messages_before = len(await stored(db, "messages", conversation_id=alpha.conversation_id))

    erased = await server.request(
        "POST", f"/api/subjects/{alpha.visitor_id}/erase", json={"mode": "anonymise"}, token=acme.admin_token
    )
    assert erased.status == 200, erased.body

    assert await traces(db, alpha.strings) == {}
    kept = await stored(db, "messages", conversation_id=alpha.conversation_id)
    assert len(kept) == messages_before > 0
    assert {m["text"] for m in kept} == {""}
    [visitor] = await stored(db, "visitors", _id=alpha.visitor_id)
    assert (visitor["name"], visitor["alias"], visitor["ip"], visitor["contact"]) == (None, None, None, {})
    left = await traces(db, beta.strings)
    assert set().union(*left.values()) == set(beta.strings)
    # The browser's session ended with it: its old token opens a new, empty visitor.
    session = await server.request("POST", "/api/widget/acme/session", json={"token": alpha.token})
    assert session.status == 201
    assert session.body["visitor_id"] != alpha.visitor_id


async def test_subject_html_export_is_readable_self_contained_and_escaped(server: LiveServer) -> None:
    acme = await company(server, "acme")
    await server.request(
        "PATCH", "/api/tenant", json={"branding": {"language": "de"}}, token=acme.admin_token
    )
    agent = await server.agent(acme.agent_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await widget(server, "acme", "203.0.113.5")
    started = await visitor.ok("chat.start", {"alias": "<b>Mallory</b>"})
    cid = started["conversation"]["id"]
    payload = '<script>alert(1)</script><img src="https://evil.example/x.png">'
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v1", "text": payload})
    await visitor.ok("chat.end", {"conversation_id": cid})
    visitor_id = (
        await server.request("POST", "/api/widget/acme/session", json={"token": visitor.token})
    ).body["visitor_id"]

    async with server.http.get(
        f"{server.url}/api/subjects/{visitor_id}/export?format=html",
        headers={"Authorization": f"Bearer {acme.admin_token}"},
    ) as reply:
        assert reply.status == 200
        assert reply.content_type == "text/html"
        page = await reply.text()
        policy = reply.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page
    assert re.findall(r"<[^>]*\b(?:src|href)\s*=|url\(", page) == [], "a resource loaded from elsewhere"
    assert '<html lang="de">' in page
    assert "Ihre Daten" in page

    async with server.http.get(
        f"{server.url}/api/subjects/{visitor_id}/export?format=zip",
        headers={"Authorization": f"Bearer {acme.admin_token}"},
    ) as reply:
        assert reply.status == 200
        with zipfile.ZipFile(io.BytesIO(await reply.read())) as archive:
            assert sorted(archive.namelist()) == ["data.json", "index.html"]
            assert json.loads(archive.read("data.json"))["visitor"]["alias"] == "<b>Mallory</b>"


@pytest.mark.both_backends
async def test_subject_found_by_address_among_many_that_share_its_words(server: LiveServer) -> None:
    """More people than one search returns have every word of the address (``info``, ``example``, ``org``)
    in theirs, and were seen more recently: the address is still found, because it is matched whole."""
    acme = await company(server, "acme")
    stores = server.app.runtime.db.stores
    ids = []
    for n in range(60):
        visitor = Visitor(id=new_id("vis"), tenant_id=acme.tenant.id, first_seen=at(n), last_seen=at(n))
        await stores.visitors.insert(visitor, f"token-hash-{n}")
        email = "info@example.org" if n == 0 else f"info@example.org.x{n}.example"
        await stores.visitors.set_contact(acme.tenant.id, visitor.id, {"email": email})
        ids.append(visitor.id)

    found = await server.request("GET", "/api/subjects?email=INFO@example.org", token=acme.admin_token)

    assert [s["id"] for s in found.body["subjects"]] == [ids[0]]
