"""Page views: the widget reports the first page and every in-page navigation; the visitor stays the same."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.async_api import Page, WebSocket, expect

from tests.e2e.browser import Browser
from tests.e2e.test_widget_chat import online_agent
from tests.support import LiveServer, wait_for

pytestmark = pytest.mark.timeout(60)


def record_page_views(page: Page) -> list[dict[str, Any]]:
    """Every `page.view` payload the page's widget sends over its socket."""
    views: list[dict[str, Any]] = []

    def frame(payload: str | bytes) -> None:
        text = payload if isinstance(payload, str) else payload.decode()
        if '"page.view"' in text:
            views.append(json.loads(text[text.index("[") :])[1])

    def opened(socket: WebSocket) -> None:
        socket.on("framesent", frame)

    page.on("websocket", opened)
    return views


async def test_widget_reports_page_views_and_keeps_the_visitor(server: LiveServer, browser: Browser) -> None:
    agent = await online_agent(server)
    page = await browser.page("")
    views = record_page_views(page)
    await page.goto(server.origin + "/demo?tenant=acme")
    # Before the visitor opens anything: the page is reported, nothing is stored.
    await wait_for(lambda: len(views) == 1)
    # Query and fragment never leave the browser (they may carry personal data).
    assert views[0] == {
        "url": server.origin + "/demo",
        "title": "Northwind Solar — clean power for your roof",
    }
    await agent.wait(
        "visitor.updated", lambda e: (e["visitor"]["current_page"] or {}).get("url") == views[0]["url"]
    )
    assert await page.evaluate("() => localStorage.length + sessionStorage.length") == 0

    # In-page navigation through the History API (as single-page apps do).
    await page.evaluate(
        "() => { document.title = 'Offer'; history.pushState({}, '', '/demo/offer?tenant=acme'); }"
    )
    await wait_for(lambda: len(views) == 2)
    assert views[1] == {
        "url": server.origin + "/demo/offer",
        "title": "Offer",
        "referrer": server.origin + "/demo",
    }
    updated = await agent.wait(
        "visitor.updated", lambda e: (e["visitor"]["current_page"] or {}).get("url") == views[1]["url"]
    )
    assert updated["visitor"]["current_page"]["title"] == "Offer"
    await page.evaluate("() => history.back()")
    await wait_for(lambda: len(views) == 3)
    assert views[2]["url"] == server.origin + "/demo"
    # Only the query changes: the same page for the trail, so no new view.
    await page.evaluate("() => history.replaceState({}, '', '/demo?tenant=acme&tab=2')")

    await page.get_by_role("button", name="Open chat").click()
    composer = page.get_by_role("textbox", name="Write a message")
    await composer.fill("Which system fits a small roof?")
    await composer.press("Enter")
    assigned = await agent.wait("chat.assigned")

    # A real navigation to another page: same visitor, same conversation, the panel still open.
    await page.get_by_role("link", name="Pricing").click()
    await page.wait_for_url("**/demo/pricing?tenant=acme")
    await expect(page.get_by_role("dialog").get_by_text("Which system fits a small roof?")).to_be_visible()
    await wait_for(lambda: len(views) == 4)
    assert views[3]["url"] == server.origin + "/demo/pricing"
    assert views[3]["referrer"] == server.origin + "/demo"
    queue_and_chats = await agent.ok("chats.list")
    assert [c["id"] for c in queue_and_chats["conversations"]] == [assigned["conversation"]["id"]]
