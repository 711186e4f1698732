"""The visitor's own "Download my data" and "Delete my chat data", through the widget's token alone."""

from __future__ import annotations

from typing import Any

from tests.lifecycle.conftest import traces
from tests.subjects.conftest import company, person, widget
from tests.support import LiveServer, stored
from wschat.storage import TABLES, Database


async def _everything(db: Database) -> dict[str, list[Any]]:
    return {table: await stored(db, table) for table in TABLES}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_my_data_download_holds_the_visitors_own_chat_only(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    await person(server, "acme", acme.agent_token, "betaperson", "198.51.100.23")

    reply = await server.request("GET", "/api/widget/acme/my-data", headers=_bearer(alpha.token))

    assert reply.status == 200, reply.body
    assert reply.headers["Cache-Control"] == "no-store"
    data = reply.body
    assert data["visitor"]["id"] == alpha.visitor_id
    assert data["visitor"]["alias"] == "alphapersonalias"
    texts = {m["text"] for chat in data["conversations"] for m in chat["messages"]}
    assert {"Frage alphapersontext", "Antwort alphapersonreply"} <= texts
    assert all(m["visibility"] == "all" for chat in data["conversations"] for m in chat["messages"])
    assert "betaperson" not in repr(data)
    async with server.http.get(
        f"{server.url}/api/widget/acme/my-data?format=html", headers=_bearer(alpha.token)
    ) as page:
        assert page.status == 200
        assert "Frage alphapersontext" in await page.text()


async def test_my_data_erase_ends_the_open_chat_and_deletes_everything(server: LiveServer) -> None:
    acme = await company(server, "acme")
    beta = await person(server, "acme", acme.agent_token, "betaperson", "198.51.100.23")
    agent = await server.agent(acme.agent_token)
    await agent.ok("status.set", {"status": "online"})
    visitor = await widget(server, "acme", "203.0.113.40")
    started = await visitor.ok("chat.start", {"alias": "gammaalias"})
    cid = started["conversation"]["id"]
    await visitor.ok("message.send", {"conversation_id": cid, "client_id": "v1", "text": "gammatext bitte"})
    await visitor.ok("contact.submit", {"conversation_id": cid, "email": "gamma@example.org"})

    reply = await server.request(
        "POST", "/api/widget/acme/my-data/erase", json={"mode": "delete"}, headers=_bearer(visitor.token)
    )

    assert reply.status == 200, reply.body
    assert reply.body["erased"]["counts"]["visitors"] == 1
    await agent.wait("chat.ended", lambda data: data["conversation_id"] == cid)
    db = server.app.runtime.db
    assert await traces(db, ("gammaalias", "gammatext", "gamma@example.org", "203.0.113.0")) == {}
    assert set().union(*(await traces(db, beta.strings)).values()) == set(beta.strings)
    gone = await server.request("GET", "/api/widget/acme/my-data", headers=_bearer(visitor.token))
    assert gone.body["error"]["code"] == "AUTH_INVALID"


async def test_my_data_refuses_without_a_valid_token_or_with_bad_input(server: LiveServer) -> None:
    acme = await company(server, "acme")
    await company(server, "globex")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    db = server.app.runtime.db
    before = await _everything(db)
    erase = "/api/widget/acme/my-data/erase"

    cases: list[tuple[str, str, Any, dict[str, str], str]] = [
        ("GET", "/api/widget/acme/my-data", None, {}, "AUTH_INVALID"),
        ("GET", "/api/widget/acme/my-data", None, _bearer("not-a-token"), "AUTH_INVALID"),
        ("GET", "/api/widget/acme/my-data", None, {"Authorization": alpha.token}, "AUTH_INVALID"),
        # The token is the tenant's own: the same browser's token is unknown to another tenant.
        ("GET", "/api/widget/globex/my-data", None, _bearer(alpha.token), "AUTH_INVALID"),
        (
            "POST",
            "/api/widget/globex/my-data/erase",
            {"mode": "delete"},
            _bearer(alpha.token),
            "AUTH_INVALID",
        ),
        ("POST", erase, {"mode": "anonymise"}, _bearer(alpha.token), "VALIDATION_FAILED"),
        ("POST", erase, {"mode": {"$ne": None}}, _bearer(alpha.token), "VALIDATION_FAILED"),
        ("POST", erase, {}, _bearer(alpha.token), "VALIDATION_FAILED"),
        ("POST", erase, {"mode": "delete"}, {}, "AUTH_INVALID"),
        ("GET", "/api/widget/nosuch/my-data", None, _bearer(alpha.token), "NOT_FOUND"),
        (
            "GET",
            "/api/widget/acme/my-data",
            None,
            _bearer(alpha.token) | {"Origin": "https://evil.example"},
            "ORIGIN_NOT_ALLOWED",
        ),
    ]
    for method, path, body, headers, code in cases:
        reply = await server.request(method, path, json=body, headers=headers)
        assert reply.body["error"]["code"] == code, (method, path, body, reply.body)

    assert await _everything(db) == before


async def test_my_data_is_rate_limited_per_visitor(server: LiveServer) -> None:
    acme = await company(server, "acme")
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")
    for _ in range(10):
        reply = await server.request("GET", "/api/widget/acme/my-data", headers=_bearer(alpha.token))
        assert reply.status == 200
    before = await _everything(server.app.runtime.db)

    limited = await server.request(
        "POST", "/api/widget/acme/my-data/erase", json={"mode": "delete"}, headers=_bearer(alpha.token)
    )

    assert limited.status == 429
    assert limited.body["error"]["code"] == "RATE_LIMITED"
    assert await _everything(server.app.runtime.db) == before
    server.clock.advance(seconds=601)
    again = await server.request("GET", "/api/widget/acme/my-data", headers=_bearer(alpha.token))
    assert again.status == 200


async def test_my_data_answers_the_tenants_website_across_origins(server: LiveServer) -> None:
    site = "https://www.acme.example"
    acme = await company(server, "acme")
    await server.request("PATCH", "/api/tenant", json={"allowed_origins": [site]}, token=acme.admin_token)
    alpha = await person(server, "acme", acme.agent_token, "alphaperson", "203.0.113.77")

    for path in ("/api/widget/acme/my-data", "/api/widget/acme/my-data/erase"):
        preflight = await server.request("OPTIONS", path, headers={"Origin": site})
        assert preflight.status == 204
        assert preflight.headers["Access-Control-Allow-Origin"] == site
        assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
        refused = await server.request("OPTIONS", path, headers={"Origin": "https://evil.example"})
        assert refused.code == "ORIGIN_NOT_ALLOWED"
        assert "Access-Control-Allow-Origin" not in refused.headers
    reply = await server.request(
        "GET", "/api/widget/acme/my-data", headers=_bearer(alpha.token) | {"Origin": site}
    )
    assert reply.status == 200
    assert reply.headers["Access-Control-Allow-Origin"] == site


async def test_my_data_leaves_out_what_only_agents_see(server: LiveServer) -> None:
    acme = await company(server, "acme")
    carl = await server.make_user(acme.tenant, "carl")
    bert = await server.agent(acme.agent_token)
    await bert.ok("status.set", {"status": "online"})
    colleague = await server.agent(await server.login("acme", "carl"))
    await colleague.ok("status.set", {"status": "online"})
    visitor = await widget(server, "acme", "203.0.113.12")
    started = await visitor.ok("chat.start", {"alias": "Vera", "text": "Hallo", "client_id": "v1"})
    cid = started["conversation"]["id"]
    assigned = (await visitor.wait("chat.assigned"))["agent"]["id"]
    bert_user = await server.app.runtime.db.stores.users.by_login(acme.tenant.id, "bert")
    assert bert_user is not None
    holder, other = (colleague, bert_user.id) if assigned == carl.id else (bert, carl.id)
    await holder.ok("chat.transfer", {"conversation_id": cid, "to_agent_id": other, "note": "VIP intern"})

    own = await server.request("GET", "/api/widget/acme/my-data", headers=_bearer(visitor.token))
    visitor_id = own.body["visitor"]["id"]
    admin = await server.request("GET", f"/api/subjects/{visitor_id}/export", token=acme.admin_token)

    assert "VIP intern" not in repr(own.body)
    assert "Hallo" in repr(own.body)
    notes = [m for c in admin.body["conversations"] for m in c["messages"] if m["visibility"] == "agents"]
    assert any("VIP intern" in m["text"] for m in notes)
