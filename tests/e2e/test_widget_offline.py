"""The widget when nobody can take a chat: an honest "offline", the message form, and the queue."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.support import LiveServer
from wschat.accounts.models import Role

pytestmark = pytest.mark.timeout(60)


async def test_widget_offline_message_reaches_the_queue(server: LiveServer, browser: Browser) -> None:
    tenant = await server.make_tenant("acme")
    await server.make_user(tenant, "anna", Role.ADMIN)
    agent = await server.agent(await server.login("acme", "anna"))  # connected, but offline

    # A German page on a phone: the panel fills the screen, every text is German.
    page = await browser.page("/demo?tenant=acme&lang=de", viewport={"width": 375, "height": 700})
    await page.get_by_role("button", name="Chat öffnen").click()
    panel = page.get_by_role("dialog")
    await expect(panel.get_by_text("Wir sind gerade nicht erreichbar")).to_be_visible()
    await expect(panel.get_by_text("Gerade ist niemand erreichbar.", exact=False)).to_be_visible()
    await expect(panel.get_by_text("Wir sind online")).to_have_count(0)
    box = await panel.bounding_box()
    assert box is not None
    assert (round(box["width"]), round(box["height"])) == (375, 700)

    await panel.get_by_label("Name (optional)").fill("Sam Smith")
    await panel.get_by_label("E-Mail (optional)").fill("kein-mail")
    await panel.get_by_label("Ihre Nachricht").fill("Bitte rufen Sie mich zurück.")
    await panel.get_by_role("button", name="Nachricht senden").click()
    await expect(panel.get_by_role("alert")).to_have_text("Bitte geben Sie eine gültige E-Mail-Adresse ein.")
    assert (await agent.ok("queue.list"))["conversations"] == []

    await panel.get_by_label("E-Mail (optional)").fill("sam@example.com")
    await panel.get_by_role("button", name="Nachricht senden").click()
    await expect(
        panel.get_by_text("Vielen Dank! Ihre Nachricht ist bei unserem Team angekommen.", exact=False)
    ).to_be_visible()
    await expect(panel.get_by_text("Bitte rufen Sie mich zurück.")).to_be_visible()
    await browser.screenshot(page, "widget-offline-de-phone")

    queue = (await agent.ok("queue.list"))["conversations"]
    assert len(queue) == 1
    visitor = queue[0]["visitor"]
    assert (visitor["name"], visitor["contact"]["email"]) == ("Sam Smith", "sam@example.com")
    sync = await agent.ok("messages.sync", {"conversation_id": queue[0]["id"]})
    assert [m["text"] for m in sync["messages"]] == ["Bitte rufen Sie mich zurück."]

    # The agent comes online: the queued chat is routed to them and the widget follows in real time.
    await agent.ok("status.set", {"status": "online"})
    await expect(panel.get_by_role("heading")).to_have_text("Anna")
    await expect(panel.get_by_text("Anna ist dem Chat beigetreten.")).to_be_visible()

    # Panel closed: a new message shows as an unread badge on the launcher.
    await panel.get_by_role("button", name="Chat minimieren").click()
    await agent.ok(
        "message.send",
        {"conversation_id": queue[0]["id"], "client_id": "a-1", "text": "Guten Tag, Herr Smith!"},
    )
    launcher = page.get_by_role("button", name="Chat öffnen, 1 ungelesene Nachricht")
    await expect(launcher).to_be_visible()
    await launcher.click()
    await expect(panel.get_by_text("Guten Tag, Herr Smith!")).to_be_visible()
    await expect(page.locator("wschat-widget .badge")).to_have_count(0)
