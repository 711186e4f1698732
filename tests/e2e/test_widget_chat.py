"""The visitor widget in a real browser: chatting with an agent, reloading, ending the chat.

The agent side is a real Socket.IO agent client (tests/support.py), so these tests exercise the widget alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import Page, Route, expect

from tests.e2e.browser import Browser
from tests.support import LiveServer, Peer
from wschat.accounts.models import Role

pytestmark = pytest.mark.timeout(60)


async def online_agent(server: LiveServer, slug: str = "acme") -> Peer:
    """A tenant with one admin, signed in to the console socket and online."""
    tenant = await server.make_tenant(slug)
    await server.make_user(tenant, "anna", Role.ADMIN)
    agent = await server.agent(await server.login(slug, "anna"))
    await agent.ok("status.set", {"status": "online"})
    return agent


async def storage(page: Page) -> dict[str, Any]:
    return await page.evaluate(
        "() => ({local: {...localStorage}, session: {...sessionStorage}, cookie: document.cookie})"
    )


async def test_widget_visitor_chats_reloads_and_ends(server: LiveServer, browser: Browser) -> None:
    agent = await online_agent(server)
    page = await browser.page("/demo?tenant=acme", reduced_motion="reduce")
    launcher = page.get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    assert await storage(page) == {"local": {}, "session": {}, "cookie": ""}, "stored before opening"

    await launcher.click()
    await expect(page.get_by_text("Hello! How can we help you?")).to_be_visible()
    assert await page.get_by_role("dialog").evaluate("(el) => getComputedStyle(el).animationName") == "none"
    assert "wschat:acme" in (await storage(page))["local"]
    await browser.screenshot(page, "widget-start")
    await page.get_by_label("Your name or alias (optional)").fill("Sam")
    composer = page.get_by_role("textbox", name="Write a message")
    await composer.fill("Hello, is anyone there?")
    await composer.press("Enter")

    assigned = await agent.wait("chat.assigned")
    conversation_id = assigned["conversation"]["id"]
    assert assigned["conversation"]["visitor"]["display_name"] == "Sam"
    panel = page.get_by_role("dialog")
    await expect(panel.get_by_role("heading")).to_have_text("Anna")
    await expect(panel.get_by_role("img", name="Photo of Anna")).to_be_visible()
    await expect(panel.get_by_text("Anna joined the chat.")).to_be_visible()

    await agent.ok("typing", {"conversation_id": conversation_id, "typing": True})
    await expect(panel.get_by_text("Anna is typing…")).to_be_visible()
    await agent.ok(
        "message.send",
        {"conversation_id": conversation_id, "client_id": "a-1", "text": "Hi Sam, how can I help?"},
    )
    await expect(panel.get_by_text("Hi Sam, how can I help?")).to_be_visible()
    await expect(panel.get_by_text("Anna is typing…")).to_have_count(0)

    # Read receipt: the agent reads the visitor's message.
    sync = await agent.ok("messages.sync", {"conversation_id": conversation_id})
    visitor_seq = next(m["seq"] for m in sync["messages"] if m["sender"]["kind"] == "visitor")
    await agent.ok("messages.read", {"conversation_id": conversation_id, "seq": visitor_seq})
    await expect(panel.locator(".me .meta")).to_contain_text("Seen")
    # The visitor read the agent's message (the panel is open): the agent learns it.
    await agent.wait("messages.read", lambda e: e["seq"] >= visitor_seq + 1)

    # Typing, the other way.
    await composer.fill("Let me check")
    typing = await agent.wait("typing")
    assert typing == {"conversation_id": conversation_id, "typing": True, "by": {"display_name": "Sam"}}
    await composer.fill("")

    items = panel.locator(".log > li")
    count = await items.count()
    await page.reload()
    panel = page.get_by_role("dialog")
    await expect(panel.get_by_text("Hi Sam, how can I help?")).to_have_count(1)
    await expect(panel.locator(".log > li")).to_have_count(count)
    await expect(panel.get_by_text("Hello, is anyone there?")).to_have_count(1)

    await panel.get_by_role("button", name="End chat").click()
    confirm = page.get_by_role("alertdialog", name="End this chat?")
    await expect(confirm).to_be_visible()
    await confirm.get_by_role("button", name="Yes, end chat").click()
    ended = await agent.wait("chat.ended")
    assert ended == {"conversation_id": conversation_id, "by": "visitor"}
    await expect(panel.get_by_text("This chat has ended.")).to_be_visible()
    await expect(panel.get_by_text("You ended the chat.")).to_be_visible()
    await expect(confirm).to_be_hidden()
    await browser.screenshot(page, "widget-ended")

    await panel.get_by_role("button", name="Start a new chat").click()
    await expect(panel.get_by_text("Hello! How can we help you?")).to_be_visible()
    await expect(page.get_by_role("textbox", name="Write a message")).to_be_focused()


async def test_widget_catches_up_after_a_reconnect(server: LiveServer, browser: Browser) -> None:
    agent = await online_agent(server)
    page = await browser.page("")
    sockets: list[str] = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    await page.goto(server.origin + "/demo?tenant=acme")
    await page.get_by_role("button", name="Open chat").click()
    panel = page.get_by_role("dialog")
    composer = panel.get_by_role("textbox", name="Write a message")
    await composer.fill("First")
    await composer.press("Enter")
    conversation_id = (await agent.wait("chat.assigned"))["conversation"]["id"]
    await expect(panel.get_by_text("Anna joined the chat.")).to_be_visible()
    assert len(sockets) == 1

    # The network goes away: the server loses the widget's transport, the browser cannot reconnect yet.
    context = page.context
    await context.set_offline(True)
    sio = server.app.realtime.sio
    # Chromium may drop the socket itself when going offline; otherwise the server closes the transport.
    widget_transports = list(sio.manager.rooms.get("/visitor", {}).get(None, {}).values())  # engine.io sids
    # Closing waits for the (offline) browser's answer: let it run while the test goes on.
    closing = [asyncio.create_task(sio.eio.disconnect(eio_sid)) for eio_sid in widget_transports]
    await expect(panel.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
    own_seqs = set()  # the agent's own messages reach its socket in the acks, not as events
    for n in (1, 2, 3):
        sent = await agent.ok(
            "message.send",
            {"conversation_id": conversation_id, "client_id": f"a-{n}", "text": f"While away {n}"},
        )
        own_seqs.add(sent["message"]["seq"])
    # Written while offline: it waits, and goes out by itself after the reconnect.
    await composer.fill("Written offline")
    await composer.press("Enter")
    await expect(panel.locator(".me .meta").last).to_have_text("Sending…")
    await context.set_offline(False)

    await expect(panel.get_by_text("Your contact person")).to_be_visible(timeout=15_000)
    for n in (1, 2, 3):
        await expect(panel.get_by_text(f"While away {n}")).to_have_count(1)
    message = await agent.wait("message.new", lambda e: e["message"]["text"] == "Written offline")
    texts = [item.strip() for item in await panel.locator(".log .bubble").all_inner_texts()]
    assert texts == ["First", "While away 1", "While away 2", "While away 3", "Written offline"]
    assert message["message"]["seq"] == 6  # 1 First, 2 assigned, 3-5 while away
    assert len(sockets) >= 2
    await expect(panel.get_by_text("Written offline")).to_have_count(1)
    # Stored once each; a resend is delivered again (docs/protocol.md §7.4), so count seqs, not events.
    assert len({e["message"]["seq"] for e in agent.received("message.new")} | own_seqs) == 1 + 1 + 3 + 1
    for task in closing:  # the old transport is gone for good by now
        task.cancel()
    await asyncio.gather(*closing, return_exceptions=True)


async def test_widget_two_tabs_are_one_visitor(server: LiveServer, browser: Browser) -> None:
    """Both tabs loaded before either was opened: the second tab to open continues the first one's chat."""
    agent = await online_agent(server)
    first = await browser.page("/demo?tenant=acme")
    second = await first.context.new_page()
    await second.goto(server.origin + "/demo/pricing?tenant=acme")
    await expect(first.get_by_role("button", name="Open chat")).to_be_visible()

    await second.get_by_role("button", name="Open chat").click()
    composer = second.get_by_role("textbox", name="Write a message")
    await composer.fill("Asked in the second tab")
    await composer.press("Enter")
    await agent.wait("chat.assigned")

    await first.get_by_role("button", name="Open chat").click()
    panel = first.get_by_role("dialog")
    await expect(panel.get_by_text("Asked in the second tab")).to_have_count(1)
    await panel.get_by_role("textbox", name="Write a message").fill("And more from the first")
    await panel.get_by_role("textbox", name="Write a message").press("Enter")
    await expect(second.get_by_role("dialog").get_by_text("And more from the first")).to_be_visible()
    assert len((await agent.ok("chats.list"))["conversations"]) == 1


async def test_widget_waits_for_a_server_that_is_not_there_yet(server: LiveServer, browser: Browser) -> None:
    """A page that loads while wsChat restarts: the widget retries its configuration and then appears.

    The restart is played by the browser itself (`page.route`): the first two configuration requests fail
    the way an unreachable server does, then they reach the real server.
    """
    await online_agent(server)
    page = await browser.page("")
    failed: list[str] = []

    async def unreachable_twice(route: Route) -> None:
        if len(failed) < 2:
            failed.append(route.request.url)
            await route.abort("connectionrefused")
        else:
            await route.continue_()

    await page.route("**/api/widget/acme", unreachable_twice)
    await page.goto(server.origin + "/demo?tenant=acme")
    launcher = page.get_by_role("button", name="Open chat")
    await expect(launcher).to_be_visible()  # after 1 s and 2 s of waiting
    assert len(failed) == 2
    await launcher.click()
    await expect(page.get_by_role("dialog").get_by_text("We are online")).to_be_visible()
