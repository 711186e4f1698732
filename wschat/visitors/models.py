"""Visitors as the rules see them, and the payloads of the widget's session, contact and page events."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field

from wschat.visitors.payloads import ContactWire, CurrentPageWire, VisitorWire
from wschat.wire import DisplayName, Id, WireModel, clean_line, strip_invisible


def _page_url(value: str) -> str:
    """An http(s) page address, kept without query, fragment and credentials: those often carry personal
    data (e-mail addresses, order numbers, session ids), and the page itself is what agents need."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http or https address")
    host = parts.hostname + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme}://{host}{parts.path or '/'}"


PageUrl = Annotated[str, Field(max_length=2048), AfterValidator(_page_url)]


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
    #: Processing restricted (GDPR Art. 18, wschat/subjects): kept, but left out of the archive's search and
    #: exports, and never mailed a transcript, until an admin lifts it.
    restricted: bool = False

    @property
    def display_name(self) -> str:
        return self.alias or self.name or f"Visitor {self.id[-4:]}"

    def contact_wire(self) -> ContactWire:
        contact = self.contact
        return {"name": contact.get("name"), "email": contact.get("email"), "phone": contact.get("phone")}

    def to_wire(self) -> VisitorWire:
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


def _page_wire(page: dict[str, Any] | None) -> CurrentPageWire | None:
    if page is None:
        return None
    return {"url": page["url"], "title": page.get("title"), "entered_at": page["entered_at"].isoformat()}


EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]{1,63})+$")
PHONE_CHARS = re.compile(r"^[0-9 +\-()]+$")


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


Email = Annotated[str, Field(max_length=300), AfterValidator(_email)]
Phone = Annotated[str, Field(max_length=40), AfterValidator(_phone)]


# -- domain events (wschat.boundary.domain_events; subscribers in wschat.server.subscriptions) -------------


@dataclass(frozen=True)
class PageOpened:
    """A visitor opened a page of the site (its view is stored already)."""

    tenant_id: str
    visitor_id: str
    at: datetime
    #: When the page they had open before was entered (None: no page open before this one).
    previous: datetime | None = None


class WidgetSessionRequest(WireModel):
    #: The token the widget kept from an earlier visit, or null for a new visitor.
    token: Annotated[str, Field(min_length=1, max_length=128)] | None = None


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


@dataclass(frozen=True)
class ContactSubmitted:
    """A visitor left contact data (``contact.submit``); ``visitor`` is them as stored afterwards (a domain
    event, wschat/boundary/domain_events.py)."""

    visitor: Visitor
    conversation_id: str | None
