"""The operator's lifecycle API: who may call it, and every command in a state where it does not apply or
with a bad value — each refused with its stable code, and the tenant unchanged afterwards."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from tests.lifecycle.conftest import OPERATOR_TOKEN, operator
from tests.support import FakeClock, LiveServer, start_server, stored
from wschat.accounts.contract import add_months
from wschat.accounts.models import Plan
from wschat.config import Settings
from wschat.errors import RetentionExpired
from wschat.server import export_command


async def _shown(server: LiveServer, slug: str = "acme") -> dict[str, Any]:
    reply = await operator(server, "GET", f"/{slug}")
    assert reply.status == 200, reply.body
    shown: dict[str, Any] = reply.body["tenant"]
    return shown


async def test_only_the_bearer_of_the_operator_token_may_call_it(server: LiveServer) -> None:
    await server.make_tenant("acme")
    assert (await operator(server, "GET", "")).status == 200
    for token in ("", "wrong-token-of-the-same-length-0123456789abcdefghij", OPERATOR_TOKEN + "x"):
        reply = await operator(server, "POST", "/acme/hold", {"reason": "Prüfung"}, token=token)
        assert (reply.status, reply.code) == (401, "AUTH_INVALID")
    admin_token = await _admin(server)
    reply = await server.request("GET", "/api/operator/tenants", token=admin_token)
    assert (reply.status, reply.code) == (401, "AUTH_INVALID"), "a tenant's admin is not the operator"
    assert (await _shown(server))["legal_hold"] is None


async def _admin(server: LiveServer) -> str:
    from wschat.accounts.models import Role

    tenant = await server.accounts.tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    return await server.login("acme", "anna")


async def test_without_an_operator_token_the_api_does_not_exist(
    settings: Settings, clock: FakeClock, http: aiohttp.ClientSession
) -> None:
    async with start_server(replace(settings, operator_token=None), clock, http) as live:
        await live.make_tenant("acme")
        reply = await operator(live, "POST", "/acme/hold", {"reason": "Prüfung"})
        assert (reply.status, reply.code) == (404, "NOT_FOUND")
        tenant = await live.accounts.tenant("acme")
        assert tenant.lifecycle.legal_hold is None


@pytest.mark.both_backends
async def test_commands_in_the_wrong_state_are_refused_and_change_nothing(server: LiveServer) -> None:
    await server.make_tenant("acme", Plan.CONTRACT)
    demo = await server.make_tenant("demo1", Plan.DEMO)

    async def refused(path: str, body: Any, code: str, slug: str = "acme") -> None:
        before = await _shown(server, slug)
        reply = await operator(server, "POST", f"/{slug}{path}", body)
        assert reply.code == code, (path, body, reply.status, reply.body)
        assert reply.body["error"]["message"]
        assert await _shown(server, slug) == before, f"{path} {body} changed the tenant"

    await refused("/contract", {}, "WRONG_STATE")  # it has a running contract
    await refused("/release", {}, "WRONG_STATE")  # no hold is set
    assert (await operator(server, "POST", "/acme/hold", {"reason": "Steuerprüfung 2027"})).status == 200
    await refused("/hold", {"reason": "noch einmal"}, "WRONG_STATE")
    last_day = server.clock.now.date() + timedelta(days=30)
    assert (await operator(server, "POST", "/acme/terminate", {"last_day": str(last_day)})).status == 200
    await refused("/terminate", {"last_day": str(last_day)}, "WRONG_STATE")  # terminated already

    # A demo ended early, then ended again.
    today = server.clock.now.date()
    assert (await operator(server, "POST", "/demo1/terminate", {"last_day": str(today)})).status == 200
    server.clock.advance(days=1)
    assert (await _shown(server, "demo1"))["state"] == "demo_expired"
    await refused("/terminate", {"last_day": str(today)}, "WRONG_STATE", slug="demo1")
    assert demo.demo_ends_at is not None, "it was a demo of 14 days"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/terminate", {"last_day": "2027-02-30"}),
        ("/terminate", {"last_day": "morgen"}),
        ("/terminate", {}),
        ("/terminate", {"last_day": "2001-01-01"}),  # before the tenant existed
        ("/hold", {"reason": "  x "}),
        ("/hold", {"reason": "x" * 501}),
        ("/hold", {}),
        ("/contract", {"contact_email": "chef@acme.example\r\nBcc: all@example.com"}),
        ("/contract", {"contact_email": "kein-mail"}),
        ("/contract", {"unknown": 1}),
    ],
)
async def test_bad_values_are_refused_and_change_nothing(server: LiveServer, path: str, body: Any) -> None:
    await server.make_tenant("acme", Plan.DEMO)
    before = await _shown(server)
    reply = await operator(server, "POST", "/acme" + path, body)
    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED"), reply.body
    assert await _shown(server) == before


async def test_a_demo_cannot_be_made_longer_than_its_14_days(server: LiveServer) -> None:
    await server.make_tenant("acme", Plan.DEMO)
    before = await _shown(server)
    later = server.clock.now.date() + timedelta(days=20)
    reply = await operator(server, "POST", "/acme/terminate", {"last_day": str(later)})
    assert reply.code == "VALIDATION_FAILED"
    assert reply.body["error"]["details"]["fields"][0]["field"] == "last_day"
    assert await _shown(server) == before


async def test_unknown_tenants_are_not_found(server: LiveServer) -> None:
    for method, path, body in (
        ("GET", "/nobody", None),
        ("POST", "/nobody/contract", {}),
        ("POST", "/nobody/release", {}),
        ("GET", "/Bad%20Slug", None),
    ):
        reply = await operator(server, method, path, body)
        assert (reply.status, reply.code) == (404, "NOT_FOUND"), (path, reply.body)


async def test_no_export_from_six_months_after_the_end_of_a_contract(server: LiveServer) -> None:
    """``wschat export`` (the operator's export, in process with the test's clock): it works until six
    months after the contract ended, then RETENTION_EXPIRED, and nothing is read or recorded."""
    await server.make_tenant("acme", Plan.CONTRACT)
    last_day = server.clock.now.date() + timedelta(days=1)
    assert (await operator(server, "POST", "/acme/terminate", {"last_day": str(last_day)})).status == 200
    ends = (await server.accounts.tenant("acme")).contract_ended_at
    assert ends is not None
    args = argparse.Namespace(tenant="acme", since=None, until=None, format="jsonl", q=None, output=None)
    runtime = server.app.runtime

    server.clock.now = add_months(ends, 6) - timedelta(minutes=1)
    args.output = "/dev/null"
    assert await export_command.run(runtime, args) == 0
    exports = await stored(runtime.db, "audit_log", action="archive.exported")
    assert [e["actor_kind"] for e in exports] == ["operator"]

    server.clock.now = add_months(ends, 6)
    with pytest.raises(RetentionExpired) as refused:
        await export_command.run(runtime, args)
    assert refused.value.code == "RETENTION_EXPIRED"
    assert "no longer exported" in refused.value.message
    assert await stored(runtime.db, "audit_log", action="archive.exported") == exports, "nothing recorded"
