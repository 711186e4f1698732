"""The page trail: which page each visitor has open, since when, and where they were before.

The widget reports every page load and in-page navigation (`page.view`); the visitor's current page lives on
the visitor record, each view in `page_views` with the time it was entered and left. Agents see visitors on
the site now (`visitors.live`), each change as `visitor.updated`, and a visitor's trail (`visitor.pages`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from wschat.boundary.domain_events import DomainEvents
from wschat.boundary.protocol import Event
from wschat.boundary.publisher import Publisher
from wschat.clock import Clock, new_id
from wschat.errors import AuthInvalid, NotFound
from wschat.visitors.models import PageOpened, PageViewed, Visitor
from wschat.visitors.page_store import PageViewStore
from wschat.visitors.payloads import PageViewWire
from wschat.visitors.store import VisitorStore

#: How many page views `visitor.pages` returns, and how many visitors `visitors.live` lists.
TRAIL_LIMIT = 100
LIVE_LIMIT = 500
#: A visitor who never started a chat nor left contact data is deleted, with their page trail, this long
#: after they were last seen: the widget registers every page visitor, and most of them never chat.
IDLE_VISITOR_RETENTION = timedelta(hours=24)
#: Visitors removed per housekeeping run, so that one run stays short.
IDLE_BATCH = 500


class PageService:
    def __init__(
        self,
        visitors: VisitorStore,
        views: PageViewStore,
        publisher: Publisher,
        clock: Clock,
        events: DomainEvents,
    ) -> None:
        self.visitors = visitors
        self.views = views
        self.publisher = publisher
        self.clock = clock
        self.events = events

    async def viewed(self, visitor: Visitor, page: PageViewed) -> Visitor:
        """The visitor opened ``page``; the previous one is left now. Raises AuthInvalid if they are gone."""
        now = self.clock()
        view = {
            "_id": new_id("pgv"),
            "tenant_id": visitor.tenant_id,
            "visitor_id": visitor.id,
            "url": page.url,
            "title": page.title,
            "referrer": page.referrer,
            "entered_at": now,
            "left_at": None,
        }
        # ``visitor`` was read for this event (realtime reads the visitor record on every event).
        if visitor.current_page is not None:
            await self.views.close(visitor.tenant_id, visitor.current_page["id"], now)
        await self.views.insert(view)
        page_ref = {"id": view["_id"], "url": page.url, "title": page.title, "entered_at": now}
        updated = await self.visitors.set_current_page(visitor.tenant_id, visitor.id, page_ref)
        if updated is None:
            raise AuthInvalid("This chat session is unknown. Please reload the page.")
        await self._announce(updated)
        previous = visitor.current_page["entered_at"] if visitor.current_page else None
        await self.events.publish(PageOpened(visitor.tenant_id, visitor.id, now, previous))
        return updated

    async def left(self, tenant_id: str, visitor_id: str) -> None:
        """The visitor's last socket closed: their page is left, and they are no longer on the site."""
        visitor = await self.visitors.by_id(tenant_id, visitor_id)
        if visitor is None or visitor.current_page is None:
            return
        view_id = visitor.current_page["id"]
        await self.views.close(tenant_id, view_id, self.clock())
        updated = await self.visitors.clear_current_page(tenant_id, visitor_id, view_id)
        if updated is not None:
            await self._announce(updated)

    async def forget_idle_visitors(self) -> int:
        """Deletes idle page visitors (see IDLE_VISITOR_RETENTION) and their trails; returns how many."""
        ids = await self.visitors.delete_idle(self.clock() - IDLE_VISITOR_RETENTION, IDLE_BATCH)
        if ids:
            await self.views.delete_of_visitors(ids)
        return len(ids)

    async def live(self, tenant_id: str) -> list[Visitor]:
        return await self.visitors.on_site(tenant_id, LIVE_LIMIT)

    async def trail(self, tenant_id: str, visitor_id: str) -> list[PageViewWire]:
        """The visitor's last page views, oldest first. Raises NotFound for another tenant's visitor."""
        if await self.visitors.by_id(tenant_id, visitor_id) is None:
            raise NotFound("There is no such visitor.")
        now = self.clock()
        return [_view_wire(view, now) for view in await self.views.trail(tenant_id, visitor_id, TRAIL_LIMIT)]

    async def _announce(self, visitor: Visitor) -> None:
        await self.publisher.to_agents(
            visitor.tenant_id, Event.VISITOR_UPDATED, {"visitor": visitor.to_wire()}
        )


def _view_wire(view: dict[str, Any], now: datetime) -> PageViewWire:
    left_at = view.get("left_at")
    return {
        "url": view["url"],
        "title": view.get("title"),
        "referrer": view.get("referrer"),
        "entered_at": view["entered_at"].isoformat(),
        "left_at": left_at.isoformat() if left_at else None,
        # Time on the page so far for the page still open.
        "seconds": int(((left_at or now) - view["entered_at"]).total_seconds()),
    }
