"""What the chat's services share, built once by the wiring and handed to each of them."""

from __future__ import annotations

from dataclasses import dataclass

from wschat.accounts.store import UserStore
from wschat.boundary.domain_events import DomainEvents
from wschat.boundary.publisher import Publisher
from wschat.chat.assignment_lock import AssignmentLock
from wschat.chat.conversation_store import ConversationStore
from wschat.chat.messages import MessageService
from wschat.chat.presence import PresenceService
from wschat.chat.views import Views
from wschat.clock import Clock


@dataclass(frozen=True)
class ChatParts:
    conversations: ConversationStore
    users: UserStore
    messages: MessageService
    presence: PresenceService
    publisher: Publisher
    clock: Clock
    #: The tenant's assignment lock: every decision who gets a chat is taken under it.
    assignments: AssignmentLock
    events: DomainEvents
    #: What clients see of a conversation.
    views: Views
