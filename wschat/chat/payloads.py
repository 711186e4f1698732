"""What the server sends about chats: the typed shape of each payload and ack (docs/protocol.md §7–§9)."""

from __future__ import annotations

from typing import Any, TypedDict

from wschat.boundary.protocol import Event
from wschat.visitors.payloads import VisitorWire


class SenderWire(TypedDict):
    kind: str
    id: str | None
    display_name: str
    photo_url: str | None


class MessageWire(TypedDict):
    id: str
    conversation_id: str
    seq: int
    client_id: str | None
    sender: SenderWire
    kind: str
    text: str
    created_at: str
    visibility: str
    #: What a system message records ("assigned", "closed_by_agent", …); null for a text.
    event: str | None
    data: dict[str, Any]


class AgentIdentity(TypedDict):
    """What a visitor may know of an agent: the alias and photo, never the login or real name."""

    id: str
    display_name: str
    photo_url: str | None


class ConversationCommon(TypedDict):
    """What the console and the widget both see of a conversation."""

    id: str
    status: str
    created_at: str
    assigned_at: str | None
    closed_at: str | None
    closed_by: str | None


class ConversationForVisitor(ConversationCommon):
    agent: AgentIdentity | None
    agent_read_seq: int


class ConversationForAgent(ConversationCommon):
    #: Counts the conversation's transitions: a console keeps the newest view of a chat.
    epoch: int
    visitor: VisitorWire | None
    agent: AgentIdentity | None
    visitor_read_seq: int
    agent_read_seq: int
    visitor_left_at: str | None


class AssignmentWire(TypedDict):
    epoch: int
    kind: str
    at: str
    by: SenderWire | None
    from_agent_id: str | None
    to_agent_id: str | None
    note: str | None


class OpenConversationRef(TypedDict):
    id: str
    status: str


class LiveVisitorWire(VisitorWire):
    conversation: OpenConversationRef | None


class AgentStateWire(TypedDict):
    agent_id: str
    display_name: str
    photo_url: str | None
    status: str
    connected: bool
    open_chats: int
    max_chats: int
    available: bool


class Typist(TypedDict):
    display_name: str


# -- events --------------------------------------------------------------------------------------------------


class MessageNew(TypedDict):
    message: MessageWire


class MessagesReadEvent(TypedDict):
    conversation_id: str
    by: str
    seq: int


class TypingEvent(TypedDict):
    conversation_id: str
    typing: bool
    by: Typist


class ChatAssignedToVisitor(TypedDict):
    conversation_id: str
    agent: AgentIdentity | None


class ChatAssignedToAgent(TypedDict):
    conversation: ConversationForAgent
    messages: list[MessageWire]
    has_earlier: bool


class ChatEnded(TypedDict):
    conversation_id: str
    by: str


class ChatTransferred(TypedDict):
    conversation_id: str
    to: AgentIdentity | None


class QueueUpdated(TypedDict):
    added: list[ConversationForAgent]
    removed: list[str]


class PresenceEvent(TypedDict):
    online: bool


# -- acks ----------------------------------------------------------------------------------------------------


class VisitorConversationAck(TypedDict):
    conversation: ConversationForVisitor


class CurrentChatAck(TypedDict):
    conversation: ConversationForVisitor | None
    online: bool


class AgentConversationAck(TypedDict):
    conversation: ConversationForAgent


class ConversationsAck(TypedDict):
    conversations: list[ConversationForAgent]


class MessageAck(TypedDict):
    message: MessageWire


class VisitorSyncAck(TypedDict):
    conversation: ConversationForVisitor
    messages: list[MessageWire]


class AgentSyncAck(TypedDict):
    conversation: ConversationForAgent
    messages: list[MessageWire]


class EarlierMessagesAck(TypedDict):
    messages: list[MessageWire]
    has_earlier: bool


class HistoryAck(TypedDict):
    assignments: list[AssignmentWire]


class StatusAck(TypedDict):
    status: str
    agent: AgentStateWire


class AgentsAck(TypedDict):
    agents: list[AgentStateWire]


class LiveVisitorsAck(TypedDict):
    visitors: list[LiveVisitorWire]


#: Server→client events of this feature and their payloads, by namespace ("agent" or "visitor").
class OfflineCount(TypedDict):
    """``offline.count``: how many offline messages of the tenant are still to answer."""

    open: int


SENT: dict[tuple[str, Event], type] = {
    ("agent", Event.MESSAGE_NEW): MessageNew,
    ("visitor", Event.MESSAGE_NEW): MessageNew,
    ("agent", Event.MESSAGES_READ): MessagesReadEvent,
    ("visitor", Event.MESSAGES_READ): MessagesReadEvent,
    ("agent", Event.TYPING): TypingEvent,
    ("visitor", Event.TYPING): TypingEvent,
    ("agent", Event.CHAT_ASSIGNED): ChatAssignedToAgent,
    ("visitor", Event.CHAT_ASSIGNED): ChatAssignedToVisitor,
    ("agent", Event.CHAT_ENDED): ChatEnded,
    ("visitor", Event.CHAT_ENDED): ChatEnded,
    ("agent", Event.CHAT_TRANSFERRED): ChatTransferred,
    ("agent", Event.QUEUE_UPDATED): QueueUpdated,
    ("agent", Event.AGENTS_PRESENCE): AgentStateWire,
    ("visitor", Event.PRESENCE): PresenceEvent,
    ("agent", Event.OFFLINE_COUNT): OfflineCount,
}
