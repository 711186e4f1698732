"""Handing a chat to a colleague: by its agent or an admin, with an optional note only agents see."""

from __future__ import annotations

from wschat.accounts.models import Principal
from wschat.boundary.protocol import Event
from wschat.chat.conversation_store import Superseded
from wschat.chat.conversations import ChatService
from wschat.chat.models import Conversation, ConversationStatus, Party, SenderKind, Visibility, clean_text
from wschat.chat.parts import ChatParts
from wschat.chat.routing import RoutingService
from wschat.chat.views import agent_identity
from wschat.errors import AgentUnavailable, AlreadyAssigned, ConversationClosed, Forbidden, NotFound


class TransferService:
    def __init__(self, parts: ChatParts, chat: ChatService, routing: RoutingService) -> None:
        self.parts = parts
        self.chat = chat
        self.routing = routing

    async def transfer(
        self, agent: Principal, conversation_id: str, to_agent_id: str, note: str | None
    ) -> Conversation:
        """Hand a chat to a colleague. Raises FORBIDDEN (not yours, not admin), AGENT_UNAVAILABLE."""
        conversation = await self.chat.of_tenant(agent, conversation_id)
        if conversation.status is ConversationStatus.CLOSED:
            raise ConversationClosed()
        if conversation.agent_id != agent.user.id and not agent.is_admin:
            raise Forbidden("Only the agent who holds this chat, or an admin, may transfer it.")
        note = clean_text(note or "") or None
        target = await self.parts.users.by_id(agent.tenant.id, to_agent_id)
        if target is None:
            raise NotFound("There is no such agent.")
        previous = (
            await self.parts.users.by_id(agent.tenant.id, conversation.agent_id)
            if conversation.agent_id
            else None
        )
        by = Party(SenderKind.AGENT, agent.user.id, agent.user.display_name, agent.user.photo_url)
        async with self.parts.assignments.tenant(agent.tenant.id):
            state = await self.parts.presence.agent(agent.tenant.id, target)
            if target.id == conversation.agent_id or not state.available:
                raise AgentUnavailable()
            try:
                updated = await self.parts.conversations.transition(
                    conversation,
                    "transfer",
                    {
                        "status": ConversationStatus.ACTIVE.value,
                        "agent_id": target.id,
                        "assigned_at": self.parts.clock(),
                    },
                    {
                        "by": by.to_doc(),
                        "from_agent_id": conversation.agent_id,
                        "to_agent_id": target.id,
                        "note": note,
                    },
                    self.parts.clock(),
                )
            except Superseded:
                raise AlreadyAssigned("The chat changed meanwhile; please look again.") from None
            await self.parts.presence.mark_assigned(agent.tenant.id, target.id)
        await self.routing.handed_over(updated)
        await self.parts.messages.system(
            updated,
            f"{target.display_name} has taken over the chat.",
            event="transferred",
            data={"from": previous.display_name if previous else None, "to": target.display_name},
            key=f"transfer:{updated.epoch}",
        )
        if note:
            await self.parts.messages.system(
                updated,
                note,
                event="transfer_note",
                data={"by": agent.user.display_name},
                key=f"transfer-note:{updated.epoch}",
                visibility=Visibility.AGENTS,
                sender=by,
            )
        # load_changed announces the new loads, and with them the tenant's online state.
        await self.parts.presence.load_changed(agent.tenant.id, target.id)
        await self.routing.announce_assignment(updated, target)
        if previous is not None:
            await self.parts.publisher.to_agent(
                previous.id,
                Event.CHAT_TRANSFERRED,
                {"conversation_id": updated.id, "to": agent_identity(target)},
            )
            await self.parts.presence.load_changed(agent.tenant.id, previous.id)
        if conversation.status is ConversationStatus.QUEUED:
            await self.routing.queue_changed(agent.tenant.id, removed=[updated.id])
        await self.routing.route_queue(agent.tenant.id)  # the previous holder has room again
        return updated
