"""Which agent gets the next chat: the available one with the fewest open chats, then the one idle longest."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from wschat.chat.presence import AgentState

_NEVER = datetime.min.replace(tzinfo=UTC)


def choose_agent(agents: Iterable[AgentState]) -> AgentState | None:
    candidates = [agent for agent in agents if agent.available]
    if not candidates:
        return None
    return min(candidates, key=lambda a: (a.open_chats, a.last_assigned_at or _NEVER, a.user.id))
