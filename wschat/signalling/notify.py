"""Events about a call to its visitor and its agent, on whichever process holds their sockets."""

from __future__ import annotations

from typing import Any

from wschat.boundary.publisher import Publisher
from wschat.signalling.models import Call, Side


async def to_side(publisher: Publisher, call: Call, side: Side, event: str, payload: dict[str, Any]) -> None:
    if side is Side.VISITOR:
        await publisher.to_visitor(call.visitor_id, event, payload)
    else:
        await publisher.to_agent(call.agent_id, event, payload)


async def to_both(publisher: Publisher, call: Call, event: str, payload: dict[str, Any]) -> None:
    await to_side(publisher, call, Side.VISITOR, event, payload)
    await to_side(publisher, call, Side.AGENT, event, payload)
