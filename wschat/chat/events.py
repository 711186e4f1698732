"""Socket.IO handlers for the chat: validate (done by the dispatcher), call one service function, answer.

Names and payloads are in docs/protocol.md; JSON fixtures of each payload in tests/fixtures/protocol/.
"""

from __future__ import annotations

from typing import TypedDict

from wschat.accounts.context import AgentContext
from wschat.boundary.protocol import Event
from wschat.boundary.sockets import Done, Events, visitor_limiter
from wschat.chat.conversations import ChatService
from wschat.chat.messages import MessageService
from wschat.chat.models import (
    ChatStart,
    ChatTransfer,
    Conversation,
    ConversationRef,
    MessagesBefore,
    MessageSend,
    MessagesRead,
    MessagesSync,
    Party,
    SenderKind,
    StatusSet,
    Typing,
)
from wschat.chat.offline import OfflineLeave, OfflineService
from wschat.chat.payloads import (
    AgentConversationAck,
    AgentsAck,
    AgentSyncAck,
    ConversationsAck,
    CurrentChatAck,
    EarlierMessagesAck,
    HistoryAck,
    LiveVisitorsAck,
    MessageAck,
    StatusAck,
    VisitorConversationAck,
    VisitorSyncAck,
)
from wschat.chat.presence import PresenceService
from wschat.chat.transcripts import TranscriptRequest, TranscriptService
from wschat.chat.transfer import TransferService
from wschat.config import Settings
from wschat.errors import ValidationFailed
from wschat.visitors.context import VisitorContext
from wschat.visitors.models import ContactSubmit
from wschat.visitors.pages import PageService
from wschat.visitors.payloads import ContactSubmitAck
from wschat.visitors.service import VisitorService
from wschat.wire import Empty

#: Transcript requests per visitor and hour (besides the 3 copies per conversation): refused before
#: anything is stored or sent.
TRANSCRIPT_REQUESTS_PER_HOUR = 5
#: Offline messages per visitor and hour.
OFFLINE_MESSAGES_PER_HOUR = 5


class OfflineLeaveAck(TypedDict):
    #: The stored offline message's conversation id.
    id: str


class TranscriptAck(TypedDict):
    #: How many more copies of this conversation the visitor may ask for.
    remaining: int


#: typing events a socket may send per TYPING_WINDOW seconds; the rest are refused, not relayed.
TYPING_BURST = 5
TYPING_WINDOW = 2.0


def register(agents: Events[AgentContext], visitors: Events[VisitorContext], settings: Settings) -> None:
    """Attach every chat event handler to the two namespaces."""
    _register_visitor(visitors, settings)
    _register_agent(agents)


def _register_visitor(visitors: Events[VisitorContext], settings: Settings) -> None:
    typing_limit = visitors.socket_limiter(TYPING_BURST, TYPING_WINDOW, "Too many typing events.")
    # Per visitor, over all their tabs: refused before anything is stored (docs/security.md).
    limits = settings.chat
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

    @visitors.on(Event.CHAT_START, ChatStart)
    async def chat_start(ctx: VisitorContext, p: ChatStart) -> VisitorConversationAck:
        chat, messages = ctx.get(ChatService), ctx.get(MessageService)
        now = ctx.clock().timestamp()
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

    @visitors.on(Event.CHAT_CURRENT, Empty)
    async def chat_current(ctx: VisitorContext, p: Empty) -> CurrentChatAck:
        conversation = await ctx.get(ChatService).current(ctx.visitor)
        return {
            "conversation": await ctx.get(ChatService).views.for_visitor(conversation)
            if conversation
            else None,
            "online": await ctx.get(PresenceService).online_for_visitor(ctx.visitor.tenant_id),
        }

    @visitors.on(Event.MESSAGE_SEND, MessageSend)
    async def message_send(ctx: VisitorContext, p: MessageSend) -> MessageAck:
        message_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        conversation = await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        sender = _visitor_party(ctx)
        message = await ctx.get(MessageService).send(
            conversation, sender, p.client_id, p.text, origin=ctx.sid
        )
        return {"message": message.to_wire()}

    @visitors.on(Event.MESSAGES_SYNC, MessagesSync)
    async def messages_sync(ctx: VisitorContext, p: MessagesSync) -> VisitorSyncAck:
        chat = ctx.get(ChatService)
        conversation = await chat.of_visitor(ctx.visitor, p.conversation_id)
        messages = await ctx.get(MessageService).history(
            conversation, agents=False, after_seq=p.after_seq, limit=p.limit
        )
        return {
            "conversation": await chat.views.for_visitor(conversation),
            "messages": [m.to_wire() for m in messages],
        }

    @visitors.on(Event.MESSAGES_READ, MessagesRead)
    async def messages_read(ctx: VisitorContext, p: MessagesRead) -> Done:
        conversation = await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        await ctx.get(ChatService).mark_read(conversation, SenderKind.VISITOR, p.seq)
        return {}

    @visitors.on(Event.TYPING, Typing)
    async def typing(ctx: VisitorContext, p: Typing) -> Done:
        typing_limit.check(ctx.sid, ctx.clock().timestamp())
        conversation = await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        await ctx.get(ChatService).relay_typing(conversation, _visitor_party(ctx), p.typing)
        return {}

    @visitors.on(Event.CONTACT_SUBMIT, ContactSubmit)
    async def contact_submit(ctx: VisitorContext, p: ContactSubmit) -> ContactSubmitAck:
        contact_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        if p.conversation_id is not None:
            await ctx.get(ChatService).of_visitor(ctx.visitor, p.conversation_id)
        visitor = await ctx.get(VisitorService).submit_contact(ctx.visitor, p)
        return {"visitor": {"display_name": visitor.display_name, "contact": visitor.contact_wire()}}

    offline_limit = visitor_limiter(
        OFFLINE_MESSAGES_PER_HOUR, 3600, "Too many messages left. Please try again later."
    )
    transcript_limit = visitor_limiter(
        TRANSCRIPT_REQUESTS_PER_HOUR, 3600, "Too many e-mails asked for. Please try again later."
    )

    @visitors.on(Event.OFFLINE_LEAVE, OfflineLeave)
    async def offline_leave(ctx: VisitorContext, p: OfflineLeave) -> OfflineLeaveAck:
        offline_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        conversation = await ctx.get(OfflineService).leave(ctx.visitor, p)
        return {"id": conversation.id}

    @visitors.on(Event.TRANSCRIPT_REQUEST, TranscriptRequest)
    async def transcript_request(ctx: VisitorContext, p: TranscriptRequest) -> TranscriptAck:
        transcript_limit.check(ctx.visitor.id, ctx.clock().timestamp())
        record = await ctx.get(TranscriptService).request(ctx.visitor, p)
        return {"remaining": record.remaining}

    @visitors.on(Event.CHAT_END, ConversationRef)
    async def chat_end(ctx: VisitorContext, p: ConversationRef) -> VisitorConversationAck:
        conversation = await ctx.get(ChatService).end(ctx.visitor, p.conversation_id)
        return {"conversation": await ctx.get(ChatService).views.for_visitor(conversation)}


def _register_agent(agents: Events[AgentContext]) -> None:
    typing_limit = agents.socket_limiter(TYPING_BURST, TYPING_WINDOW, "Too many typing events.")

    @agents.on(Event.STATUS_SET, StatusSet)
    async def status_set(ctx: AgentContext, p: StatusSet) -> StatusAck:
        state = await ctx.get(ChatService).set_status(ctx.principal, p.status)
        return {"status": state.status.value, "agent": state.to_wire()}

    @agents.on(Event.AGENTS_LIST, Empty)
    async def agents_list(ctx: AgentContext, p: Empty) -> AgentsAck:
        agents = await ctx.get(PresenceService).agents(ctx.principal.tenant.id)
        return {"agents": [a.to_wire() for a in agents]}

    @agents.on(Event.QUEUE_LIST, Empty)
    async def queue_list(ctx: AgentContext, p: Empty) -> ConversationsAck:
        chat = ctx.get(ChatService)
        return {"conversations": [await chat.views.for_agent(c) for c in await chat.queue(ctx.principal)]}

    @agents.on(Event.CHATS_LIST, Empty)
    async def chats_list(ctx: AgentContext, p: Empty) -> ConversationsAck:
        chat = ctx.get(ChatService)
        return {"conversations": [await chat.views.for_agent(c) for c in await chat.mine(ctx.principal)]}

    @agents.on(Event.CHAT_ACCEPT, ConversationRef)
    async def chat_accept(ctx: AgentContext, p: ConversationRef) -> AgentConversationAck:
        return await _agent_view(ctx, await ctx.get(ChatService).accept(ctx.principal, p.conversation_id))

    @agents.on(Event.CHAT_TRANSFER, ChatTransfer)
    async def chat_transfer(ctx: AgentContext, p: ChatTransfer) -> AgentConversationAck:
        conversation = await ctx.get(TransferService).transfer(
            ctx.principal, p.conversation_id, p.to_agent_id, p.note
        )
        return await _agent_view(ctx, conversation)

    @agents.on(Event.CHAT_CLOSE, ConversationRef)
    async def chat_close(ctx: AgentContext, p: ConversationRef) -> AgentConversationAck:
        return await _agent_view(ctx, await ctx.get(ChatService).close(ctx.principal, p.conversation_id))

    @agents.on(Event.CHAT_HISTORY, ConversationRef)
    async def chat_history(ctx: AgentContext, p: ConversationRef) -> HistoryAck:
        return {"assignments": await ctx.get(ChatService).history(ctx.principal, p.conversation_id)}

    @agents.on(Event.MESSAGE_SEND, MessageSend)
    async def message_send(ctx: AgentContext, p: MessageSend) -> MessageAck:
        conversation = await ctx.get(ChatService).writable_by(ctx.principal, p.conversation_id)
        sender = _agent_party(ctx)
        message = await ctx.get(MessageService).send(
            conversation, sender, p.client_id, p.text, origin=ctx.sid
        )
        return {"message": message.to_wire()}

    @agents.on(Event.MESSAGES_SYNC, MessagesSync)
    async def messages_sync(ctx: AgentContext, p: MessagesSync) -> AgentSyncAck:
        chat = ctx.get(ChatService)
        conversation = await chat.of_tenant(ctx.principal, p.conversation_id)
        messages = await ctx.get(MessageService).history(
            conversation, agents=True, after_seq=p.after_seq, limit=p.limit
        )
        return {
            "conversation": await chat.views.for_agent(conversation),
            "messages": [m.to_wire() for m in messages],
        }

    @agents.on(Event.MESSAGES_BEFORE, MessagesBefore)
    async def messages_before(ctx: AgentContext, p: MessagesBefore) -> EarlierMessagesAck:
        conversation = await ctx.get(ChatService).of_tenant(ctx.principal, p.conversation_id)
        page, earlier = await ctx.get(MessageService).page_before(
            conversation, agents=True, before_seq=p.before_seq, limit=p.limit
        )
        return {"messages": [m.to_wire() for m in page], "has_earlier": earlier}

    @agents.on(Event.MESSAGES_READ, MessagesRead)
    async def messages_read(ctx: AgentContext, p: MessagesRead) -> Done:
        conversation = await ctx.get(ChatService).held_by(ctx.principal, p.conversation_id)
        await ctx.get(ChatService).mark_read(conversation, SenderKind.AGENT, p.seq)
        return {}

    @agents.on(Event.TYPING, Typing)
    async def typing(ctx: AgentContext, p: Typing) -> Done:
        typing_limit.check(ctx.sid, ctx.clock().timestamp())
        conversation = await ctx.get(ChatService).held_by(ctx.principal, p.conversation_id)
        await ctx.get(ChatService).relay_typing(conversation, _agent_party(ctx), p.typing)
        return {}

    @agents.on(Event.VISITORS_LIVE, Empty)
    async def visitors_live(ctx: AgentContext, p: Empty) -> LiveVisitorsAck:
        tenant_id = ctx.principal.tenant.id
        visitors = await ctx.get(PageService).live(tenant_id)
        return {"visitors": await ctx.get(ChatService).views.live_visitors(tenant_id, visitors)}


async def _agent_view(ctx: AgentContext, conversation: Conversation) -> AgentConversationAck:
    return {"conversation": await ctx.get(ChatService).views.for_agent(conversation)}


def _visitor_party(ctx: VisitorContext) -> Party:
    return Party(SenderKind.VISITOR, ctx.visitor.id, ctx.visitor.display_name)


def _agent_party(ctx: AgentContext) -> Party:
    user = ctx.principal.user
    return Party(SenderKind.AGENT, user.id, user.display_name, user.photo_url)
