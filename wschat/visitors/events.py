"""Socket.IO handlers for the page trail: the widget reports the visitor's page, agents read the trail."""

from __future__ import annotations

from wschat.accounts.context import AgentContext
from wschat.boundary.protocol import Event
from wschat.boundary.sockets import Done, Events
from wschat.visitors.context import VisitorContext
from wschat.visitors.models import PageViewed, VisitorRef
from wschat.visitors.pages import PageService
from wschat.visitors.payloads import VisitorPagesAck

#: page.view events a socket may send per PAGE_WINDOW seconds (a single-page app navigating fast).
PAGE_BURST = 20
PAGE_WINDOW = 10.0


def register(agents: Events[AgentContext], visitors: Events[VisitorContext]) -> None:
    page_limit = visitors.socket_limiter(PAGE_BURST, PAGE_WINDOW, "Too many page views.")

    @visitors.on(Event.PAGE_VIEW, PageViewed)
    async def page_view(ctx: VisitorContext, p: PageViewed) -> Done:
        page_limit.check(ctx.sid, ctx.clock().timestamp())
        await ctx.get(PageService).viewed(ctx.visitor, p)
        return {}

    @agents.on(Event.VISITOR_PAGES, VisitorRef)
    async def visitor_pages(ctx: AgentContext, p: VisitorRef) -> VisitorPagesAck:
        return {"pages": await ctx.get(PageService).trail(ctx.principal.tenant.id, p.visitor_id)}
