"""The widget renders whatever people and admins type as inert text, and talks to the wsChat server only."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from playwright.async_api import Page, expect

from tests.e2e.browser import Browser
from tests.support import LiveServer
from wschat.accounts.models import Role

pytestmark = pytest.mark.timeout(60)

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
SVG = "<svg onload=window.__xss=1>"


async def assert_inert(page: Page) -> None:
    assert await page.evaluate("() => window.__xss") is None
    tags = await page.evaluate(
        """() => Array.from(document.querySelector('wschat-widget').shadowRoot.querySelectorAll('*'),
                            (el) => el.tagName.toLowerCase())"""
    )
    assert "script" not in tags
    assert "img" not in tags or await page.evaluate(
        """() => Array.from(document.querySelector('wschat-widget').shadowRoot.querySelectorAll('img'))
                   .every((img) => img.src.includes('/media/'))"""
    )
    assert not [tag for tag in tags if tag not in SAFE_TAGS], tags


SAFE_TAGS = {
    "style", "div", "h2", "h3", "p", "span", "button", "svg", "path", "form", "label", "input", "textarea",
    "ol", "li", "time", "img",
}  # fmt: skip


async def test_widget_renders_payloads_as_text(server: LiveServer, browser: Browser) -> None:
    tenant = await server.make_tenant("acme")
    anna = await server.make_user(tenant, "anna", Role.ADMIN)
    token = await server.login("acme", "anna")
    texts = {"title": IMG, "greeting": SCRIPT + IMG, "offline": SVG, "queued": IMG}
    reply = await server.request(
        "PATCH", "/api/tenant", json={"branding": {"texts": {"en": texts}}}, token=token
    )
    assert reply.status == 200, reply.body
    reply = await server.request("PATCH", f"/api/agents/{anna.id}", json={"display_name": SVG}, token=token)
    assert reply.status == 200, reply.body
    agent = await server.agent(token)
    await agent.ok("status.set", {"status": "online"})

    page = await browser.page("/demo?tenant=acme")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await page.get_by_role("button", name="Open chat").click()
    await expect(page.get_by_role("dialog", name=IMG).get_by_text(SCRIPT + IMG)).to_be_visible()
    panel = page.get_by_role("dialog")

    await panel.get_by_label("Your name or alias (optional)").fill(IMG)
    composer = panel.get_by_role("textbox", name="Write a message")
    await composer.fill(f"{SCRIPT} {IMG} {SVG}")
    await composer.press("Enter")
    assigned = await agent.wait("chat.assigned")
    assert assigned["conversation"]["visitor"]["alias"] == IMG
    conversation_id = assigned["conversation"]["id"]
    await expect(panel.get_by_role("heading")).to_have_text(SVG)
    await expect(panel.get_by_text(f"{SCRIPT} {IMG} {SVG}")).to_be_visible()
    await agent.ok("message.send", {"conversation_id": conversation_id, "client_id": "a-1", "text": IMG})
    await expect(panel.locator(".them .bubble")).to_have_text(IMG)
    await expect(panel.get_by_text(f"{SVG} joined the chat.")).to_be_visible()

    await panel.get_by_role("button", name="Contact details").click()
    await panel.get_by_label("Name").fill(SCRIPT)
    await panel.get_by_role("button", name="Save details").click()
    await expect(panel.get_by_text("Thank you, we have your contact details.")).to_be_visible()
    await agent.wait("visitor.updated", lambda e: e["visitor"]["contact"]["name"] == SCRIPT)

    await assert_inert(page)
    assert dialogs == []


@asynccontextmanager
async def company_site(html: str, csp: str) -> AsyncIterator[str]:
    """A company's own website on another origin (a port of its own): serves one page, /shop."""

    async def shop(request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html", headers={"Content-Security-Policy": csp})

    app = web.Application()
    app.router.add_get("/shop", shop)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        yield f"http://localhost:{sock.getsockname()[1]}"
    finally:
        await runner.cleanup()


async def test_widget_on_another_site_talks_only_to_wschat(server: LiveServer, browser: Browser) -> None:
    """A company site on another origin embeds the widget: every request goes to that site or to wsChat."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>'
        f'<h1>Shop</h1><script src="{server.origin}/widget.js" data-tenant="acme" async></script>'
        "</body></html>"
    )
    ws = server.origin.replace("http", "ws")
    csp = (
        f"default-src 'self'; script-src {server.origin}; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' {server.origin}; connect-src {server.origin} {ws}"
    )
    async with company_site(html, csp) as site:
        tenant = await server.make_tenant("acme")
        await server.make_user(tenant, "anna", Role.ADMIN)
        token = await server.login("acme", "anna")
        reply = await server.request("PATCH", "/api/tenant", json={"allowed_origins": [site]}, token=token)
        assert reply.status == 200, reply.body
        agent = await server.agent(token)
        await agent.ok("status.set", {"status": "online"})

        context = await browser.chromium.new_context()
        browser.contexts.append(context)
        context.set_default_timeout(10_000)
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))
        page = await context.new_page()
        page.on("websocket", lambda socket: requests.append(socket.url))
        await page.goto(f"{site}/shop")
        await page.get_by_role("button", name="Open chat").click()
        composer = page.get_by_role("textbox", name="Write a message")
        await composer.fill("Hello from the shop")
        await composer.press("Enter")
        await agent.wait("chat.assigned")
        photo = page.get_by_role("img", name="Photo of Anna")
        await expect(photo).to_be_visible()
        assert (await photo.get_attribute("src") or "").startswith(server.origin + "/media/")
        assert "wschat:acme" in await page.evaluate("() => Object.keys(localStorage)")
        await context.close()

    wschat = urlsplit(server.origin)
    hosts = {(urlsplit(url).hostname, urlsplit(url).port) for url in requests}
    assert hosts == {(wschat.hostname, wschat.port), ("localhost", urlsplit(site).port)}, requests
    paths = {urlsplit(url).path for url in requests if urlsplit(url).port == wschat.port}
    assert {"/widget.js", "/api/widget/acme", "/api/widget/acme/session", "/socket.io/"} <= paths, paths
    assert [url for url in requests if url.startswith(site)] == [f"{site}/shop"]
