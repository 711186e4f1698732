"""Socket.IO authentication on /agent and /visitor, with real clients over websockets."""

from __future__ import annotations

import jwt
import pytest

from tests.support import LiveServer, wait_for
from wschat.accounts.models import Plan, Role, TenantStatus
from wschat.server.realtime import AGENT, VISITOR, agent_room, agents_room, visitor_room, visitors_room

SITE = "https://www.acme.example"


class Acme:
    def __init__(self, server: LiveServer, admin: str, agent: str, agent_id: str) -> None:
        self.server = server
        self.admin = admin
        self.agent = agent
        self.agent_id = agent_id


@pytest.fixture
async def acme(server: LiveServer) -> Acme:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    bert = await server.make_user(tenant, "bert")
    admin = await server.login("acme", "anna")
    await server.request("PATCH", "/api/tenant", json={"allowed_origins": [SITE]}, token=admin)
    return Acme(server, admin, await server.login("acme", "bert"), bert.id)


def _rooms(server: LiveServer, namespace: str, sid: str) -> set[str]:
    return set(server.app.realtime.sio.manager.get_rooms(sid, namespace)) - {sid}


async def test_agent_connects_with_token_and_joins_its_rooms(acme: Acme) -> None:
    s = acme.server
    client = await s.connect(AGENT, {"token": acme.agent})
    sid = client.get_sid(AGENT)
    assert sid
    tenant = await s.accounts.tenant("acme")
    assert _rooms(s, AGENT, sid) == {agent_room(acme.agent_id), agents_room(tenant.id)}


async def test_agent_same_origin_browser_is_accepted(acme: Acme) -> None:
    client = await acme.server.connect(AGENT, {"token": acme.agent}, origin=acme.server.origin)
    assert client.connected


async def test_agent_from_a_foreign_origin_is_refused(acme: Acme) -> None:
    """Cross-site WebSocket hijacking: a valid token from another site's page gets nothing."""
    error = await acme.server.refused(AGENT, {"token": acme.agent}, origin="https://evil.example")
    assert error["code"] == "ORIGIN_NOT_ALLOWED"
    # Even the tenant's own widget site may not open the console namespace.
    error = await acme.server.refused(AGENT, {"token": acme.agent}, origin=SITE)
    assert error["code"] == "ORIGIN_NOT_ALLOWED"


async def test_agent_with_bad_tokens_is_refused(acme: Acme) -> None:
    s = acme.server
    secret = s.settings.secret_key.reveal()
    claims = jwt.decode(acme.agent, secret, algorithms=["HS256"], audience="wschat-access")
    other = await s.make_tenant("globex")
    bad_auth = [
        None,
        {},
        {"token": 42},
        {"token": {"$ne": None}},
        {"token": "garbage"},
        {"token": jwt.encode(claims, "a different secret of enough length!", algorithm="HS256")},
        {"token": jwt.encode({**claims, "tid": other.id}, secret, algorithm="HS256")},
        {"token": jwt.encode({**claims, "aud": "wschat-session"}, secret, algorithm="HS256")},
    ]
    for auth in bad_auth:
        error = await s.refused(AGENT, auth)
        assert error["code"] == "AUTH_INVALID", auth
    s.clock.advance(seconds=s.settings.auth.token_ttl + 1)
    assert (await s.refused(AGENT, {"token": acme.agent}))["code"] == "AUTH_INVALID"


async def test_agent_of_a_locked_tenant_is_refused(acme: Acme) -> None:
    await acme.server.accounts.set_tenant_status("acme", TenantStatus.LOCKED)
    assert (await acme.server.refused(AGENT, {"token": acme.agent}))["code"] == "TENANT_LOCKED"


async def test_password_change_disconnects_open_sockets(acme: Acme) -> None:
    s = acme.server
    first = await s.connect(AGENT, {"token": acme.agent})
    second = await s.connect(AGENT, {"token": acme.agent})
    admin_socket = await s.connect(AGENT, {"token": acme.admin})
    reply = await s.request(
        "PATCH", f"/api/agents/{acme.agent_id}", json={"password": "a brand new password"}, token=acme.admin
    )
    assert reply.status == 200
    await wait_for(lambda: not first.connected and not second.connected)
    assert admin_socket.connected, "only the changed user's sockets close"
    assert (await s.refused(AGENT, {"token": acme.agent}))["code"] == "AUTH_INVALID"


async def test_disabling_an_agent_disconnects_its_sockets(acme: Acme) -> None:
    s = acme.server
    client = await s.connect(AGENT, {"token": acme.agent})
    await s.request("PATCH", f"/api/agents/{acme.agent_id}", json={"disabled": True}, token=acme.admin)
    await wait_for(lambda: not client.connected)


async def test_deleting_an_agent_disconnects_its_sockets(acme: Acme) -> None:
    s = acme.server
    client = await s.connect(AGENT, {"token": acme.agent})
    await s.request("DELETE", f"/api/agents/{acme.agent_id}", token=acme.admin)
    await wait_for(lambda: not client.connected)


async def _visitor_token(server: LiveServer, slug: str = "acme") -> tuple[str, str]:
    reply = await server.request("POST", f"/api/widget/{slug}/session", json={"token": None})
    return reply.body["visitor_id"], reply.body["token"]


async def test_visitor_connects_from_an_allowed_origin(acme: Acme) -> None:
    s = acme.server
    visitor_id, token = await _visitor_token(s)
    for origin in (SITE, s.origin, None):
        client = await s.connect(VISITOR, {"tenant": "acme", "token": token}, origin=origin)
        tenant = await s.accounts.tenant("acme")
        assert _rooms(s, VISITOR, client.get_sid(VISITOR)) == {
            visitor_room(visitor_id),
            visitors_room(tenant.id),
        }


async def test_visitor_from_a_foreign_origin_is_refused(acme: Acme) -> None:
    _, token = await _visitor_token(acme.server)
    error = await acme.server.refused(
        VISITOR, {"tenant": "acme", "token": token}, origin="https://evil.example"
    )
    assert error["code"] == "ORIGIN_NOT_ALLOWED"


async def test_visitor_with_bad_auth_is_refused(acme: Acme) -> None:
    s = acme.server
    await s.make_tenant("globex")
    _, globex_token = await _visitor_token(s, "globex")
    _, token = await _visitor_token(s)
    cases = [
        (None, "AUTH_INVALID"),
        ({"token": token}, "AUTH_INVALID"),
        ({"tenant": "acme", "token": "unknown-token"}, "AUTH_INVALID"),
        ({"tenant": "acme", "token": {"$ne": None}}, "AUTH_INVALID"),
        ({"tenant": "acme", "token": globex_token}, "AUTH_INVALID"),
        ({"tenant": "nobody", "token": token}, "NOT_FOUND"),
        ({"tenant": {"$gt": ""}, "token": token}, "AUTH_INVALID"),
    ]
    for auth, code in cases:
        assert (await s.refused(VISITOR, auth))["code"] == code, auth


async def test_visitor_of_a_locked_or_expired_tenant_is_refused(acme: Acme) -> None:
    s = acme.server
    _, token = await _visitor_token(s)
    await s.accounts.set_tenant_status("acme", TenantStatus.LOCKED)
    assert (await s.refused(VISITOR, {"tenant": "acme", "token": token}))["code"] == "TENANT_LOCKED"
    await s.make_tenant("trial", Plan.DEMO)
    _, trial_token = await _visitor_token(s, "trial")
    s.clock.advance(days=14)
    assert (await s.refused(VISITOR, {"tenant": "trial", "token": trial_token}))["code"] == "TENANT_LOCKED"


async def test_changes_from_outside_the_server_close_listening_sockets(acme: Acme) -> None:
    """A password set by the CLI (another process) or a tenant locked there reaches listening sockets."""
    s = acme.server
    agent = await s.connect(AGENT, {"token": acme.agent})
    admin = await s.connect(AGENT, {"token": acme.admin})
    tenant = await s.accounts.tenant("acme")
    # What `wschat user passwd` does, without this server's help: a new password version in the database.
    await s.accounts.users.update(tenant.id, acme.agent_id, {"password_version": "set-by-the-cli"})
    await s.app.runtime.janitor.run_once()
    await wait_for(lambda: not agent.connected)
    assert admin.connected

    _, token = await _visitor_token(s)
    visitor = await s.connect(VISITOR, {"tenant": "acme", "token": token})
    await s.accounts.tenants.set_status("acme", TenantStatus.LOCKED, s.clock())  # `wschat tenant lock acme`
    await s.app.runtime.janitor.run_once()
    await wait_for(lambda: not admin.connected)  # agents' sockets: on every pass
    assert visitor.connected  # visitors' sockets: with the slow steps, every 30 s
    s.clock.advance(seconds=30)
    await s.app.runtime.janitor.run_once()
    await wait_for(lambda: not visitor.connected)


@pytest.mark.parametrize(
    "payload", [None, {}, {"x": 1}, "text"], ids=["nothing", "empty", "object", "string"]
)
async def test_unknown_events_are_answered_not_ignored(acme: Acme, payload: object) -> None:
    agent = await acme.server.agent(acme.agent)
    visitor = await acme.server.visitor()
    for peer in (agent, visitor):
        assert await peer.error("chat.teleport", payload) == "NOT_FOUND"
        # The socket stays usable.
        await peer.ok("chat.current" if peer is visitor else "queue.list", {})
