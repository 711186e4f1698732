"""Events about a call to its visitor and its agent, on whichever process holds their sockets."""

from __future__ import annotations

from collections.abc import Mapping

from wschat.boundary.protocol import Event
from wschat.boundary.publisher import Publisher
from wschat.signalling.models import Call, Side


async def to_side(
    publisher: Publisher, call: Call, side: Side, event: Event, payload: Mapping[str, object]
) -> None:
    if side is Side.VISITOR:
        await publisher.to_visitor(call.visitor_id, event, payload)
    else:
        await publisher.to_agent(call.agent_id, event, payload)


async def to_both(publisher: Publisher, call: Call, event: Event, payload: Mapping[str, object]) -> None:
    await to_side(publisher, call, Side.VISITOR, event, payload)
    await to_side(publisher, call, Side.AGENT, event, payload)
