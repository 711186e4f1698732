"""Requests that are refused: each one answers with its stable code, and nothing is changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.subjects.conftest import company, person, widget
from tests.support import LiveServer, stored
from wschat.lifecycle.models import HoldRequest
from wschat.storage import TABLES, Database


async def _everything(db: Database) -> dict[str, list[Any]]:
    return {table: await stored(db, table) for table in TABLES}


@pytest.mark.both_backends
async def test_subject_of_another_tenant_is_not_found_and_nothing_changes(server: LiveServer) -> None:
    acme = await company(server, "acme")
    globex = await company(server, "globex")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    db = server.app.runtime.db
    before = await _everything(db)

    for method, path, body in (
        ("POST", f"/api/subjects/{alpha.visitor_id}/erase", {"mode": "delete"}),
        ("POST", f"/api/subjects/{alpha.visitor_id}/erase", {"mode": "anonymise"}),
        ("GET", f"/api/subjects/{alpha.visitor_id}/export", None),
        ("POST", "/api/subjects/requests", {"visitor_id": alpha.visitor_id, "kind": "objection"}),
    ):
        reply = await server.request(method, path, json=body, token=globex.admin_token)
        assert reply.status == 404, (path, reply.body)
        assert reply.body["error"]["code"] == "NOT_FOUND"
        assert "alphaperson" not in repr(reply.body)
    for query in (
        f"visitor_id={alpha.visitor_id}",
        f"conversation_id={alpha.conversation_id}",
        "email=alphaperson@example.org",
        "name=alphapersonname",
    ):
        found = await server.request("GET", f"/api/subjects?{query}", token=globex.admin_token)
        assert found.status == 200
        assert found.body["subjects"] == [], query

    assert await _everything(db) == before


async def test_subject_requests_refused_with_bad_input_change_nothing(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    db = server.app.runtime.db
    before = await _everything(db)
    erase = f"/api/subjects/{alpha.visitor_id}/erase"

    cases: list[tuple[str, str, Any, str, str]] = [
        ("POST", erase, {"mode": "purge"}, acme.admin_token, "VALIDATION_FAILED"),
        ("POST", erase, {"mode": {"$ne": None}}, acme.admin_token, "VALIDATION_FAILED"),
        ("POST", erase, {"mode": "delete", "also": 1}, acme.admin_token, "VALIDATION_FAILED"),
        ("POST", erase, {}, acme.admin_token, "VALIDATION_FAILED"),
        ("POST", erase, {"mode": "delete"}, acme.agent_token, "FORBIDDEN"),
        ("GET", f"/api/subjects/{alpha.visitor_id}/export", None, acme.agent_token, "FORBIDDEN"),
        (
            "GET",
            f"/api/subjects/{alpha.visitor_id}/export?format=pdf",
            None,
            acme.admin_token,
            "VALIDATION_FAILED",
        ),
        ("GET", "/api/subjects", None, acme.admin_token, "VALIDATION_FAILED"),
        ("GET", "/api/subjects?email=a@b.example&name=x", None, acme.admin_token, "VALIDATION_FAILED"),
        ("GET", "/api/subjects?name=%21%21%21", None, acme.admin_token, "VALIDATION_FAILED"),
        ("GET", "/api/subjects?visitor_id=nonsense", None, acme.admin_token, "VALIDATION_FAILED"),
        ("GET", "/api/subjects?name=alphapersonname", None, acme.agent_token, "FORBIDDEN"),
        ("GET", "/api/subjects/requests?cursor=forged.cursor", None, acme.admin_token, "INVALID_CURSOR"),
        (
            "POST",
            "/api/subjects/requests",
            {"visitor_id": alpha.visitor_id, "kind": "x"},
            acme.admin_token,
            "VALIDATION_FAILED",
        ),
        (
            "POST",
            "/api/subjects/requests/dsr_000000000000000000000000/done",
            None,
            acme.admin_token,
            "NOT_FOUND",
        ),
        (
            "POST",
            "/api/subjects/vis_000000000000000000000000/erase",
            {"mode": "delete"},
            acme.admin_token,
            "NOT_FOUND",
        ),
    ]
    for method, path, body, token, code in cases:
        reply = await server.request(method, path, json=body, token=token)
        assert reply.body["error"]["code"] == code, (method, path, body, reply.body)
    unsigned = await server.request("POST", erase, json={"mode": "delete"})
    assert unsigned.body["error"]["code"] == "AUTH_INVALID"

    assert await _everything(db) == before


async def test_subject_with_an_open_chat_is_not_erased(server: LiveServer) -> None:
    acme = await company(server, "acme")
    agent = await server.agent(acme.agent_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await widget(server, "acme", "203.0.113.9")
    started = await visitor.ok("chat.start", {"alias": "openperson"})
    await visitor.ok(
        "message.send", {"conversation_id": started["conversation"]["id"], "client_id": "v1", "text": "hi"}
    )
    visitor_id = started["conversation"].get("visitor_id", None)
    if visitor_id is None:
        session = await server.request("POST", "/api/widget/acme/session", json={"token": visitor.token})
        visitor_id = session.body["visitor_id"]
    db = server.app.runtime.db
    # The agent's going online is announced to visitors debounced, and stored then (tenant_presence).
    await server.app.runtime.presence.settled()
    before = await _everything(db)

    reply = await server.request(
        "POST", f"/api/subjects/{visitor_id}/erase", json={"mode": "delete"}, token=acme.admin_token
    )

    assert reply.status == 409
    assert reply.body["error"]["code"] == "CHAT_OPEN"
    after = await _everything(db)
    assert {t: rows for t, rows in after.items() if t != "visitors"} == {
        t: rows for t, rows in before.items() if t != "visitors"
    }
    assert len(after["visitors"]) == len(before["visitors"]) == 1


async def test_subject_request_log_keeps_open_requests_with_their_deadline(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    received = server.clock()

    made = await server.request(
        "POST",
        "/api/subjects/requests",
        json={"visitor_id": alpha.visitor_id, "kind": "objection", "note": "by letter"},
        token=acme.admin_token,
    )
    assert made.status == 201, made.body
    request = made.body["request"]
    assert request["state"] == "open"
    assert request["received_at"] == received.isoformat()
    assert request["due_at"][:10] == _next_month(received.date().isoformat())
    assert request["overdue"] is False

    server.clock.advance(days=32)
    admin = await server.login("acme", "anna")  # a sign-in lasts less than a month
    listed = await server.request("GET", "/api/subjects/requests", token=admin)
    [overdue] = listed.body["requests"]
    assert overdue["overdue"] is True
    done = await server.request("POST", f"/api/subjects/requests/{request['id']}/done", token=admin)
    assert done.body["request"]["state"] == "done"
    assert done.body["request"]["overdue"] is False


def _next_month(day: str) -> str:
    year, month, rest = int(day[:4]), int(day[5:7]), day[8:]
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return f"{year:04d}-{month:02d}-{rest}"


async def test_subject_erasure_waits_for_a_legal_hold_to_be_released(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    agent = await server.agent(acme.agent_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await widget(server, "acme", "203.0.113.99")
    await visitor.ok("chat.start", {"alias": "heldperson", "text": "hallo", "client_id": "v1"})
    await server.app.runtime.lifecycle.hold("acme", HoldRequest(reason="court case 4711"))
    db = server.app.runtime.db
    before = await _everything(db)

    admin = await server.request(
        "POST", f"/api/subjects/{alpha.visitor_id}/erase", json={"mode": "anonymise"}, token=acme.admin_token
    )
    own = await server.request(
        "POST",
        "/api/widget/acme/my-data/erase",
        json={"mode": "delete"},
        headers={"Authorization": f"Bearer {visitor.token}"},
    )

    assert (admin.status, admin.body["error"]["code"]) == (409, "WRONG_STATE")
    assert (own.status, own.body["error"]["code"]) == (409, "WRONG_STATE")
    assert "court case" not in repr(admin.body) + repr(own.body), "the hold's reason is the operator's"
    after = await _everything(db)
    assert {t: rows for t, rows in after.items() if t != "tenants"} == {
        t: rows for t, rows in before.items() if t != "tenants"
    }
    await server.app.runtime.lifecycle.release("acme")
    released = await server.request(
        "POST", f"/api/subjects/{alpha.visitor_id}/erase", json={"mode": "anonymise"}, token=acme.admin_token
    )
    assert released.status == 200
