"""Socket.IO handlers for calls and the WebRTC signal relay: validate, call one service function, answer.

Names and payloads are in docs/protocol.md §12; JSON fixtures of each payload in tests/fixtures/protocol/.
"""

from __future__ import annotations

import logging
from typing import Any

from wschat.chat.models import ConversationRef
from wschat.errors import WsChatError
from wschat.realtime import AgentContext, Realtime, SocketLimiter, VisitorContext, visitor_limiter
from wschat.signalling.models import Caller, CallRef, CallStart, RtcSignal, Side

log = logging.getLogger(__name__)

#: rtc.signal messages a socket may send per SIGNAL_WINDOW seconds (an offer with trickled candidates
#: is a few dozen); the rest are refused with RATE_LIMITED and not relayed.
SIGNAL_BURST = 60
SIGNAL_WINDOW = 5.0


def register(rt: Realtime) -> None:
    """Attach every call handler to the Socket.IO server."""
    _register_visitor(rt)
    _register_agent(rt)

    async def socket_closed(sid: str) -> None:
        if rt.runtime is None:
            return
        try:
            await rt.runtime.calls.socket_closed(sid)
        except WsChatError as e:  # the housekeeping sweep tries again (leave_dead_sockets)
            log.warning("a closed socket could not leave its call: %s", e.code.value)

    rt.on_socket_closed.append(socket_closed)


def _register_visitor(rt: Realtime) -> None:
    limit = _signal_limiter()
    call_limit = visitor_limiter(
        rt.settings.chat.visitor_calls_per_hour, 3600, "Too many calls started. Please try again later."
    )

    @rt.visitor_event("call.start", CallStart)
    async def call_start(ctx: VisitorContext, p: CallStart) -> dict[str, Any]:
        call_limit.check(ctx.visitor.id, ctx.runtime.clock().timestamp())
        conversation = await ctx.runtime.chat.of_visitor(ctx.visitor, p.conversation_id)
        return (await ctx.runtime.calls.start(conversation, _visitor(ctx), p.kind)).to_wire()

    @rt.visitor_event("call.current", ConversationRef)
    async def call_current(ctx: VisitorContext, p: ConversationRef) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.of_visitor(ctx.visitor, p.conversation_id)
        call = await ctx.runtime.calls.current(conversation)
        return {"call": call.to_wire() if call else None}

    @rt.visitor_event("call.join", CallRef)
    async def call_join(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        return (await ctx.runtime.calls.join(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))).to_wire()

    @rt.visitor_event("call.decline", CallRef)
    async def call_decline(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.runtime.calls.decline(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))
        return {"call": call.to_wire()}

    @rt.visitor_event("call.leave", CallRef)
    async def call_leave(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.runtime.calls.leave(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))
        return {"call": call.to_wire()}

    @rt.visitor_event("call.end", CallRef)
    async def call_end(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.runtime.calls.end(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))
        return {"call": call.to_wire()}

    @rt.visitor_event("rtc.signal", RtcSignal)
    async def rtc_signal(ctx: VisitorContext, p: RtcSignal) -> dict[str, Any]:
        limit.check(ctx.sid, ctx.runtime.clock().timestamp())
        await ctx.runtime.calls.relay(ctx.visitor.tenant_id, p.call_id, ctx.sid, p.relayed())
        return {}

    rt.forget_socket_state.append(limit.forget)


def _register_agent(rt: Realtime) -> None:
    limit = _signal_limiter()

    @rt.agent_event("call.start", CallStart)
    async def call_start(ctx: AgentContext, p: CallStart) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.held_by(ctx.principal, p.conversation_id)
        return (await ctx.runtime.calls.start(conversation, _agent(ctx), p.kind)).to_wire()

    @rt.agent_event("call.current", ConversationRef)
    async def call_current(ctx: AgentContext, p: ConversationRef) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.of_tenant(ctx.principal, p.conversation_id)
        call = await ctx.runtime.calls.current(conversation)
        return {"call": call.to_wire() if call else None}

    @rt.agent_event("call.join", CallRef)
    async def call_join(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        return (await ctx.runtime.calls.join(ctx.principal.tenant.id, p.call_id, _agent(ctx))).to_wire()

    @rt.agent_event("call.decline", CallRef)
    async def call_decline(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.runtime.calls.decline(ctx.principal.tenant.id, p.call_id, _agent(ctx))
        return {"call": call.to_wire()}

    @rt.agent_event("call.leave", CallRef)
    async def call_leave(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.runtime.calls.leave(ctx.principal.tenant.id, p.call_id, _agent(ctx))
        return {"call": call.to_wire()}

    @rt.agent_event("call.end", CallRef)
    async def call_end(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.runtime.calls.end(ctx.principal.tenant.id, p.call_id, _agent(ctx))
        return {"call": call.to_wire()}

    @rt.agent_event("rtc.signal", RtcSignal)
    async def rtc_signal(ctx: AgentContext, p: RtcSignal) -> dict[str, Any]:
        limit.check(ctx.sid, ctx.runtime.clock().timestamp())
        await ctx.runtime.calls.relay(ctx.principal.tenant.id, p.call_id, ctx.sid, p.relayed())
        return {}

    rt.forget_socket_state.append(limit.forget)


def _signal_limiter() -> SocketLimiter:
    message = "Too many signalling messages; slow down."
    return SocketLimiter(SIGNAL_BURST, SIGNAL_WINDOW, message, retry_after=int(SIGNAL_WINDOW))


def _visitor(ctx: VisitorContext) -> Caller:
    return Caller(Side.VISITOR, ctx.visitor.id, ctx.visitor.display_name, ctx.sid)


def _agent(ctx: AgentContext) -> Caller:
    user = ctx.principal.user
    return Caller(Side.AGENT, user.id, user.display_name, ctx.sid, user.photo_url)
