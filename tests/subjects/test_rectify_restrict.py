"""Rectification (Art. 16) and restriction (Art. 18): a person's data corrected with the change logged (the
fields, not their values); a restricted person's chats kept but left out of the archive, its search and its
exports, and no transcript mailed to them, until the restriction is lifted."""

from __future__ import annotations

from typing import Any

import pytest

from tests.subjects.conftest import company, person, widget
from tests.support import LiveServer, stored
from wschat.storage import TABLES, Database


async def _everything(db: Database) -> dict[str, list[Any]]:
    return {table: await stored(db, table) for table in TABLES}


@pytest.mark.both_backends
async def test_subject_rectified_name_and_contact_are_searchable_and_logged(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    change = {"name": "Alfred Person", "alias": None, "contact": {"email": "alfred@example.org"}}

    reply = await server.request(
        "PATCH", f"/api/subjects/{alpha.visitor_id}", json=change, token=acme.admin_token
    )

    assert reply.status == 200, reply.body
    subject = reply.body["subject"]
    assert (subject["name"], subject["alias"]) == ("Alfred Person", None)
    assert subject["contact"] == {"name": None, "email": "alfred@example.org", "phone": None}
    found = await server.request("GET", "/api/subjects?email=alfred@example.org", token=acme.admin_token)
    assert [s["id"] for s in found.body["subjects"]] == [alpha.visitor_id]
    old = await server.request("GET", "/api/subjects?email=alphaperson@example.org", token=acme.admin_token)
    assert old.body["subjects"] == []
    log = await server.request("GET", "/api/subjects/requests", token=acme.admin_token)
    [entry] = log.body["requests"]
    assert entry["kind"] == "rectification"
    assert entry["detail"] == {"fields": ["alias", "contact.email", "contact.name", "contact.phone", "name"]}
    assert "alphaperson" not in repr(log.body), "the old values are not kept in the log"


async def test_subject_rectification_refuses_bad_input_and_changes_nothing(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    db = server.app.runtime.db
    before = await _everything(db)
    path = f"/api/subjects/{alpha.visitor_id}"
    for body, token, code in (
        ({}, acme.admin_token, "VALIDATION_FAILED"),
        ({"contact": {"email": "not an address"}}, acme.admin_token, "VALIDATION_FAILED"),
        ({"contact": {"phone": "call me"}}, acme.admin_token, "VALIDATION_FAILED"),
        ({"name": "x" * 81}, acme.admin_token, "VALIDATION_FAILED"),
        ({"name": {"$set": "x"}}, acme.admin_token, "VALIDATION_FAILED"),
        ({"ip": "1.2.3.4"}, acme.admin_token, "VALIDATION_FAILED"),
        ({"name": "Agent Smith"}, acme.agent_token, "FORBIDDEN"),
    ):
        reply = await server.request("PATCH", path, json=body, token=token)
        assert reply.body["error"]["code"] == code, (body, reply.body)
    for body in ({"restricted": "yes"}, {}, {"restricted": True, "x": 1}):
        reply = await server.request("PUT", f"{path}/restriction", json=body, token=acme.admin_token)
        assert reply.body["error"]["code"] == "VALIDATION_FAILED", (body, reply.body)
    assert await _everything(db) == before


@pytest.mark.both_backends
async def test_subject_restricted_is_left_out_of_archive_and_mail_until_lifted(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    beta = await person(server, "acme", acme.agent_token, "betaperson", "198.51.100.23")
    restriction = f"/api/subjects/{alpha.visitor_id}/restriction"

    made = await server.request("PUT", restriction, json={"restricted": True}, token=acme.admin_token)
    assert made.status == 200, made.body
    assert made.body["subject"]["restricted"] is True

    listed = await server.request("GET", "/api/archive", token=acme.admin_token)
    assert [c["id"] for c in listed.body["conversations"]] == [beta.conversation_id]
    searched = await server.request("GET", "/api/archive?q=alphapersontext", token=acme.admin_token)
    assert searched.body["conversations"] == []
    async with server.http.get(
        f"{server.url}/api/archive/export?format=jsonl",
        headers={"Authorization": f"Bearer {acme.admin_token}"},
    ) as export:
        text = await export.text()
    assert "alphaperson" not in text
    assert "betapersontext" in text
    forward = {"to": "boss@acme.example"}
    refused = await server.request(
        "POST",
        f"/api/conversations/{alpha.conversation_id}/transcripts",
        json=forward,
        token=acme.admin_token,
    )
    assert refused.body["error"]["code"] == "RESTRICTED"
    visitor = await server.visitor("acme", alpha.token)
    code = await visitor.error(
        "transcript.request", {"conversation_id": alpha.conversation_id, "email": "alphaperson@example.org"}
    )
    assert code == "RESTRICTED"
    # The person's own export and the admin's still hold everything: restriction is not erasure.
    export = await server.request("GET", f"/api/subjects/{alpha.visitor_id}/export", token=acme.admin_token)
    assert export.body["visitor"]["restricted"] is True
    assert export.body["conversations"][0]["id"] == alpha.conversation_id

    lifted = await server.request("PUT", restriction, json={"restricted": False}, token=acme.admin_token)
    assert lifted.body["subject"]["restricted"] is False
    again = await server.request("GET", "/api/archive?q=alphapersontext", token=acme.admin_token)
    assert [c["id"] for c in again.body["conversations"]] == [alpha.conversation_id]
    log = await server.request("GET", "/api/subjects/requests", token=acme.admin_token)
    kinds = [(r["kind"], r["detail"]) for r in log.body["requests"] if r["kind"] == "restriction"]
    assert sorted(kinds, key=repr) == [
        ("restriction", {"restricted": False}),
        ("restriction", {"restricted": True}),
    ]


async def test_no_answer_to_an_offline_message_is_mailed_to_a_restricted_person(server: LiveServer) -> None:
    """The restriction stops the agent's answer by e-mail too (refused, nothing stored or queued) until it is
    lifted; the item stays to answer."""
    acme = await company(server, "acme")
    visitor = await widget(server, "acme", "192.0.2.50")
    form = {"email": "gamma@example.org", "text": "gammatext, please call", "client_id": "form-1"}
    item_id = (await visitor.ok("offline.leave", form))["id"]
    listed = await server.request("GET", "/api/offline", token=acme.agent_token)
    [item] = listed.body["items"]
    restriction = f"/api/subjects/{item['visitor']['id']}/restriction"
    made = await server.request("PUT", restriction, json={"restricted": True}, token=acme.admin_token)
    assert made.status == 200, made.body
    db = server.app.runtime.db
    before = (await stored(db, "outbox"), await stored(db, "messages", conversation_id=item_id))
    answer = f"/api/offline/{item_id}/answer"

    refused = await server.request("POST", answer, json={"text": "Gern."}, token=acme.agent_token)

    assert (refused.status, refused.code) == (409, "RESTRICTED")
    assert (await stored(db, "outbox"), await stored(db, "messages", conversation_id=item_id)) == before
    await server.request("PUT", restriction, json={"restricted": False}, token=acme.admin_token)
    answered = await server.request("POST", answer, json={"text": "Gern."}, token=acme.agent_token)
    assert answered.status == 202, answered.body
    assert [m["recipient"] for m in await stored(db, "outbox")] == ["gamma@example.org"]
