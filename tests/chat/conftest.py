"""A tenant with an admin and two agents, signed in, for the chat tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support import LiveServer, Peer, wait_for
from wschat.accounts.models import Role, Tenant, User


@dataclass
class Team:
    server: LiveServer
    tenant: Tenant
    anna: User  # admin
    bert: User
    carl: User
    tokens: dict[str, str]

    async def agent(self, name: str, *, online: bool = True) -> Peer:
        peer = await self.server.agent(self.tokens[name])
        if online:
            await peer.ok("status.set", {"status": "online"})
        return peer

    async def gone(self, peer: Peer, owner_id: str, conversation_id: str | None = None) -> None:
        """Disconnect ``peer`` and wait until the server has recorded it (before moving the clock)."""
        await peer.disconnect()
        runtime = self.server.app.runtime

        async def recorded() -> bool:
            if await runtime.presence.store.socket_count(self.tenant.id, owner_id) > 0:
                return False
            if conversation_id is None:
                # An agent's last socket is removed first, its disconnect time written right after: a
                # test that moves the clock before that write would date the disconnect after the move.
                presence = await runtime.presence.store.get(self.tenant.id, owner_id)
                return presence is None or presence.disconnected_at is not None
            conversation = await runtime.conversations.get(self.tenant.id, conversation_id)
            return conversation is not None and conversation.visitor_left_at is not None

        await wait_for(recorded)

    async def set_tenant(self, **settings: object) -> None:
        reply = await self.server.request("PATCH", "/api/tenant", json=settings, token=self.tokens["anna"])
        assert reply.status == 200, reply.body


@pytest.fixture
async def team(server: LiveServer) -> Team:
    tenant = await server.make_tenant("acme")
    anna = await server.make_user(tenant, "anna", Role.ADMIN)
    bert = await server.make_user(tenant, "bert")
    carl = await server.make_user(tenant, "carl")
    tokens = {name: await server.login("acme", name) for name in ("anna", "bert", "carl")}
    return Team(server, tenant, anna, bert, carl, tokens)
