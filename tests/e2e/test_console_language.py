"""The console in German for a German browser, and the agent's own choice of language surviving a reload."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests.e2e.browser import Browser
from tests.e2e.console import Shop, go_online
from tests.support import PASSWORD

pytestmark = pytest.mark.timeout(60)


async def test_console_speaks_german_to_a_german_browser_and_switches_to_english(
    browser: Browser, shop: Shop
) -> None:
    page = await browser.page("/console/", locale="de-DE")
    html = page.locator("html")
    await expect(html).to_have_attribute("lang", "de")
    await expect(page.get_by_role("heading", name="Bei wsChat anmelden")).to_be_visible()
    await browser.screenshot(page, "console-de-sign-in")
    await page.get_by_label("Firma").fill("acme")
    await page.get_by_label("Anmeldename").fill("anna")
    await page.get_by_label("Passwort").fill(PASSWORD)
    await page.get_by_role("button", name="Anmelden").click()

    await expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    await expect(html).to_have_attribute("lang", "de")
    await expect(page.get_by_role("heading", name="Warteschlange")).to_be_visible()
    await expect(page.get_by_role("link", name="Mitarbeiter")).to_be_visible()
    await expect(page.get_by_role("radio", name="Abwesend")).to_be_visible()

    # A chat: the queue, the server's system message and the day separator in German.
    await go_online(page)
    _, conversation_id = await shop.visitor("Sam", "Hallo, ist jemand da?")
    queued = page.locator(f".queue-item[data-conversation='{conversation_id}']")
    await queued.get_by_role("button", name="Annehmen: Sam").click()
    log = page.get_by_role("log")
    await expect(log).to_contain_text("Hallo, ist jemand da?")
    await expect(log).to_contain_text("Heute")
    await expect(log.locator(".msg.system")).to_contain_text("Anna ist dem Chat beigetreten.")
    tab = page.get_by_role("tab", name=re.compile("Sam"))
    await expect(tab).to_contain_text("Anna ist dem Chat beigetreten.")
    await expect(log.locator("time").first).to_have_text(re.compile(r"^\d\d:\d\d$"))
    await expect(page.get_by_role("button", name="Übergeben…")).to_be_visible()
    # The longer German words still leave the admin's top bar whole at 1280 px: sign-out fully on screen.
    box = await page.get_by_role("button", name="Abmelden").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 1280, box
    await browser.screenshot(page, "console-de")

    # The agent's choice wins over the browser's language, and survives a reload.
    await page.get_by_label("Sprache der Konsole").select_option("en")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(html).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    await expect(log.locator(".msg.system")).to_contain_text("Anna joined the chat.")
    await page.reload()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await expect(html).to_have_attribute("lang", "en")
    assert await page.evaluate("localStorage.getItem('wschat.console.language')") == "en"
