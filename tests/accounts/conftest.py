"""Tenant acme with an admin (anna) and an agent (bert), signed in, for the tenant settings tests."""

from __future__ import annotations

import pytest

from tests.support import LiveServer
from wschat.accounts.models import Role


@pytest.fixture
async def tokens(server: LiveServer) -> dict[str, str]:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    await server.make_user(tenant, "bert")
    return {"admin": await server.login("acme", "anna"), "agent": await server.login("acme", "bert")}
