"""Recorded where it happens: each action of the issue leaves one entry once it succeeded (who, what, which
record, counts), a refused one leaves none, and no entry ever holds a person's words, address or e-mail
address: every string of the people involved is looked for in the stored log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.audit.conftest import actions, entries
from tests.lifecycle.conftest import operator
from tests.subjects.conftest import Company, Person, company, person, widget
from tests.support import LiveServer
from wschat.records import Document

pytestmark = pytest.mark.both_backends


def _nowhere_in(found: list[Document], *strings: str) -> None:
    text = repr(found).lower()
    assert [s for s in strings if s.lower() in text] == [], "the audit log holds a person's data"


async def _step(server: LiveServer, method: str, path: str, token: str, json: Any = None) -> Any:
    """One request that must succeed, a second later than the one before (entries sort by time)."""
    server.clock.advance(seconds=1)
    reply = await server.request(method, path, json=json, token=token)
    assert reply.status in (200, 201, 202, 204), reply.body
    return reply.body


async def test_every_data_subject_action_is_recorded_with_counts_and_never_content(
    server: LiveServer,
) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    beta = await person(server, "acme", acme.agent_token, "betaperson", "198.51.100.23")
    admin, base = acme.admin_token, f"/api/subjects/{alpha.visitor_id}"

    await _step(server, "GET", f"{base}/export", admin)
    await _step(server, "PATCH", base, admin, {"name": "Alpha Neu"})
    await _step(server, "PUT", f"{base}/restriction", admin, {"restricted": True})
    await _step(server, "PUT", f"{base}/restriction", admin, {"restricted": False})
    note = "Brief von alphapersonname"
    logged = await _step(
        server,
        "POST",
        "/api/subjects/requests",
        admin,
        {"visitor_id": alpha.visitor_id, "kind": "objection", "note": note},
    )
    request_id = logged["request"]["id"]
    await _step(server, "POST", f"/api/subjects/requests/{request_id}/done", admin)
    await _step(server, "POST", f"/api/subjects/requests/{request_id}/done", admin)  # done already: as it is
    await _step(server, "POST", f"{base}/erase", admin, {"mode": "anonymise"})
    await _step(server, "POST", f"/api/subjects/{beta.visitor_id}/erase", admin, {"mode": "delete"})

    found = await entries(server, family="subject")
    assert actions(found) == [
        "subject.exported",
        "subject.rectified",
        "subject.restricted",
        "subject.unrestricted",
        "subject.request_logged",
        "subject.request_done",
        "subject.anonymised",
        "subject.erased",
    ]
    anna = await server.app.runtime.db.stores.users.by_login(acme.tenant.id, "anna")
    assert anna is not None
    assert {(e["actor_kind"], e["actor_id"], e["actor_name"]) for e in found} == {("admin", anna.id, "Anna")}
    assert [e["target_id"] for e in found] == [alpha.visitor_id] * 7 + [beta.visitor_id]
    exported, rectified, *_, logged_entry, done, anonymised, erased = found
    assert exported["details"] == {
        "conversations": 1,
        "messages": exported["details"]["messages"],
        "pages": 1,
        "mails": 1,
        "appointments": 0,
    }
    assert exported["details"]["messages"] >= 2
    assert rectified["details"] == {"fields": ["name"]}
    assert logged_entry["details"] == done["details"] == {"kind": "objection", "request_id": request_id}
    assert anonymised["details"]["counts"]["visitors"] == 1
    assert erased["details"]["counts"]["conversations"] == 1
    everything = await entries(server)
    _nowhere_in(everything, *alpha.strings, *beta.strings, note, "Alpha Neu")


async def test_refused_data_subject_actions_record_nothing(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    other = await company(server, "globex")
    before = await entries(server)
    base = f"/api/subjects/{alpha.visitor_id}"

    refused = [
        await server.request("GET", f"{base}/export", token=acme.agent_token),
        await server.request("POST", f"{base}/erase", json={"mode": "delete"}, token=other.admin_token),
        await server.request("PATCH", base, json={}, token=acme.admin_token),
        await server.request(
            "PUT", f"{base}/restriction", json={"restricted": "yes"}, token=acme.admin_token
        ),
        await server.request(
            "POST", "/api/subjects/requests/dsr_0123456789abcdef/done", token=acme.admin_token
        ),
    ]

    assert [r.code for r in refused] == [
        "FORBIDDEN",
        "NOT_FOUND",
        "VALIDATION_FAILED",
        "VALIDATION_FAILED",
        "NOT_FOUND",
    ]
    assert await entries(server) == before


async def test_archive_views_exports_forwards_and_answers_are_recorded_without_addresses(
    server: LiveServer,
) -> None:
    acme = await company(server, "acme")
    item = await _offline_message(server)  # left while nobody is online yet
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    carl = await server.login("acme", (await _user(server, acme, "carl")).login)
    chat = f"/api/archive/{alpha.conversation_id}"

    await _step(server, "GET", chat, acme.admin_token)
    await _step(server, "GET", chat, acme.agent_token)  # Bert held the chat
    refused = await server.request("GET", chat, token=carl)  # Carl did not: nothing is shown or recorded
    assert refused.code == "FORBIDDEN"
    await _download(server, acme, "/api/archive/export?format=csv&q=alphapersontext")
    forward = f"/api/conversations/{alpha.conversation_id}/transcripts"
    await _step(server, "POST", forward, acme.agent_token, {"to": "AlphaPerson@example.org"})
    await _step(server, "POST", forward, acme.agent_token, {"to": "chef@elsewhere.example", "note": "FYI"})
    await _step(server, "POST", f"/api/offline/{item}/answer", acme.agent_token, {"text": "Wir rufen an."})

    found = await entries(server)
    assert actions(found) == [
        "transcript.sent_to_visitor",  # the person's own copy (tests/subjects/conftest.py: person)
        "archive.viewed",
        "archive.viewed",
        "archive.exported",
        "transcript.forwarded",
        "transcript.forwarded",
        "offline.answered",
    ]
    copy, by_admin, by_agent, exported, to_visitor, to_other, answered = found
    assert (copy["actor_kind"], copy["actor_id"], copy["details"]["recipient"]) == (
        "visitor",
        alpha.visitor_id,
        "visitor",
    )
    assert [(e["actor_kind"], e["actor_name"]) for e in (by_admin, by_agent)] == [
        ("admin", "Anna"),
        ("agent", "Bert"),
    ]
    assert by_admin["target_kind"] == "conversation"
    assert by_admin["target_id"] == alpha.conversation_id
    assert by_admin["details"]["messages"] >= 2
    assert exported["details"] == {
        "format": "csv",
        "filter": {"q": "alphapersontext", "format": "csv"},
        "rows": 1,
    }
    assert (to_visitor["details"]["recipient"], to_other["details"]["recipient"]) == ("visitor", "other")
    assert to_other["details"]["messages"] == to_visitor["details"]["messages"] > 0
    assert (answered["actor_name"], answered["details"]) == ("Bert", {"recipient": "visitor"})
    # What admins typed into the export's filter stays (docs/privacy.md); nothing of the people else.
    _nowhere_in(found, *(s for s in alpha.strings if s != "alphapersontext"), "elsewhere.example", "FYI")
    _nowhere_in(found, "offline@example.org", "Wir rufen an", "Bitte um Rückruf")
    exports = await server.request("GET", "/api/archive/exports", token=acme.admin_token)
    [listed] = exports.body["exports"]
    assert (listed["id"], listed["user_name"], listed["format"], listed["rows"]) == (
        exported["_id"],
        "Anna",
        "csv",
        1,
    )


async def test_agent_deletion_and_the_lifecycle_are_recorded(server: LiveServer) -> None:
    acme = await company(server, "acme")
    bert = await _user(server, acme, "bert")

    await _step(server, "DELETE", f"/api/agents/{bert.id}", acme.admin_token)
    last_day = (server.clock.now + timedelta(days=2)).date().isoformat()
    server.clock.advance(seconds=1)
    assert (await operator(server, "POST", "/acme/terminate", {"last_day": last_day})).status == 200
    server.clock.advance(seconds=1)
    assert (
        await operator(server, "POST", "/acme/release", {})
    ).code == "WRONG_STATE"  # refused: not recorded
    assert (
        await operator(server, "POST", "/acme/hold", {"reason": "Streit mit Herrn Beispiel"})
    ).status == 200
    server.clock.advance(seconds=1)
    assert (await operator(server, "POST", "/acme/release", {})).status == 200
    server.clock.now += timedelta(days=4)
    await server.app.runtime.lifecycle.run_once()
    server.clock.advance(seconds=1)
    assert (await operator(server, "POST", "/acme/contract", {})).status == 200

    found = await entries(server)
    assert actions(found) == [
        "agent.deleted",
        "contract.terminate",
        "contract.hold",
        "contract.release",
        "lifecycle.contract_ended",
        "contract.contract",
    ]
    deleted, terminated, held, *_, ended, renewed = found
    assert (deleted["actor_name"], deleted["target_kind"], deleted["target_id"]) == ("Anna", "user", bert.id)
    assert deleted["details"] == {"role": "agent"}
    assert {e["actor_kind"] for e in [*found[1:4], renewed]} == {"operator"}
    assert terminated["details"]["was"] == "contract"
    assert held["details"] == {}, "the reason of a hold may name people: never in the log"
    assert (ended["actor_kind"], ended["details"]) == ("system", {"mailed": True})
    assert renewed["details"] == {"was": "ended"}
    _nowhere_in(found, "Bert", "Beispiel", "info@acme.test")


async def _user(server: LiveServer, acme: Company, login: str) -> Any:
    user = await server.app.runtime.db.stores.users.by_login(acme.tenant.id, login)
    if user is None:
        user = await server.make_user(acme.tenant, login)
    return user


async def _download(server: LiveServer, acme: Company, path: str) -> None:
    server.clock.advance(seconds=1)
    headers = {"Authorization": f"Bearer {acme.admin_token}"}
    async with server.http.get(server.url + path, headers=headers) as reply:
        assert reply.status == 200
        await reply.read()


async def _offline_message(server: LiveServer) -> str:
    """An offline message left while nobody is online; its id."""
    visitor = await widget(server, "acme", "192.0.2.9")
    form = {"email": "offline@example.org", "text": "Bitte um Rückruf", "lang": "de"}
    item: str = (await visitor.ok("offline.leave", form))["id"]
    await visitor.disconnect()
    return item


_ = Person  # the people made by tests/subjects/conftest.py's person()
