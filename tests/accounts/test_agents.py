"""Admin REST for the tenant's users: /api/agents."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import PASSWORD, LiveServer
from wschat.accounts.models import Role, Tenant


class Acme:
    def __init__(
        self, server: LiveServer, tenant: Tenant, admin: str, agent: str, other_user_id: str
    ) -> None:
        self.server = server
        self.tenant = tenant
        self.admin = admin
        self.agent = agent
        self.other_user_id = other_user_id

    async def users(self) -> list[dict[str, Any]]:
        return [u.to_wire() for u in await self.server.accounts.users.all(self.tenant.id)]


@pytest.fixture
async def acme(server: LiveServer) -> Acme:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    await server.make_user(tenant, "bert")
    other = await server.make_tenant("globex")
    foreign = await server.make_user(other, "gina", Role.ADMIN)
    return Acme(
        server, tenant, await server.login("acme", "anna"), await server.login("acme", "bert"), foreign.id
    )


NEW_AGENT = {"login": "carla", "display_name": "Carla from Support", "password": "a long password"}


async def test_admin_creates_lists_updates_and_deletes_an_agent(acme: Acme) -> None:
    s = acme.server
    created = await s.request("POST", "/api/agents", json={**NEW_AGENT, "max_chats": 5}, token=acme.admin)
    assert created.status == 201
    agent = created.body["agent"]
    assert (agent["login"], agent["role"], agent["max_chats"], agent["disabled"]) == (
        "carla",
        "agent",
        5,
        False,
    )
    assert "password" not in str(created.body)
    assert await s.login("acme", "carla", "a long password")

    listed = await s.request("GET", "/api/agents", token=acme.admin)
    assert [a["login"] for a in listed.body["agents"]] == ["anna", "bert", "carla"]

    patched = await s.request(
        "PATCH",
        f"/api/agents/{agent['id']}",
        json={"display_name": "Carla", "role": "admin", "max_chats": 2},
        token=acme.admin,
    )
    assert patched.status == 200
    assert (patched.body["agent"]["display_name"], patched.body["agent"]["role"]) == ("Carla", "admin")
    fetched = await s.request("GET", f"/api/agents/{agent['id']}", token=acme.admin)
    assert fetched.body["agent"]["max_chats"] == 2

    deleted = await s.request("DELETE", f"/api/agents/{agent['id']}", token=acme.admin)
    assert deleted.status == 204
    assert (await s.request("GET", f"/api/agents/{agent['id']}", token=acme.admin)).code == "NOT_FOUND"


async def test_display_names_are_cleaned(acme: Acme) -> None:
    body = {**NEW_AGENT, "display_name": "  Carla\u202e\x07 <b>Support</b>\n "}
    created = await acme.server.request("POST", "/api/agents", json=body, token=acme.admin)
    # Control and bidi-override characters go; markup stays text (the front end renders it inert).
    assert created.body["agent"]["display_name"] == "Carla <b>Support</b>"


async def test_agent_may_not_call_admin_endpoints(acme: Acme) -> None:
    s = acme.server
    before = await acme.users()
    anna = before[0]["id"]
    calls = [
        ("GET", "/api/agents", None),
        ("POST", "/api/agents", NEW_AGENT),
        ("GET", f"/api/agents/{anna}", None),
        ("PATCH", f"/api/agents/{anna}", {"disabled": True}),
        ("DELETE", f"/api/agents/{anna}", None),
    ]
    for method, path, body in calls:
        reply = await s.request(method, path, json=body, token=acme.agent)
        assert (reply.status, reply.code) == (403, "FORBIDDEN"), (method, path)
    assert await acme.users() == before


async def test_admin_cannot_reach_another_tenants_user(acme: Acme) -> None:
    s = acme.server
    path = f"/api/agents/{acme.other_user_id}"
    for method, body in [("GET", None), ("PATCH", {"display_name": "Hacked"}), ("DELETE", None)]:
        reply = await s.request(method, path, json=body, token=acme.admin)
        assert (reply.status, reply.code) == (404, "NOT_FOUND"), method
    listed = await s.request("GET", "/api/agents", token=acme.admin)
    assert acme.other_user_id not in str(listed.body)
    globex = await s.accounts.tenant("globex")
    gina = await s.accounts.users.by_id(globex.id, acme.other_user_id)
    assert gina is not None
    assert gina.display_name == "Gina"


async def test_duplicate_login_is_a_conflict(acme: Acme) -> None:
    before = await acme.users()
    reply = await acme.server.request(
        "POST", "/api/agents", json={**NEW_AGENT, "login": "BERT"}, token=acme.admin
    )
    assert (reply.status, reply.code) == (409, "CONFLICT")
    assert await acme.users() == before


async def test_same_login_in_another_tenant_is_fine(acme: Acme) -> None:
    reply = await acme.server.request(
        "POST", "/api/agents", json={**NEW_AGENT, "login": "gina"}, token=acme.admin
    )
    assert reply.status == 201


@pytest.mark.parametrize(
    "body",
    [
        {**NEW_AGENT, "password": "short"},
        {**NEW_AGENT, "login": "has space"},
        {**NEW_AGENT, "login": {"$gt": ""}},
        {**NEW_AGENT, "role": "owner"},
        {**NEW_AGENT, "max_chats": 0},
        {**NEW_AGENT, "max_chats": "3"},
        {**NEW_AGENT, "display_name": ""},
        {**NEW_AGENT, "display_name": "x" * 81},
        {**NEW_AGENT, "disabled": True},
        {**NEW_AGENT, "profile": {"a.b": 1}},
        {key: value for key, value in NEW_AGENT.items() if key != "password"},
    ],
    ids=[
        "short-password",
        "bad-login",
        "operator",
        "bad-role",
        "zero-chats",
        "string-number",
        "empty-name",
        "long-name",
        "unknown-field",
        "dotted-key",
        "no-password",
    ],
)
async def test_create_agent_rejects_bad_input(acme: Acme, body: dict[str, Any]) -> None:
    before = await acme.users()
    reply = await acme.server.request("POST", "/api/agents", json=body, token=acme.admin)
    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert reply.body["error"]["details"]["fields"]
    assert await acme.users() == before


@pytest.mark.parametrize(
    "body",
    [
        {"role": "root"},
        {"disabled": "yes"},
        {"password": "short"},
        {"login": "renamed"},
        {"$set": {"role": "admin"}},
    ],
    ids=["bad-role", "string-bool", "short-password", "login-is-fixed", "operator"],
)
async def test_patch_agent_rejects_bad_input(acme: Acme, body: dict[str, Any]) -> None:
    before = await acme.users()
    bert = before[1]["id"]
    reply = await acme.server.request("PATCH", f"/api/agents/{bert}", json=body, token=acme.admin)
    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert await acme.users() == before


async def test_password_change_and_disable_end_older_tokens(acme: Acme) -> None:
    s = acme.server
    bert = (await acme.users())[1]["id"]
    old_token = acme.agent
    changed = await s.request(
        "PATCH", f"/api/agents/{bert}", json={"password": "brand new password"}, token=acme.admin
    )
    assert changed.status == 200
    assert (await s.request("GET", "/api/me", token=old_token)).code == "AUTH_INVALID"
    new_token = await s.login("acme", "bert", "brand new password")
    assert (await s.request("GET", "/api/me", token=new_token)).status == 200

    await s.request("PATCH", f"/api/agents/{bert}", json={"disabled": True}, token=acme.admin)
    assert (await s.request("GET", "/api/me", token=new_token)).code == "AUTH_INVALID"
    login = await s.request(
        "POST", "/api/auth/login", json={"tenant": "acme", "login": "bert", "password": "brand new password"}
    )
    assert login.code == "INVALID_CREDENTIALS"


async def test_demoted_admin_loses_admin_rights_at_once(acme: Acme) -> None:
    s = acme.server
    carla = await s.request("POST", "/api/agents", json={**NEW_AGENT, "role": "admin"}, token=acme.admin)
    carla_token = await s.login("acme", "carla", NEW_AGENT["password"])
    assert (await s.request("GET", "/api/agents", token=carla_token)).status == 200
    await s.request(
        "PATCH", f"/api/agents/{carla.body['agent']['id']}", json={"role": "agent"}, token=acme.admin
    )
    assert (await s.request("GET", "/api/agents", token=carla_token)).code == "AUTH_INVALID"
    carla_token = await s.login("acme", "carla", NEW_AGENT["password"])
    assert (await s.request("GET", "/api/agents", token=carla_token)).code == "FORBIDDEN"


async def test_the_last_active_admin_stays(acme: Acme) -> None:
    s = acme.server
    before = await acme.users()
    anna = before[0]["id"]
    for method, body in [("PATCH", {"role": "agent"}), ("PATCH", {"disabled": True}), ("DELETE", None)]:
        reply = await s.request(method, f"/api/agents/{anna}", json=body, token=acme.admin)
        assert (reply.status, reply.code) == (409, "CONFLICT"), (method, body)
    assert await acme.users() == before
    assert (await s.request("GET", "/api/me", token=acme.admin)).status == 200


async def test_an_admin_may_step_down_when_another_admin_exists(acme: Acme) -> None:
    s = acme.server
    await s.request("POST", "/api/agents", json={**NEW_AGENT, "role": "admin"}, token=acme.admin)
    anna = (await acme.users())[0]["id"]
    reply = await s.request("PATCH", f"/api/agents/{anna}", json={"role": "agent"}, token=acme.admin)
    assert reply.body["agent"]["role"] == "agent"


async def test_unknown_routes_and_methods_answer_json(acme: Acme) -> None:
    s = acme.server
    missing = await s.request("GET", "/api/nothing-here", token=acme.admin)
    assert (missing.status, missing.code) == (404, "NOT_FOUND")
    wrong_method = await s.request("PUT", "/api/agents", token=acme.admin)
    assert (wrong_method.status, wrong_method.code) == (405, "METHOD_NOT_ALLOWED")
    too_big = await s.request(
        "POST", "/api/agents", data=b'{"login": "' + b"a" * 70_000 + b'"}', token=acme.admin
    )
    assert (too_big.status, too_big.code) == (413, "TOO_LARGE")
    assert PASSWORD not in str(missing.body)
