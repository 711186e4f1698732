"""Steps a visitor takes in the widget, shared by the browser tests."""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.e2e.browser import Browser


async def open_widget(browser: Browser, alias: str) -> Page:
    """The demo website with its widget open and the visitor's alias typed in."""
    page = await browser.page("/demo?tenant=acme")
    await page.get_by_role("button", name="Open chat").click()
    await page.get_by_label("Your name or alias (optional)").fill(alias)
    return page


async def end_chat(page: Page, panel: Locator) -> None:
    """Ends the chat through its confirmation, and waits until the widget says so."""
    await panel.get_by_role("button", name="End chat").click()
    await (
        page.get_by_role("alertdialog", name="End this chat?")
        .get_by_role("button", name="Yes, end chat")
        .click()
    )
    await expect(panel.get_by_text("This chat has ended.")).to_be_visible()


async def ask_for_transcript(panel: Locator) -> Locator:
    """Opens "Send me this conversation" after the end; returns its form."""
    await panel.get_by_role("button", name="Send me this conversation").click()
    return panel.get_by_role("form", name="Send me this conversation")
