"""The console shows whatever visitors and agents typed as inert text, and talks to its own origin only."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online, make_shop, sign_in
from tests.support import LiveServer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
async def shop(server: LiveServer) -> Shop:
    return await make_shop(server)


IMG = "<img src=x onerror=\"document.title='pwned'\">"
SCRIPT = "<script>document.title='pwned'</script>"
SVG = "<svg onload=alert(1)><b>bold</b></svg>"


async def assert_inert(page: Page) -> None:
    """None of the payloads became markup: no such elements, and the title is the console's own."""
    assert await page.locator("img[src='x']").count() == 0
    assert await page.locator("svg[onload], b:text('bold')").count() == 0
    assert await page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert "pwned" not in await page.title()


async def test_console_renders_payloads_in_messages_alias_and_contact_as_text(
    browser: Browser, shop: Shop
) -> None:
    await shop.set(auto_assign=True)
    # An agent whose alias is a payload, seen by colleagues in the agents list and the transfer dialog.
    reply = await shop.server.request(
        "PATCH", f"/api/agents/{shop.users['carl'].id}", json={"display_name": SVG}, token=shop.admin_token
    )
    assert reply.status == 200, reply.body
    carl = await shop.server.agent(await shop.server.login("acme", "carl"))

    page = await sign_in(browser, "bert")
    await go_online(page)
    visitor = await shop.server.visitor("acme")
    await visitor.ok("page.view", {"url": "https://www.acme.example/p?x=1", "title": IMG})
    started = await visitor.ok(
        "chat.start", {"alias": IMG, "name": SCRIPT, "text": SCRIPT + IMG, "client_id": "c-1"}
    )
    conversation_id = started["conversation"]["id"]
    await visitor.ok(
        "contact.submit",
        {"name": SVG, "email": "<img/src=x/onerror=alert(1)>@acme.example", "phone": "+49 30 1234567"},
    )
    await visitor.ok("message.send", {"conversation_id": conversation_id, "client_id": "c-2", "text": SVG})

    log = page.get_by_role("log")
    await carl.ok("status.set", {"status": "online"})  # after Bert got the chat
    await expect(log.locator(".msg.visitor .text").first).to_have_text(SCRIPT + IMG)
    await expect(log.locator(".msg.visitor .text").last).to_have_text(SVG)
    await expect(page.get_by_role("tab").locator(".tab-name")).to_have_text(IMG)
    panel = page.locator(".visitor-panel")
    await expect(panel).to_contain_text(SCRIPT)
    await expect(panel).to_contain_text("<img/src=x/onerror=alert(1)>@acme.example")
    await expect(panel).to_contain_text(IMG)  # the page title of the current page
    await expect(panel.locator(".trail")).to_contain_text(IMG)

    await page.get_by_role("combobox", name="Message").fill(IMG)
    await page.get_by_role("combobox", name="Message").press("Enter")
    await expect(log.locator(".msg.own .text")).to_have_text(IMG)

    await page.get_by_role("button", name="Transfer…").click()
    await expect(page.get_by_role("dialog").locator(".target .name")).to_have_text(SVG)
    await assert_inert(page)
    await page.get_by_role("button", name="Cancel").click()

    await page.get_by_role("link", name="Live visitors").click()
    await expect(page.locator("tr[data-visitor]")).to_contain_text(IMG)
    await assert_inert(page)


async def test_console_requests_go_to_the_wschat_origin_only(browser: Browser, shop: Shop) -> None:
    await shop.set(allowed_origins=["https://www.acme.example"])
    await shop.server.request(
        "PATCH",
        "/api/tenant",
        json={"branding": {"logo_url": "https://www.acme.example/logo.png"}},
        token=shop.admin_token,
    )
    page = await sign_in(browser, "anna")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    await page.reload()
    for name in ("Live visitors", "My profile", "Agents", "Widget branding", "Settings", "Chats"):
        await page.get_by_role("link", name=name).click()
        await expect(page.get_by_role("link", name=name)).to_have_attribute("aria-current", "page")
    # The branding preview does not load the logo from the company's website.
    await page.get_by_role("link", name="Widget branding").click()
    await expect(page.get_by_test_id("branding-preview")).to_be_visible()
    assert browser.requests, "no request was recorded"
    assert browser.foreign_requests() == []
    fonts = await page.evaluate("[...document.fonts].map(f => f.family)")
    assert fonts == []
    assert errors == []  # no CSP violation, no failed load
