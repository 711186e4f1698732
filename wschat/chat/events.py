"""Socket.IO handlers for the chat: validate (done by the dispatcher), call one service function, answer.

Names and payloads are in docs/protocol.md; JSON fixtures of each payload in tests/fixtures/protocol/.
"""

from __future__ import annotations

from typing import Any

from wschat.chat.models import (
    ChatStart,
    ChatTransfer,
    ContactSubmit,
    ConversationRef,
    Empty,
    MessagesBefore,
    MessageSend,
    MessagesRead,
    MessagesSync,
    PageViewed,
    Party,
    SenderKind,
    StatusSet,
    Typing,
    VisitorRef,
)
from wschat.errors import ValidationFailed
from wschat.realtime import AgentContext, Realtime, SocketLimiter, VisitorContext, visitor_limiter

#: typing events a socket may send per TYPING_WINDOW seconds; the rest are refused, not relayed.
TYPING_BURST = 5
TYPING_WINDOW = 2.0
#: page.view events a socket may send per PAGE_WINDOW seconds (a single-page app navigating fast).
PAGE_BURST = 20
PAGE_WINDOW = 10.0


def register(rt: Realtime) -> None:
    """Attach every chat event handler to the Socket.IO server."""
    _register_visitor(rt)
    _register_agent(rt)


def _register_visitor(rt: Realtime) -> None:
    typing_limit = SocketLimiter(TYPING_BURST, TYPING_WINDOW, "Too many typing events.")
    page_limit = SocketLimiter(PAGE_BURST, PAGE_WINDOW, "Too many page views.")
    # Per visitor, over all their tabs: refused before anything is stored (docs/security.md).
    limits = rt.settings.chat
    message_limit = visitor_limiter(
        limits.visitor_message_burst,
        limits.visitor_message_burst * 60 / limits.visitor_messages_per_minute,
        "You are sending messages too fast. Please wait a moment.",
    )
    chat_limit = visitor_limiter(
        limits.visitor_chats_per_hour, 3600, "Too many new chats. Please try again later."
    )
    contact_limit = visitor_limiter(
        limits.visitor_contacts_per_hour,
        3600,
        "Too many changes to your contact data. Please try again later.",
    )

    @rt.visitor_event("chat.start", ChatStart)
    async def chat_start(ctx: VisitorContext, p: ChatStart) -> dict[str, Any]:
        chat, messages = ctx.runtime.chat, ctx.runtime.messages
        now = ctx.runtime.clock().timestamp()
        chat_limit.check(ctx.visitor.id, now)
        if p.text is not None:  # checked before anything changes
            message_limit.check(ctx.visitor.id, now)
            if p.client_id is None:
                raise ValidationFailed("A first message needs a client_id.")
            messages.check_text(p.text)
        conversation, visitor = await chat.start(ctx.visitor, name=p.name, alias=p.alias)
        if p.text is not None and p.client_id is not None:
            sender = Party(SenderKind.VISITOR, visitor.id, visitor.display_name)
            await messages.send(conversation, sender, p.client_id, p.text)
        return {"conversation": await chat.views.for_visitor(conversation)}

    @rt.visitor_event("chat.current", Empty)
    async def chat_current(ctx: VisitorContext, p: Empty) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.current(ctx.visitor)
        return {
            "conversation": await ctx.runtime.chat.views.for_visitor(conversation) if conversation else None,
            "online": await ctx.runtime.presence.tenant_online(ctx.visitor.tenant_id),
        }

    @rt.visitor_event("message.send", MessageSend)
    async def message_send(ctx: VisitorContext, p: MessageSend) -> dict[str, Any]:
        message_limit.check(ctx.visitor.id, ctx.runtime.clock().timestamp())
        conversation = await ctx.runtime.chat.of_visitor(ctx.visitor, p.conversation_id)
        message = await ctx.runtime.messages.send(conversation, _visitor_party(ctx), p.client_id, p.text)
        return {"message": message.to_wire()}

    @rt.visitor_event("messages.sync", MessagesSync)
    async def messages_sync(ctx: VisitorContext, p: MessagesSync) -> dict[str, Any]:
        chat = ctx.runtime.chat
        conversation = await chat.of_visitor(ctx.visitor, p.conversation_id)
        messages = await ctx.runtime.messages.history(
            conversation, agents=False, after_seq=p.after_seq, limit=p.limit
        )
        return {
            "conversation": await chat.views.for_visitor(conversation),
            "messages": [m.to_wire() for m in messages],
        }

    @rt.visitor_event("messages.read", MessagesRead)
    async def messages_read(ctx: VisitorContext, p: MessagesRead) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.of_visitor(ctx.visitor, p.conversation_id)
        await ctx.runtime.chat.mark_read(conversation, SenderKind.VISITOR, p.seq)
        return {}

    @rt.visitor_event("typing", Typing)
    async def typing(ctx: VisitorContext, p: Typing) -> dict[str, Any]:
        typing_limit.check(ctx.sid, ctx.runtime.clock().timestamp())
        conversation = await ctx.runtime.chat.of_visitor(ctx.visitor, p.conversation_id)
        await ctx.runtime.chat.relay_typing(conversation, _visitor_party(ctx), p.typing)
        return {}

    @rt.visitor_event("contact.submit", ContactSubmit)
    async def contact_submit(ctx: VisitorContext, p: ContactSubmit) -> dict[str, Any]:
        contact_limit.check(ctx.visitor.id, ctx.runtime.clock().timestamp())
        if p.conversation_id is not None:
            await ctx.runtime.chat.of_visitor(ctx.visitor, p.conversation_id)
        visitor = await ctx.runtime.visitors.submit_contact(ctx.visitor, p)
        return {"visitor": {"display_name": visitor.display_name, "contact": visitor.contact_wire()}}

    @rt.visitor_event("chat.end", ConversationRef)
    async def chat_end(ctx: VisitorContext, p: ConversationRef) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.end(ctx.visitor, p.conversation_id)
        return {"conversation": await ctx.runtime.chat.views.for_visitor(conversation)}

    @rt.visitor_event("page.view", PageViewed)
    async def page_view(ctx: VisitorContext, p: PageViewed) -> dict[str, Any]:
        page_limit.check(ctx.sid, ctx.runtime.clock().timestamp())
        await ctx.runtime.pages.viewed(ctx.visitor, p)
        return {}

    rt.forget_socket_state.append(typing_limit.forget)
    rt.forget_socket_state.append(page_limit.forget)


def _register_agent(rt: Realtime) -> None:
    typing_limit = SocketLimiter(TYPING_BURST, TYPING_WINDOW, "Too many typing events.")

    @rt.agent_event("status.set", StatusSet)
    async def status_set(ctx: AgentContext, p: StatusSet) -> dict[str, Any]:
        state = await ctx.runtime.chat.set_status(ctx.principal, p.status)
        return {"status": state.status.value, "agent": state.to_wire()}

    @rt.agent_event("agents.list", Empty)
    async def agents_list(ctx: AgentContext, p: Empty) -> dict[str, Any]:
        agents = await ctx.runtime.presence.agents(ctx.principal.tenant.id)
        return {"agents": [a.to_wire() for a in agents]}

    @rt.agent_event("queue.list", Empty)
    async def queue_list(ctx: AgentContext, p: Empty) -> dict[str, Any]:
        chat = ctx.runtime.chat
        return {"conversations": [await chat.views.for_agent(c) for c in await chat.queue(ctx.principal)]}

    @rt.agent_event("chats.list", Empty)
    async def chats_list(ctx: AgentContext, p: Empty) -> dict[str, Any]:
        chat = ctx.runtime.chat
        return {"conversations": [await chat.views.for_agent(c) for c in await chat.mine(ctx.principal)]}

    @rt.agent_event("chat.accept", ConversationRef)
    async def chat_accept(ctx: AgentContext, p: ConversationRef) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.accept(ctx.principal, p.conversation_id)
        return {"conversation": await ctx.runtime.chat.views.for_agent(conversation)}

    @rt.agent_event("chat.transfer", ChatTransfer)
    async def chat_transfer(ctx: AgentContext, p: ChatTransfer) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.transfer(
            ctx.principal, p.conversation_id, p.to_agent_id, p.note
        )
        return {"conversation": await ctx.runtime.chat.views.for_agent(conversation)}

    @rt.agent_event("chat.close", ConversationRef)
    async def chat_close(ctx: AgentContext, p: ConversationRef) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.close(ctx.principal, p.conversation_id)
        return {"conversation": await ctx.runtime.chat.views.for_agent(conversation)}

    @rt.agent_event("chat.history", ConversationRef)
    async def chat_history(ctx: AgentContext, p: ConversationRef) -> dict[str, Any]:
        return {"assignments": await ctx.runtime.chat.history(ctx.principal, p.conversation_id)}

    @rt.agent_event("message.send", MessageSend)
    async def message_send(ctx: AgentContext, p: MessageSend) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.writable_by(ctx.principal, p.conversation_id)
        message = await ctx.runtime.messages.send(conversation, _agent_party(ctx), p.client_id, p.text)
        return {"message": message.to_wire()}

    @rt.agent_event("messages.sync", MessagesSync)
    async def messages_sync(ctx: AgentContext, p: MessagesSync) -> dict[str, Any]:
        chat = ctx.runtime.chat
        conversation = await chat.of_tenant(ctx.principal, p.conversation_id)
        messages = await ctx.runtime.messages.history(
            conversation, agents=True, after_seq=p.after_seq, limit=p.limit
        )
        return {
            "conversation": await chat.views.for_agent(conversation),
            "messages": [m.to_wire() for m in messages],
        }

    @rt.agent_event("messages.before", MessagesBefore)
    async def messages_before(ctx: AgentContext, p: MessagesBefore) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.of_tenant(ctx.principal, p.conversation_id)
        page, earlier = await ctx.runtime.messages.page_before(
            conversation, agents=True, before_seq=p.before_seq, limit=p.limit
        )
        return {"messages": [m.to_wire() for m in page], "has_earlier": earlier}

    @rt.agent_event("messages.read", MessagesRead)
    async def messages_read(ctx: AgentContext, p: MessagesRead) -> dict[str, Any]:
        conversation = await ctx.runtime.chat.held_by(ctx.principal, p.conversation_id)
        await ctx.runtime.chat.mark_read(conversation, SenderKind.AGENT, p.seq)
        return {}

    @rt.agent_event("typing", Typing)
    async def typing(ctx: AgentContext, p: Typing) -> dict[str, Any]:
        typing_limit.check(ctx.sid, ctx.runtime.clock().timestamp())
        conversation = await ctx.runtime.chat.held_by(ctx.principal, p.conversation_id)
        await ctx.runtime.chat.relay_typing(conversation, _agent_party(ctx), p.typing)
        return {}

    @rt.agent_event("visitors.live", Empty)
    async def visitors_live(ctx: AgentContext, p: Empty) -> dict[str, Any]:
        tenant_id = ctx.principal.tenant.id
        visitors = await ctx.runtime.pages.live(tenant_id)
        return {"visitors": await ctx.runtime.chat.views.live_visitors(tenant_id, visitors)}

    @rt.agent_event("visitor.pages", VisitorRef)
    async def visitor_pages(ctx: AgentContext, p: VisitorRef) -> dict[str, Any]:
        return {"pages": await ctx.runtime.pages.trail(ctx.principal.tenant.id, p.visitor_id)}

    rt.forget_socket_state.append(typing_limit.forget)


def _visitor_party(ctx: VisitorContext) -> Party:
    return Party(SenderKind.VISITOR, ctx.visitor.id, ctx.visitor.display_name)


def _agent_party(ctx: AgentContext) -> Party:
    user = ctx.principal.user
    return Party(SenderKind.AGENT, user.id, user.display_name, user.photo_url)
