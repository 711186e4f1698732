"""Visitors, conversations and messages as the rules see them, and the payloads of every chat event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from wschat.wire import INVISIBLE, DisplayName, WireModel, clean_line, strip_invisible

#: Ids the server hands out: a prefix, "_", hex. Anything else cannot name a record.
Id = Annotated[str, Field(min_length=5, max_length=64, pattern=r"^[a-z]{3}_[0-9a-f]{8,48}$")]


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


def _page_url(value: str) -> str:
    """An http(s) page address, kept without query, fragment and credentials: those often carry personal
    data (e-mail addresses, order numbers, session ids), and the page itself is what agents need."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https address")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme}://{host}{parts.path or '/'}"


PageUrl = Annotated[str, Field(max_length=2048), AfterValidator(_page_url)]


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
class Visitor:
    id: str
    tenant_id: str
    first_seen: datetime
    last_seen: datetime
    name: str | None = None
    alias: str | None = None
    contact: dict[str, str] = field(default_factory=dict)
    ip: str | None = None
    #: ISO 3166-1 alpha-2 code, looked up locally from the address when the session was opened.
    country: str | None = None
    user_agent: str | None = None
    #: The page the visitor has open now ({id, url, title, entered_at}); ``None`` once they left the site.
    current_page: dict[str, Any] | None = None

    @property
    def display_name(self) -> str:
        return self.alias or self.name or f"Visitor {self.id[-4:]}"

    def contact_wire(self) -> dict[str, str | None]:
        return {key: self.contact.get(key) for key in ("name", "email", "phone")}

    def to_wire(self) -> dict[str, Any]:
        """What agents see of a visitor (the IP only in the form the tenant lets us store)."""
        return {
            "id": self.id,
            "display_name": self.display_name,
            "name": self.name,
            "alias": self.alias,
            "contact": self.contact_wire(),
            "ip": self.ip,
            "country": self.country,
            "user_agent": self.user_agent,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "current_page": _page_wire(self.current_page),
        }


def _page_wire(page: dict[str, Any] | None) -> dict[str, Any] | None:
    if page is None:
        return None
    return {"url": page["url"], "title": page.get("title"), "entered_at": page["entered_at"].isoformat()}


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

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "seq": self.seq,
            "client_id": self.client_id,
            "sender": self.sender.to_doc(),
            "kind": self.kind.value,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
            "visibility": self.visibility.value,
            "event": self.event,
            "data": dict(self.data),
        }
        return body


# -- payloads ----------------------------------------------------------------------------------------------

_CONTROL_EXCEPT_NEWLINE = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{INVISIBLE}]")
EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
PHONE_CHARS = re.compile(r"^[0-9 +\-()]+$")


def clean_text(value: str) -> str:
    """A message text: control characters except newline removed, line ends unified, trimmed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL_EXCEPT_NEWLINE.sub("", value).strip()


def _email(value: str) -> str:
    value = strip_invisible(value).strip()
    if len(value) > 254 or not EMAIL.fullmatch(value):
        raise ValueError("is not a valid e-mail address")
    return value


def _phone(value: str) -> str:
    value = " ".join(value.split())
    digits = sum(ch.isdigit() for ch in value)
    if not PHONE_CHARS.fullmatch(value) or not 5 <= digits <= 20:
        raise ValueError("may hold digits, spaces, +, -, ( and ), with 5 to 20 digits")
    return value


#: Raw text as sent; cleaned and length-checked by the service against the configured limit.
RawText = Annotated[str, Field(max_length=20_000)]
Email = Annotated[str, Field(max_length=300), AfterValidator(_email)]
Phone = Annotated[str, Field(max_length=40), AfterValidator(_phone)]
Note = Annotated[str, Field(max_length=1000)]


class WidgetSessionRequest(WireModel):
    #: The token the widget kept from an earlier visit, or null for a new visitor.
    token: Annotated[str, Field(min_length=1, max_length=128)] | None = None


class Empty(WireModel):
    pass


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


class ContactSubmit(WireModel):
    conversation_id: Id | None = None
    name: DisplayName | None = None
    email: Email | None = None
    phone: Phone | None = None


class PageViewed(WireModel):
    """``page.view``: the widget's page, sent on load and on in-page navigation (History API)."""

    url: PageUrl
    title: Annotated[str, Field(max_length=300), AfterValidator(clean_line)] | None = None
    referrer: PageUrl | None = None


class VisitorRef(WireModel):
    visitor_id: Id


class StatusSet(WireModel):
    status: Annotated[AgentStatus, Field(strict=False)]


class ChatTransfer(WireModel):
    conversation_id: Id
    to_agent_id: Id
    note: Note | None = None
