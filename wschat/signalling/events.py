"""Socket.IO handlers for calls and the WebRTC signal relay: validate, call one service function, answer.

Names and payloads are in docs/protocol.md §12; JSON fixtures of each payload in tests/fixtures/protocol/.
"""

from __future__ import annotations

from typing import Any

from wschat.accounts.context import AgentContext
from wschat.boundary.sockets import Events, SocketLimiter, visitor_limiter
from wschat.chat.conversations import ChatService
from wschat.chat.models import ConversationRef
from wschat.config import Settings
from wschat.signalling.models import Caller, CallRef, CallStart, RtcSignal, Side
from wschat.signalling.relay import SignalRelay
from wschat.signalling.service import CallService
from wschat.visitors.context import VisitorContext

#: rtc.signal messages a socket may send per SIGNAL_WINDOW seconds (an offer with trickled candidates
#: is a few dozen); the rest are refused with RATE_LIMITED and not relayed.
SIGNAL_BURST = 60
SIGNAL_WINDOW = 5.0


def register(agents: Events[AgentContext], visitors: Events[VisitorContext], settings: Settings) -> None:
    """Attach every call handler to the two namespaces."""
    _register_visitor(visitors, settings)
    _register_agent(agents)


def _register_visitor(visitors: Events[VisitorContext], settings: Settings) -> None:
    limit = _signal_limiter(visitors)
    call_limit = visitor_limiter(
        settings.chat.visitor_calls_per_hour, 3600, "Too many calls started. Please try again later."
    )

    @visitors.on("call.start", CallStart)
    async def call_start(ctx: VisitorContext, p: CallStart) -> dict[str, Any]:
        call_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        conversation = await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        return (await ctx.get(CallService).start(conversation, _visitor(ctx), p.kind)).to_wire()

    @visitors.on("call.current", ConversationRef)
    async def call_current(ctx: VisitorContext, p: ConversationRef) -> dict[str, Any]:
        conversation = await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        call = await ctx.get(CallService).current(conversation)
        return {"call": call.to_wire() if call else None}

    @visitors.on("call.join", CallRef)
    async def call_join(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        return (await ctx.get(CallService).join(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))).to_wire()

    @visitors.on("call.decline", CallRef)
    async def call_decline(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.get(CallService).decline(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))
        return {"call": call.to_wire()}

    @visitors.on("call.leave", CallRef)
    async def call_leave(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.get(CallService).leave(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))
        return {"call": call.to_wire()}

    @visitors.on("call.end", CallRef)
    async def call_end(ctx: VisitorContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.get(CallService).end(ctx.visitor.tenant_id, p.call_id, _visitor(ctx))
        return {"call": call.to_wire()}

    @visitors.on("rtc.signal", RtcSignal)
    async def rtc_signal(ctx: VisitorContext, p: RtcSignal) -> dict[str, Any]:
        limit.check(ctx.sid, ctx.clock().timestamp())
        await ctx.get(SignalRelay).relay(ctx.visitor.tenant_id, p.call_id, ctx.sid, p.relayed())
        return {}


def _register_agent(agents: Events[AgentContext]) -> None:
    limit = _signal_limiter(agents)

    @agents.on("call.start", CallStart)
    async def call_start(ctx: AgentContext, p: CallStart) -> dict[str, Any]:
        conversation = await ctx.get(ChatService).held_by(ctx.principal, p.conversation_id)
        return (await ctx.get(CallService).start(conversation, _agent(ctx), p.kind)).to_wire()

    @agents.on("call.current", ConversationRef)
    async def call_current(ctx: AgentContext, p: ConversationRef) -> dict[str, Any]:
        conversation = await ctx.get(ChatService).of_tenant(ctx.principal, p.conversation_id)
        call = await ctx.get(CallService).current(conversation)
        return {"call": call.to_wire() if call else None}

    @agents.on("call.join", CallRef)
    async def call_join(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        return (await ctx.get(CallService).join(ctx.principal.tenant.id, p.call_id, _agent(ctx))).to_wire()

    @agents.on("call.decline", CallRef)
    async def call_decline(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.get(CallService).decline(ctx.principal.tenant.id, p.call_id, _agent(ctx))
        return {"call": call.to_wire()}

    @agents.on("call.leave", CallRef)
    async def call_leave(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.get(CallService).leave(ctx.principal.tenant.id, p.call_id, _agent(ctx))
        return {"call": call.to_wire()}

    @agents.on("call.end", CallRef)
    async def call_end(ctx: AgentContext, p: CallRef) -> dict[str, Any]:
        call = await ctx.get(CallService).end(ctx.principal.tenant.id, p.call_id, _agent(ctx))
        return {"call": call.to_wire()}

    @agents.on("rtc.signal", RtcSignal)
    async def rtc_signal(ctx: AgentContext, p: RtcSignal) -> dict[str, Any]:
        limit.check(ctx.sid, ctx.clock().timestamp())
        await ctx.get(SignalRelay).relay(ctx.principal.tenant.id, p.call_id, ctx.sid, p.relayed())
        return {}


def _signal_limiter(events: Events[Any]) -> SocketLimiter:
    message = "Too many signalling messages; slow down."
    return events.socket_limiter(SIGNAL_BURST, SIGNAL_WINDOW, message, retry_after=int(SIGNAL_WINDOW))


def _visitor(ctx: VisitorContext) -> Caller:
    return Caller(Side.VISITOR, ctx.visitor.id, ctx.visitor.display_name, ctx.sid)


def _agent(ctx: AgentContext) -> Caller:
    user = ctx.principal.user
    return Caller(Side.AGENT, user.id, user.display_name, ctx.sid, user.photo_url)
