"""Conversations and messages as the rules see them, and the payloads of the chat events."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field

from wschat.chat.payloads import MessageWire, SenderWire
from wschat.wire import INVISIBLE, DisplayName, Id, WireModel


#: A client's own id for a message it sends, so that resending never stores it twice.
#: "sys:" is the server's own prefix (one system message per state change), never a client's.
def _not_system(value: str) -> str:
    if value.startswith("sys:"):
        raise ValueError("must not start with 'sys:'")
    return value


ClientId = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$"), AfterValidator(_not_system)
]
Seq = Annotated[int, Field(ge=0, le=2**53)]
Limit = Annotated[int, Field(ge=1, le=1000)]
#: Messages in one page of history: chat.assigned carries the newest page, messages.before pages back.
HISTORY_PAGE = 50


class Origin(StrEnum):
    CHAT = "chat"
    OFFLINE_FORM = "offline_form"


class AnswerState(StrEnum):
    OPEN = "open"
    DONE = "done"


class ConversationStatus(StrEnum):
    QUEUED = "queued"
    ACTIVE = "active"
    CLOSED = "closed"


class SenderKind(StrEnum):
    VISITOR = "visitor"
    AGENT = "agent"
    SYSTEM = "system"


class MessageKind(StrEnum):
    TEXT = "text"
    SYSTEM = "system"


class Visibility(StrEnum):
    ALL = "all"
    #: Transfer notes and other remarks that only agents see.
    AGENTS = "agents"


class AgentStatus(StrEnum):
    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Party:
    """Who did something: a visitor, an agent or the system."""

    kind: SenderKind
    id: str | None = None
    display_name: str = ""
    #: Agents only: the photo (or initials) path visitors see next to the agent's messages.
    photo_url: str | None = None

    def to_doc(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "id": self.id,
            "display_name": self.display_name,
            "photo_url": self.photo_url,
        }

    def to_wire(self) -> SenderWire:
        return {
            "kind": self.kind.value,
            "id": self.id,
            "display_name": self.display_name,
            "photo_url": self.photo_url,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Party:
        return cls(
            SenderKind(doc["kind"]), doc.get("id"), doc.get("display_name") or "", doc.get("photo_url")
        )


SYSTEM = Party(SenderKind.SYSTEM, None, "wsChat")


@dataclass(frozen=True)
class Conversation:
    id: str
    tenant_id: str
    visitor_id: str
    status: ConversationStatus
    epoch: int
    created_at: datetime
    agent_id: str | None = None
    assigned_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: Party | None = None
    visitor_read_seq: int = 0
    agent_read_seq: int = 0
    visitor_left_at: datetime | None = None
    #: How it began: "chat" (the widget's live chat) or "offline_form" (a message left while nobody was
    #: online; closed from the start, never queued or routed).
    origin: str = "chat"
    #: Offline messages: "open" until an agent marks it "done" (None for chats).
    answer_state: str | None = None
    #: Offline messages: where and in which language the visitor wants the answer.
    answer_email: str | None = None
    answer_lang: str | None = None
    done_at: datetime | None = None
    #: The user id of who marked it done.
    done_by: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status is not ConversationStatus.CLOSED


@dataclass(frozen=True)
class Message:
    id: str
    tenant_id: str
    conversation_id: str
    seq: int
    client_id: str
    sender: Party
    kind: MessageKind
    text: str
    created_at: datetime
    visibility: Visibility = Visibility.ALL
    #: For system messages: what happened ("assigned", "transferred", …) and its details.
    event: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_wire(self) -> MessageWire:
        body: MessageWire = {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "client_id": self.client_id,
            "sender": self.sender.to_wire(),
            "kind": self.kind.value,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
            "visibility": self.visibility.value,
            "event": self.event,
            "data": dict(self.data),
        }
        return body


# -- domain events (wschat.boundary.domain_events; subscribers in wschat.server.subscriptions) -------------


@dataclass(frozen=True)
class ChatClosed:
    """The conversation was closed, by either side or by housekeeping; ``conversation`` is it as closed."""

    conversation: Conversation


@dataclass(frozen=True)
class OfflineMessageLeft:
    """A visitor left a message while nobody was online; ``conversation`` is it, closed from the start."""

    conversation: Conversation


@dataclass(frozen=True)
class ChatHandedOver:
    """The conversation went to another agent, or back to the queue."""

    conversation: Conversation


# -- payloads ----------------------------------------------------------------------------------------------

_CONTROL_EXCEPT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{INVISIBLE}]")


def clean_text(value: str) -> str:
    """A message text: control characters except newline removed, line ends unified, trimmed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL_EXCEPT_NEWLINE.sub("", value).strip()


#: Raw text as sent; cleaned and length-checked by the service against the configured limit.
RawText = Annotated[str, Field(max_length=20_000)]
Note = Annotated[str, Field(max_length=1000)]


class ChatStart(WireModel):
    name: DisplayName | None = None
    alias: DisplayName | None = None
    #: A first message; needs a client_id so that a resent chat.start does not store it twice.
    text: RawText | None = None
    client_id: ClientId | None = None


class ConversationRef(WireModel):
    conversation_id: Id


class MessageSend(WireModel):
    conversation_id: Id
    client_id: ClientId
    text: RawText


class MessagesSync(WireModel):
    conversation_id: Id
    after_seq: Seq = 0
    limit: Limit = 500


class MessagesBefore(WireModel):
    """``messages.before``: the newest ``limit`` messages below ``before_seq``; without it, the newest."""

    conversation_id: Id
    before_seq: Annotated[int, Field(ge=1, le=2**53)] | None = None
    limit: Limit = HISTORY_PAGE


class MessagesRead(WireModel):
    conversation_id: Id
    seq: Seq


class Typing(WireModel):
    conversation_id: Id
    typing: bool


class StatusSet(WireModel):
    status: Annotated[AgentStatus, Field(strict=False)]


class ChatTransfer(WireModel):
    conversation_id: Id
    to_agent_id: Id
    note: Note | None = None
