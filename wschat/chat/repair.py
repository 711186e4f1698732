"""Completing the aftermath of interrupted transitions (wschat.chat.markers explains the marker).

A process that dies, or loses its database, between claiming a transition and writing its marker message
leaves a conversation in its new state without the rest: the visitor never hears that an agent joined, the
agent's load is stale, a closed chat's call goes on. Housekeeping looks at the transitions of the last
minutes whose marker is missing and runs their aftermath again, derived from what the transition stored,
with the same code the interrupted process was running. Events may arrive twice (clients keep the newest
view of a conversation by its epoch); messages, keyed, are written once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from wschat.accounts.store import UserStore
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.conversations import ChatService
from wschat.chat.models import Conversation
from wschat.chat.routing import RoutingService
from wschat.chat.transfer import TransferService
from wschat.clock import Clock
from wschat.records import Document

log = logging.getLogger(__name__)

#: A transition younger than this is left alone: its own process is still running its aftermath.
GRACE = timedelta(seconds=30)
#: How far back housekeeping looks (it runs every 30 s; a process restarted within this still repairs).
WINDOW = timedelta(minutes=15)


class TransitionRepair:
    def __init__(
        self,
        conversations: ConversationStore,
        users: UserStore,
        chat: ChatService,
        routing: RoutingService,
        transfers: TransferService,
        clock: Clock,
    ) -> None:
        self.conversations = conversations
        self.users = users
        self.chat = chat
        self.routing = routing
        self.transfers = transfers
        self.clock = clock

    async def complete_interrupted(self) -> int:
        """Run the aftermath of every interrupted transition of the window; how many there were."""
        now = self.clock()
        unfinished = await self.conversations.unfinished(now - WINDOW, now - GRACE)
        for conversation, transition in unfinished:
            log.warning(
                "completing the interrupted %s of conversation %s (epoch %d)",
                transition["kind"],
                conversation.id,
                conversation.epoch,
            )
            await self._complete(conversation, transition)
        return len(unfinished)

    async def _complete(self, conversation: Conversation, transition: Document) -> None:
        kind = transition["kind"]
        if kind in ("auto", "accept"):
            agent = await self.users.by_id(conversation.tenant_id, transition["to_agent_id"])
            if agent is not None:  # else deleted meanwhile, and its chats re-queued by the repairs
                await self.routing.assigned(conversation, agent)
        elif kind == "transfer":
            await self.transfers.transferred(conversation, transition)
        elif kind == "requeue":
            await self.routing.requeued(conversation, transition)
        elif kind == "close":
            await self.chat.closed(conversation, transition)
