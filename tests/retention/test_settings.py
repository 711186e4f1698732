"""The admin's retention settings, ``GET``/``PATCH /api/tenant/retention``: days per category within the
operator's maxima, what becomes of addresses; every bad input refused with its code, nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.retention.conftest import set_retention
from tests.subjects.conftest import company
from tests.support import LiveServer
from wschat.config import RetentionSettings
from wschat.retention.models import retention_wire
from wschat.retention.rules import Category, days_kept

DEFAULTS = {
    "chat": {"days": 365, "max_days": 365, "min_days": 1, "chosen": False},
    "ip": {"days": 30, "max_days": 30, "min_days": 0, "chosen": False},
    "mail": {"days": 90, "max_days": 90, "min_days": 1, "chosen": False},
    "audit": {"days": 1095, "max_days": 1095, "min_days": 30, "chosen": False},
}


async def _retention(server: LiveServer, token: str) -> dict[str, Any]:
    reply = await server.request("GET", "/api/tenant/retention", token=token)
    assert reply.status == 200, reply.body
    retention: dict[str, Any] = reply.body["retention"]
    return retention


@pytest.mark.both_backends
async def test_an_admin_sees_the_maxima_and_chooses_within_them(server: LiveServer) -> None:
    acme = await company(server, "acme")
    assert await _retention(server, acme.admin_token) == {
        "categories": DEFAULTS,
        "ip_action": "delete",
        "legal_hold": False,
    }

    chosen = await set_retention(
        server, acme.admin_token, {"days": {"chat": 180, "ip": 0, "mail": 90}, "ip_action": "shorten"}
    )
    assert chosen["categories"]["chat"] == {"days": 180, "max_days": 365, "min_days": 1, "chosen": True}
    assert chosen["categories"]["ip"]["days"] == 0, "addresses may go at the next run"
    assert chosen["ip_action"] == "shorten"
    assert await _retention(server, acme.admin_token) == chosen

    only_mail = await set_retention(server, acme.admin_token, {"days": {"mail": 30}})
    assert only_mail["categories"]["chat"]["days"] == 180, "categories not sent stay as they were"
    back = await set_retention(server, acme.admin_token, {"days": {"chat": None}})
    assert back["categories"]["chat"] == DEFAULTS["chat"], "null: back to the operator's maximum"
    assert back["categories"]["mail"]["days"] == 30
    assert await set_retention(server, acme.admin_token, {}) == back


async def test_a_maximum_lowered_by_the_operator_bounds_what_was_chosen(server: LiveServer) -> None:
    acme = await company(server, "acme")
    await set_retention(server, acme.admin_token, {"days": {"chat": 300}})
    tenant = await server.accounts.tenant("acme")
    lowered = RetentionSettings(chat_days=100, ip_days=7, mail_days=30)

    seen = retention_wire(tenant, lowered)

    assert seen["categories"]["chat"] == {"days": 100, "max_days": 100, "min_days": 1, "chosen": True}
    assert seen["categories"]["ip"] == {"days": 7, "max_days": 7, "min_days": 0, "chosen": False}
    assert days_kept(tenant.settings, lowered, Category.CHAT) == 100, "the runner keeps no longer either"
    assert days_kept(tenant.settings, RetentionSettings(), Category.CHAT) == 300


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"days": {"chat": 366}}, "days.chat"),  # above the operator's maximum
        ({"days": {"mail": 91}}, "days.mail"),
        ({"days": {"chat": 0}}, "days.chat"),  # zero only where allowed (addresses)
        ({"days": {"mail": 0}}, "days.mail"),
        ({"days": {"ip": -1}}, "days.ip"),
        ({"days": {"chat": 30.5}}, "days.chat"),
        ({"days": {"chat": 30.0}}, "days.chat"),
        ({"days": {"chat": "30"}}, "days.chat"),
        ({"days": {"chat": True}}, "days.chat"),
        ({"days": {"audit": 29}}, "days.audit"),  # an audit trail is kept a month at least
        ({"days": {"audit": 1096}}, "days.audit"),
        ({"days": {"pages": 30}}, "days.pages"),  # not a category
        ({"days": {"$where": 1}}, "(payload)"),
        ({"days": [30]}, "days"),
        ({"days": {"chat": 30}, "ip_action": "truncate"}, "ip_action"),
        ({"chat_days": 30}, "chat_days"),
    ],
)
async def test_bad_retention_settings_are_refused_and_change_nothing(
    server: LiveServer, body: dict[str, Any], field: str
) -> None:
    acme = await company(server, "acme")
    await set_retention(server, acme.admin_token, {"days": {"chat": 200}})
    before = await _retention(server, acme.admin_token)

    reply = await server.request("PATCH", "/api/tenant/retention", json=body, token=acme.admin_token)

    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert reply.body["error"]["message"]
    fields = [f["field"] for f in reply.body["error"].get("details", {}).get("fields", [])]
    assert any(f.startswith(field) for f in fields) or field == "(payload)", fields
    assert await _retention(server, acme.admin_token) == before


async def test_one_bad_category_refuses_the_whole_change(server: LiveServer) -> None:
    acme = await company(server, "acme")
    before = await _retention(server, acme.admin_token)
    body = {"days": {"chat": 30, "mail": 1000}, "ip_action": "shorten"}

    reply = await server.request("PATCH", "/api/tenant/retention", json=body, token=acme.admin_token)

    assert reply.code == "VALIDATION_FAILED"
    assert reply.body["error"]["details"]["fields"] == [
        {"field": "days.mail", "message": "must be from 1 to 90 days (the most this installation allows)"}
    ]
    assert await _retention(server, acme.admin_token) == before


async def test_agents_and_strangers_may_not_see_or_change_retention(server: LiveServer) -> None:
    acme = await company(server, "acme")
    before = await _retention(server, acme.admin_token)
    for token, code in ((acme.agent_token, "FORBIDDEN"), (None, "AUTH_INVALID")):
        seen = await server.request("GET", "/api/tenant/retention", token=token)
        changed = await server.request(
            "PATCH", "/api/tenant/retention", json={"days": {"chat": 1}}, token=token
        )
        assert (seen.code, changed.code) == (code, code)
    assert await _retention(server, acme.admin_token) == before
