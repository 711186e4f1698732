"""Socket.IO handlers for calls and the WebRTC signal relay: validate, call one service function, answer.

Names and payloads are in docs/protocol.md §12; JSON fixtures of each payload in tests/fixtures/protocol/.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from wschat.accounts.context import AgentContext
from wschat.boundary.protocol import Event
from wschat.boundary.sockets import Done, Events, SocketContext, visitor_limiter
from wschat.chat.conversations import ChatService
from wschat.chat.models import Conversation, ConversationRef
from wschat.config import Settings
from wschat.signalling.models import Call, Caller, CallRef, CallStart, RtcSignal, Side
from wschat.signalling.payloads import CallAck, CurrentCallAck, JoinedWire
from wschat.signalling.relay import SignalRelay
from wschat.signalling.service import CallService
from wschat.visitors.context import VisitorContext

#: rtc.signal messages a socket may send per SIGNAL_WINDOW seconds (an offer with trickled candidates
#: is a few dozen); the rest are refused with RATE_LIMITED and not relayed.
SIGNAL_BURST = 60
SIGNAL_WINDOW = 5.0

C = TypeVar("C", bound=SocketContext)


def register(agents: Events[AgentContext], visitors: Events[VisitorContext], settings: Settings) -> None:
    """Attach every call handler to the two namespaces."""
    _register_visitor(visitors, settings)
    _register_agent(agents)


def _register_visitor(visitors: Events[VisitorContext], settings: Settings) -> None:
    _register_in_call(visitors, _visitor, lambda ctx: ctx.visitor.tenant_id)
    call_limit = visitor_limiter(
        settings.chat.visitor_calls_per_hour, 3600, "Too many calls started. Please try again later."
    )

    @visitors.on(Event.CALL_START, CallStart)
    async def call_start(ctx: VisitorContext, p: CallStart) -> JoinedWire:
        call_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        conversation = await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        return (await ctx.get(CallService).start(conversation, _visitor(ctx), p.kind)).to_wire()

    @visitors.on(Event.CALL_CURRENT, ConversationRef)
    async def call_current(ctx: VisitorContext, p: ConversationRef) -> CurrentCallAck:
        return await _current_call(ctx, await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id))


def _register_agent(agents: Events[AgentContext]) -> None:
    _register_in_call(agents, _agent, lambda ctx: ctx.principal.tenant.id)

    @agents.on(Event.CALL_START, CallStart)
    async def call_start(ctx: AgentContext, p: CallStart) -> JoinedWire:
        conversation = await ctx.get(ChatService).held_by(ctx.principal, p.conversation_id)
        return (await ctx.get(CallService).start(conversation, _agent(ctx), p.kind)).to_wire()

    @agents.on(Event.CALL_CURRENT, ConversationRef)
    async def call_current(ctx: AgentContext, p: ConversationRef) -> CurrentCallAck:
        return await _current_call(
            ctx, await ctx.get(ChatService).of_tenant(ctx.principal, p.conversation_id)
        )


async def _current_call(ctx: SocketContext, conversation: Conversation) -> CurrentCallAck:
    call = await ctx.get(CallService).current(conversation)
    return {"call": call.to_wire() if call else None}


def _register_in_call(
    events: Events[C], caller: Callable[[C], Caller], tenant_of: Callable[[C], str]
) -> None:
    """What either side does with a call it was invited to or takes part in; the same on both sides."""
    message = "Too many signalling messages; slow down."
    limit = events.socket_limiter(SIGNAL_BURST, SIGNAL_WINDOW, message, retry_after=int(SIGNAL_WINDOW))

    @events.on(Event.CALL_JOIN, CallRef)
    async def call_join(ctx: C, p: CallRef) -> JoinedWire:
        return (await ctx.get(CallService).join(tenant_of(ctx), p.call_id, caller(ctx))).to_wire()

    for event, change in (
        (Event.CALL_DECLINE, CallService.decline),
        (Event.CALL_LEAVE, CallService.leave),
        (Event.CALL_END, CallService.end),
    ):
        _register_change(events, event, change, caller, tenant_of)

    @events.on(Event.RTC_SIGNAL, RtcSignal)
    async def rtc_signal(ctx: C, p: RtcSignal) -> Done:
        limit.check(ctx.sid, ctx.clock().timestamp())
        await ctx.get(SignalRelay).relay(tenant_of(ctx), p.call_id, ctx.sid, p.relayed())
        return {}


def _visitor(ctx: VisitorContext) -> Caller:
    return Caller(Side.VISITOR, ctx.visitor.id, ctx.visitor.display_name, ctx.sid)


def _agent(ctx: AgentContext) -> Caller:
    user = ctx.principal.user
    return Caller(Side.AGENT, user.id, user.display_name, ctx.sid, user.photo_url)


def _register_change(
    events: Events[C],
    event: Event,
    change: Callable[[CallService, str, str, Caller], Awaitable[Call]],
    caller: Callable[[C], Caller],
    tenant_of: Callable[[C], str],
) -> None:
    """``call.decline``, ``call.leave``, ``call.end``: one call, changed by one of its people."""

    @events.on(event, CallRef)
    async def changed(ctx: C, p: CallRef) -> CallAck:
        call = await change(ctx.get(CallService), tenant_of(ctx), p.call_id, caller(ctx))
        return {"call": call.to_wire()}
