from __future__ import annotations

from typing import Any

import pytest

from tests.support import LiveServer


async def test_admin_sets_allowed_origins_and_ip_truncation(
    server: LiveServer, tokens: dict[str, str]
) -> None:
    reply = await server.request(
        "PATCH",
        "/api/tenant",
        json={
            "allowed_origins": ["https://www.ACME.example", "https://shop.acme.example:8443/"],
            "ip_truncation": False,
        },
        token=tokens["admin"],
    )
    assert reply.status == 200
    assert reply.body["tenant"]["allowed_origins"] == [
        "https://shop.acme.example:8443",
        "https://www.acme.example",
    ]
    assert reply.body["tenant"]["ip_truncation"] is False
    seen = await server.request("GET", "/api/tenant", token=tokens["agent"])
    assert seen.body["tenant"]["allowed_origins"] == reply.body["tenant"]["allowed_origins"]


@pytest.mark.parametrize(
    "body",
    [
        {"allowed_origins": ["javascript:alert(1)"]},
        {"allowed_origins": ["https://acme.example/path"]},
        {"allowed_origins": "https://acme.example"},
        {"allowed_origins": [{"$ne": None}]},
        {"allowed_origins": [f"https://site{i}.example" for i in range(51)]},
        {"ip_truncation": "no"},
        {"name": "Renamed"},
    ],
    ids=["scheme", "path", "not-a-list", "operator", "too-many", "string-bool", "unknown-field"],
)
async def test_tenant_patch_rejects_bad_input(
    server: LiveServer, tokens: dict[str, str], body: dict[str, Any]
) -> None:
    before = (await server.request("GET", "/api/tenant", token=tokens["admin"])).body
    reply = await server.request("PATCH", "/api/tenant", json=body, token=tokens["admin"])
    assert (reply.status, reply.code) == (400, "VALIDATION_FAILED")
    assert (await server.request("GET", "/api/tenant", token=tokens["admin"])).body == before


async def test_agent_may_not_change_the_tenant(server: LiveServer, tokens: dict[str, str]) -> None:
    reply = await server.request("PATCH", "/api/tenant", json={"allowed_origins": []}, token=tokens["agent"])
    assert (reply.status, reply.code) == (403, "FORBIDDEN")
