"""What the server sends about visitors: the typed shape of each payload (docs/protocol.md §7.1, §10)."""

from __future__ import annotations

from typing import TypedDict

from wschat.boundary.protocol import Event


class ContactWire(TypedDict):
    name: str | None
    email: str | None
    phone: str | None


class CurrentPageWire(TypedDict):
    url: str
    title: str | None
    entered_at: str


class VisitorWire(TypedDict):
    """What agents see of a visitor (the IP only in the form the tenant lets us store)."""

    id: str
    display_name: str
    name: str | None
    alias: str | None
    contact: ContactWire
    ip: str | None
    country: str | None
    user_agent: str | None
    first_seen: str
    last_seen: str
    current_page: CurrentPageWire | None


class PageViewWire(TypedDict):
    url: str
    title: str | None
    referrer: str | None
    entered_at: str
    left_at: str | None
    seconds: int


# -- events --------------------------------------------------------------------------------------------------


class VisitorUpdated(TypedDict):
    visitor: VisitorWire


# -- acks ----------------------------------------------------------------------------------------------------


class VisitorPagesAck(TypedDict):
    pages: list[PageViewWire]


class OwnContact(TypedDict):
    display_name: str
    contact: ContactWire


class ContactSubmitAck(TypedDict):
    visitor: OwnContact


#: Server→client events of this feature and their payloads, by namespace ("agent" or "visitor").
SENT: dict[tuple[str, Event], type] = {("agent", Event.VISITOR_UPDATED): VisitorUpdated}
