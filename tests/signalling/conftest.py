"""A conversation held by bert, with its visitor, for the call tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.chat.conftest import Team, team  # noqa: F401 - the fixture, for this package too
from tests.support import Peer


@dataclass
class Chat:
    team: Team
    visitor: Peer
    bert: Peer
    conversation_id: str

    async def start_call(self, kind: str = "video") -> dict[str, Any]:
        """bert starts a call; returns his ack (call and connect data)."""
        return await self.bert.ok("call.start", {"conversation_id": self.conversation_id, "kind": kind})

    async def video(self, **settings: Any) -> dict[str, Any]:
        reply = await self.team.server.request(
            "PATCH", "/api/tenant/video", json=settings, token=self.team.tokens["anna"]
        )
        assert reply.status == 200, reply.body
        video: dict[str, Any] = reply.body["video"]
        return video


async def open_chat(of: Team, tenant: str = "acme") -> tuple[Peer, str]:
    visitor = await of.server.visitor(tenant)
    await visitor.ok("chat.start", {"alias": "Sam"})
    conversation_id: str = (await visitor.wait("chat.assigned"))["conversation_id"]
    return visitor, conversation_id


@pytest.fixture
async def chat(team: Team) -> Chat:  # noqa: F811
    bert = await team.agent("bert")
    visitor, conversation_id = await open_chat(team)
    await bert.wait("chat.assigned")
    return Chat(team, visitor, bert, conversation_id)
