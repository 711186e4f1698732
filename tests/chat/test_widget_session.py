"""POST /api/widget/{tenant}/session: visitor tokens, origins, CORS, IP truncation."""

from __future__ import annotations

import hashlib

import pytest

from tests.support import LiveServer, stored
from wschat.accounts.models import Plan, Role, TenantStatus

SITE = "https://www.acme.example"


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    token = await server.login("acme", "anna")
    await server.request("PATCH", "/api/tenant", json={"allowed_origins": [SITE]}, token=token)
    return server


async def _visitors(server: LiveServer) -> list[dict[str, object]]:
    return sorted(await stored(server.app.runtime.db, "visitors"), key=lambda doc: doc["first_seen"])


async def test_new_visitor_gets_a_256_bit_token_and_only_its_hash_is_stored(acme: LiveServer) -> None:
    reply = await acme.request(
        "POST", "/api/widget/acme/session", json={"token": None}, headers={"Origin": SITE}
    )
    assert reply.status == 201
    token = reply.body["token"]
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert reply.headers["Access-Control-Allow-Origin"] == SITE
    [doc] = await _visitors(acme)
    assert doc["_id"] == reply.body["visitor_id"]
    assert doc["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(doc)


async def test_known_token_returns_the_same_visitor(acme: LiveServer) -> None:
    first = await acme.request("POST", "/api/widget/acme/session", json={"token": None})
    again = await acme.request("POST", "/api/widget/acme/session", json={"token": first.body["token"]})
    assert again.status == 200
    assert again.body == first.body
    assert len(await _visitors(acme)) == 1


async def test_unknown_or_foreign_token_gets_a_new_visitor(acme: LiveServer) -> None:
    other = await acme.make_tenant("globex")
    foreign = await acme.request("POST", "/api/widget/globex/session", json={"token": None})
    reply = await acme.request("POST", "/api/widget/acme/session", json={"token": foreign.body["token"]})
    assert reply.status == 201
    assert reply.body["visitor_id"] != foreign.body["visitor_id"]
    assert reply.body["token"] != foreign.body["token"]
    mine = [d for d in await _visitors(acme) if d["tenant_id"] != other.id]
    assert len(mine) == 1


async def test_ip_is_truncated_by_default_and_kept_when_the_tenant_says_so(acme: LiveServer) -> None:
    await acme.request("POST", "/api/widget/acme/session", json={"token": None})
    admin = await acme.login("acme", "anna")
    await acme.request("PATCH", "/api/tenant", json={"ip_truncation": False}, token=admin)
    acme.clock.advance(seconds=1)  # the records are told apart by when they came
    await acme.request("POST", "/api/widget/acme/session", json={"token": None})
    first, second = await _visitors(acme)
    assert first["ip"] == "127.0.0.0"
    assert second["ip"] == "127.0.0.1"


async def test_preflight_answers_allowed_origins_only(acme: LiveServer) -> None:
    ok = await acme.request("OPTIONS", "/api/widget/acme/session", headers={"Origin": SITE})
    assert ok.status == 204
    assert ok.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in ok.headers["Access-Control-Allow-Methods"]
    bad = await acme.request(
        "OPTIONS", "/api/widget/acme/session", headers={"Origin": "https://evil.example"}
    )
    assert (bad.status, bad.code) == (403, "ORIGIN_NOT_ALLOWED")
    assert "Access-Control-Allow-Origin" not in bad.headers


async def test_foreign_origin_is_refused_and_creates_nothing(acme: LiveServer) -> None:
    reply = await acme.request(
        "POST", "/api/widget/acme/session", json={"token": None}, headers={"Origin": "https://evil.example"}
    )
    assert (reply.status, reply.code) == (403, "ORIGIN_NOT_ALLOWED")
    assert await _visitors(acme) == []


async def test_own_origin_is_always_allowed(acme: LiveServer) -> None:
    reply = await acme.request(
        "POST", "/api/widget/acme/session", json={"token": None}, headers={"Origin": acme.origin}
    )
    assert reply.status == 201


async def test_unknown_and_locked_tenants(acme: LiveServer) -> None:
    missing = await acme.request("POST", "/api/widget/nobody/session", json={"token": None})
    assert (missing.status, missing.code) == (404, "NOT_FOUND")
    await acme.accounts.set_tenant_status("acme", TenantStatus.LOCKED)
    locked = await acme.request(
        "POST", "/api/widget/acme/session", json={"token": None}, headers={"Origin": SITE}
    )
    assert (locked.status, locked.code) == (403, "TENANT_LOCKED")
    assert locked.headers["Access-Control-Allow-Origin"] == SITE, "the widget must be able to read the error"
    trial = await acme.make_tenant("trial", Plan.DEMO)
    acme.clock.advance(days=14)
    expired = await acme.request("POST", "/api/widget/trial/session", json={"token": None})
    assert expired.code == "TENANT_LOCKED"
    assert trial.demo_ends_at is not None
    assert await _visitors(acme) == []


@pytest.mark.parametrize(
    "raw",
    [
        b"{",
        b"[]",
        b'{"token": 5}',
        b'{"token": {"$ne": null}}',
        b'{"token": "' + b"x" * 200 + b'"}',
        b'{"tok": null}',
    ],
    ids=["malformed", "array", "int", "operator", "long", "unknown-field"],
)
async def test_session_rejects_bad_bodies(acme: LiveServer, raw: bytes) -> None:
    reply = await acme.request("POST", "/api/widget/acme/session", data=raw, headers={"Origin": SITE})
    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert reply.headers["Access-Control-Allow-Origin"] == SITE
    assert await _visitors(acme) == []


async def test_new_sessions_per_address_are_rate_limited_but_known_visitors_come_back(
    acme: LiveServer,
) -> None:
    limit = acme.settings.chat.new_visitors_per_minute
    first = await acme.request("POST", "/api/widget/acme/session", json={"token": None})
    for _ in range(limit - 1):
        reply = await acme.request("POST", "/api/widget/acme/session", json={"token": None})
        assert reply.status == 201
    refused = await acme.request("POST", "/api/widget/acme/session", json={"token": None})
    assert (refused.status, refused.code) == (429, "RATE_LIMITED")
    assert refused.headers["Retry-After"] == "60"
    assert len(await _visitors(acme)) == limit  # nothing created by the refused request
    # A visitor who already has a token is not a new session: reloads keep working.
    again = await acme.request("POST", "/api/widget/acme/session", json={"token": first.body["token"]})
    assert (again.status, again.body["visitor_id"]) == (200, first.body["visitor_id"])
    # A minute later the address may open new sessions again.
    acme.clock.advance(seconds=61)
    assert (await acme.request("POST", "/api/widget/acme/session", json={"token": None})).status == 201
