"""The tenant's corporate design in the widget: colours, position, language, its own texts; the queue."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.support import LiveServer
from wschat.accounts.models import Role

pytestmark = pytest.mark.timeout(60)


async def test_widget_follows_the_tenants_branding(server: LiveServer, browser: Browser) -> None:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    token = await server.login("acme", "anna")
    branding = {
        # White on pale yellow is unreadable: the widget paints the text black instead.
        "primary_color": "#ffe066",
        "text_color": "#ffffff",
        "position": "left",
        "language": "de",
        "texts": {"de": {"title": "Sonnenberatung", "queued": "Gleich geht es los, versprochen."}},
    }
    reply = await server.request(
        "PATCH", "/api/tenant", json={"branding": branding, "auto_assign": False}, token=token
    )
    assert reply.status == 200, reply.body
    agent = await server.agent(token)
    await agent.ok("status.set", {"status": "online"})

    page = await browser.page("/demo?tenant=acme")  # an English page: the tenant fixed German
    launcher = page.get_by_role("button", name="Chat öffnen")
    await expect(launcher).to_be_visible()
    box = await launcher.bounding_box()
    assert box is not None
    assert box["x"] < 100, "position: left"
    colours = await launcher.evaluate(
        "(el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).color]"
    )
    assert colours == ["rgb(255, 224, 102)", "rgb(0, 0, 0)"]

    await launcher.click()
    await expect(page.get_by_role("dialog", name="Sonnenberatung")).to_be_visible()
    panel = page.get_by_role("dialog")
    await expect(panel.get_by_text("Wir sind online")).to_be_visible()
    composer = panel.get_by_role("textbox", name="Nachricht schreiben")
    await composer.fill("Ist jemand da?")
    await composer.press("Enter")

    # Nobody takes it automatically: the tenant's own "queued" text, until an agent accepts.
    await expect(panel.get_by_text("Gleich geht es los, versprochen.")).to_be_visible()
    queued = (await agent.ok("queue.list"))["conversations"]
    assert len(queued) == 1
    await agent.ok("chat.accept", {"conversation_id": queued[0]["id"]})
    await expect(panel.get_by_role("heading")).to_have_text("Anna")
    await expect(panel.get_by_text("Gleich geht es los, versprochen.")).to_have_count(0)
    await expect(panel.get_by_text("Ihre Ansprechperson")).to_be_visible()
    await browser.screenshot(page, "widget-branding-left-de")
