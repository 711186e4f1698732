"""Tenant acme with an admin (anna) and an agent (bert); `tokens` signs both in."""

from __future__ import annotations

import pytest

from tests.support import LiveServer
from wschat.accounts.models import Role


@pytest.fixture
async def acme(server: LiveServer) -> LiveServer:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    await server.make_user(tenant, "bert")
    return server


@pytest.fixture
async def tokens(acme: LiveServer) -> dict[str, str]:
    return {"admin": await acme.login("acme", "anna"), "agent": await acme.login("acme", "bert")}
