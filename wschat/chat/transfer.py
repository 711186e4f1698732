"""Handing a chat to a colleague: by its agent or an admin, with an optional note only agents see."""

from __future__ import annotations

from wschat.accounts.models import Principal
from wschat.boundary.protocol import Event
from wschat.chat.conversation_store import Superseded
from wschat.chat.conversations import ChatService
from wschat.chat.markers import marker, marker_key
from wschat.chat.models import Conversation, ConversationStatus, Party, SenderKind, Visibility, clean_text
from wschat.chat.parts import ChatParts
from wschat.chat.routing import RoutingService
from wschat.chat.views import agent_identity
from wschat.errors import AgentUnavailable, AlreadyAssigned, ConversationClosed, Forbidden, NotFound
from wschat.records import Document


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
        by = Party(SenderKind.AGENT, agent.user.id, agent.user.display_name, agent.user.photo_url)
        record = {
            "by": by.to_doc(),
            "from_agent_id": conversation.agent_id,
            "to_agent_id": target.id,
            "note": note,
        }
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
                    record | {"marker": marker("transfer", conversation.epoch + 1)},
                    self.parts.clock(),
                )
            except Superseded:
                raise AlreadyAssigned("The chat changed meanwhile; please look again.") from None
            await self.parts.presence.mark_assigned(agent.tenant.id, target.id)
        await self.transferred(updated, record)
        return updated

    async def transferred(self, updated: Conversation, transition: Document) -> None:
        """The aftermath of a transfer, ending with its marker message (wschat.chat.markers)."""
        users, tenant_id = self.parts.users, updated.tenant_id
        target = await users.by_id(tenant_id, transition["to_agent_id"])
        from_id = transition["from_agent_id"]
        previous = await users.by_id(tenant_id, from_id) if from_id else None
        by = Party.from_doc(transition["by"])
        await self.routing.handed_over(updated)
        if transition.get("note"):
            await self.parts.messages.system(
                updated,
                transition["note"],
                event="transfer_note",
                data={"by": by.display_name},
                key=f"transfer-note:{updated.epoch}",
                visibility=Visibility.AGENTS,
                sender=by,
            )
        if target is not None:  # not deleted meanwhile
            # load_changed announces the new loads, and with them the tenant's online state.
            await self.parts.presence.load_changed(tenant_id, target.id)
            await self.routing.announce_assignment(updated, target)
        if previous is not None:
            await self.parts.publisher.to_agent(
                previous.id,
                Event.CHAT_TRANSFERRED,
                {"conversation_id": updated.id, "to": agent_identity(target)},
            )
            await self.parts.presence.load_changed(tenant_id, previous.id)
        if from_id is None:  # it was waiting in the queue
            await self.routing.queue_changed(tenant_id, removed=[updated.id])
        await self.routing.route_queue(tenant_id)  # the previous holder has room again
        name = target.display_name if target else "A colleague"
        await self.parts.messages.system(
            updated,
            f"{name} has taken over the chat.",
            event="transferred",
            data={"from": previous.display_name if previous else None, "to": name},
            key=marker_key("transfer", updated.epoch),
        )
