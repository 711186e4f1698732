"""Messages: stored before they are acknowledged, never doubled, delivered to the right sockets only."""

from __future__ import annotations

from typing import Any

from wschat.boundary.protocol import Event
from wschat.boundary.publisher import Publisher
from wschat.chat.message_store import MessageStore
from wschat.chat.models import (
    HISTORY_PAGE,
    SYSTEM,
    Conversation,
    ConversationStatus,
    Message,
    MessageKind,
    Party,
    Visibility,
    clean_text,
)
from wschat.clock import Clock, new_id
from wschat.errors import Conflict, ConversationClosed, ValidationFailed

SYNC_LIMIT = 500
#: A socket's id, where a message is delivered to every socket but the one that sent it.
Socket = str | None


class MessageService:
    def __init__(self, store: MessageStore, publisher: Publisher, clock: Clock, *, max_length: int) -> None:
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.max_length = max_length

    async def send(
        self,
        conversation: Conversation,
        sender: Party,
        client_id: str,
        text: str,
        *,
        origin: str | None = None,
    ) -> Message:
        """Store and deliver a text message. Raises VALIDATION_FAILED, CONVERSATION_CLOSED, CONFLICT.
        ``origin`` is the sending socket, which gets the message in its ack and not again as an event.

        The same client_id again returns the stored message and stores nothing, and while the conversation is
        open delivers it again: a sender who resends never saw the ack, so the process that stored it may
        have died before the others heard of it (clients drop a seq they hold). With another text it is a
        CONFLICT (a client bug, not a resend).
        """
        cleaned = self.check_text(text)
        if conversation.status is ConversationStatus.CLOSED:
            # A resend of a message stored before the chat closed still gets its ack.
            earlier = await self.store.by_client_id(conversation.tenant_id, conversation.id, client_id)
            if earlier is None:
                raise ConversationClosed()
        else:
            # No look-up first: the unique index on client_id answers a resend (the hot path is one insert).
            earlier, created = await self.store.append(
                conversation.tenant_id,
                conversation.id,
                client_id,
                lambda seq: self._message(conversation, seq, sender, client_id, cleaned),
            )
            if created:
                await self.deliver(conversation, earlier, skip=origin)
                return earlier
        if earlier.text != cleaned or earlier.sender.id != sender.id:
            raise Conflict("This client_id was used for another message.")
        if conversation.status is not ConversationStatus.CLOSED:
            await self.deliver(conversation, earlier, skip=origin)
        return earlier

    async def record(self, conversation: Conversation, sender: Party, client_id: str, text: str) -> Message:
        """Store a text message in any state, delivered to nobody's socket (an offline message, an answer
        sent by e-mail); the same client_id again returns the stored one. Raises VALIDATION_FAILED."""
        cleaned = self.check_text(text)
        message, _ = await self.store.append(
            conversation.tenant_id,
            conversation.id,
            client_id,
            lambda seq: self._message(conversation, seq, sender, client_id, cleaned),
        )
        return message

    def check_text(self, text: str) -> str:
        """The cleaned text; raises VALIDATION_FAILED unless it has 1 to max_length characters."""
        cleaned = clean_text(text)
        if not 1 <= len(cleaned) <= self.max_length:
            rule = f"must have 1 to {self.max_length} characters"
            raise ValidationFailed(
                f"A message needs 1 to {self.max_length} characters.",
                details={"fields": [{"field": "text", "message": rule}]},
            )
        return cleaned

    async def last_seq(self, conversation: Conversation) -> int:
        return await self.store.last_seq(conversation.tenant_id, conversation.id)

    async def system(
        self,
        conversation: Conversation,
        text: str,
        *,
        event: str,
        data: dict[str, Any],
        key: str,
        visibility: Visibility = Visibility.ALL,
        sender: Party = SYSTEM,
    ) -> Message:
        """A system message; ``key`` makes it idempotent (one per transition)."""
        client_id = f"sys:{key}"

        def build(seq: int) -> Message:
            extra = {"kind": MessageKind.SYSTEM, "visibility": visibility, "event": event, "data": data}
            return self._message(conversation, seq, sender, client_id, text, **extra)

        message, created = await self.store.append(conversation.tenant_id, conversation.id, client_id, build)
        if created:
            await self.deliver(conversation, message)
        return message

    async def history(
        self, conversation: Conversation, *, agents: bool, after_seq: int = 0, limit: int = SYNC_LIMIT
    ) -> list[Message]:
        return await self.store.after(
            conversation.tenant_id, conversation.id, after_seq, limit, agents=agents
        )

    async def page_before(
        self,
        conversation: Conversation,
        *,
        agents: bool,
        before_seq: int | None = None,
        limit: int = HISTORY_PAGE,
    ) -> tuple[list[Message], bool]:
        """The newest ``limit`` messages below ``before_seq`` (None: the newest), oldest first, and whether
        there are earlier ones. A hand-over sends this page, never the whole conversation, however long."""
        newest_first = await self.store.before(
            conversation.tenant_id, conversation.id, before_seq, limit + 1, agents=agents
        )
        return newest_first[:limit][::-1], len(newest_first) > limit

    async def deliver(self, conversation: Conversation, message: Message, *, skip: str | None = None) -> None:
        """To every tab of the visitor (unless agents-only), and to the assignee (all agents while queued);
        not to the socket ``skip``, the sending one, which has the message in its ack."""
        payload = {"message": message.to_wire()}
        if message.visibility is Visibility.ALL:
            await self.publisher.to_visitor(conversation.visitor_id, Event.MESSAGE_NEW, payload, skip=skip)
        if conversation.agent_id:  # active, or closed while assigned
            await self.publisher.to_agent(conversation.agent_id, Event.MESSAGE_NEW, payload, skip=skip)
        else:
            await self.publisher.to_agents(conversation.tenant_id, Event.MESSAGE_NEW, payload)

    def _message(
        self, conversation: Conversation, seq: int, sender: Party, client_id: str, text: str, **extra: Any
    ) -> Message:
        return Message(
            id=new_id("msg"),
            tenant_id=conversation.tenant_id,
            conversation_id=conversation.id,
            seq=seq,
            client_id=client_id,
            sender=sender,
            text=text,
            created_at=self.clock(),
            **{"kind": MessageKind.TEXT, **extra},
        )
